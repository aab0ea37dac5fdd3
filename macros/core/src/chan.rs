//! `chan![T]`, `chan![T; n]`, `chan![]`, `chan![; n]`: Go's `make(chan T, n)`.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};

use crate::arrow::error_expr;
use crate::cx::Cx;

pub(crate) fn expand(cx: &mut Cx, input: TokenStream, whole: Span) -> TokenStream {
    let tokens: Vec<TokenTree> = input.into_iter().collect();
    let semis: Vec<usize> = tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| matches!(t, TokenTree::Punct(p) if p.as_char() == ';'))
        .map(|(i, _)| i)
        .collect();
    // Errors replace the whole expression (rustc's error type then raises
    // nothing further where the channel is used).
    let mut errors = TokenStream::new();
    if let Some(&extra) = semis.get(1) {
        let rest: TokenStream = tokens[extra..].iter().cloned().collect();
        errors.extend(error_expr(
            &rest,
            "chan! takes an element type and one capacity: `chan![T; n]` (Go's `make(chan T, n)`)",
        ));
    }
    let (ty, cap) = match semis.first() {
        Some(&s) => (
            &tokens[..s],
            Some(&tokens[s + 1..semis.get(1).copied().unwrap_or(tokens.len())]),
        ),
        None => (&tokens[..], None),
    };
    let krate = cx.krate().clone();
    let ty: TokenStream = ty.iter().cloned().collect();
    let ty_tokens = ty.clone();
    let ty = if ty.is_empty() {
        quote!(_)
    } else if let Ok(t) = syn::parse2::<syn::Type>(ty.clone()) {
        quote!(#t)
    } else {
        let message = if cap.is_none() && syn::parse2::<syn::LitInt>(ty.clone()).is_ok() {
            format!(
                "chan! expects an element type before the capacity: `chan![T; {ty}]`, or `chan![; {ty}]` to infer `T`"
            )
        } else {
            "chan! expects an element type here: `chan![i32]`, `chan![String; 10]`".to_string()
        };
        errors.extend(error_expr(&ty, &message));
        quote!(_)
    };
    let cap = match cap {
        None => quote!(0usize),
        Some([]) => {
            let semi: TokenStream = tokens[semis[0]].clone().into();
            errors.extend(error_expr(
                &semi,
                "expected a capacity after `;`: `chan![T; n]` (or `chan![T]` for an unbuffered channel)",
            ));
            quote!(0usize)
        }
        Some(c) => {
            let c: TokenStream = c.iter().cloned().collect();
            quote!(#c)
        }
    };
    if !errors.is_empty() {
        // The capacity is still the user's code: evaluate it for its errors
        // and uses.
        return quote!({ let _: usize = #cap; #errors });
    }
    // `Chan::new` with the element type inferred from the expected type (not
    // `Chan::<T>::new`): a non-`Send` element type is then rustc's "cannot
    // be sent between threads safely", located at the type, rather than "the
    // function `new` exists but its trait bounds were not satisfied".
    let (start, end) = if ty_tokens.is_empty() {
        (whole, whole)
    } else {
        (
            crate::arrow::first_span(&ty_tokens, whole),
            crate::arrow::last_span(&ty_tokens, whole),
        )
    };
    let new = cx.located_path(&["Chan", "new"], start, end);
    quote_spanned!(whole=> ::core::convert::identity::<#krate::Chan<#ty>>(#new(#cap)))
}
