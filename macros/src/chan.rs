//! `chan![T]`, `chan![T; n]`, `chan![]`, `chan![; n]`: Go's `make(chan T, n)`.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};

use crate::cx::Cx;

pub(crate) fn expand(cx: &mut Cx, input: TokenStream, whole: Span) -> TokenStream {
    let tokens: Vec<TokenTree> = input.into_iter().collect();
    let semis: Vec<usize> = tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| matches!(t, TokenTree::Punct(p) if p.as_char() == ';'))
        .map(|(i, _)| i)
        .collect();
    if let Some(&extra) = semis.get(1) {
        cx.error(
            tokens[extra].span(),
            "chan! takes an element type and a capacity: `chan![T; n]`",
        );
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
    let ty = if ty.is_empty() {
        quote!(_)
    } else {
        match syn::parse2::<syn::Type>(ty.clone()) {
            Ok(t) => quote!(#t),
            Err(e) => {
                cx.error(
                    e.span(),
                    "chan! expects an element type here: `chan![i32]`, `chan![String; 10]`",
                );
                quote!(_)
            }
        }
    };
    let cap = match cap {
        None => quote!(0usize),
        Some([]) => {
            cx.error(
                tokens[semis[0]].span(),
                "expected a capacity after `;`: `chan![T; n]` (or `chan![T]` for an unbuffered channel)",
            );
            quote!(0usize)
        }
        Some(c) => {
            let c: TokenStream = c.iter().cloned().collect();
            quote!(#c)
        }
    };
    quote_spanned!(whole=> #krate::Chan::<#ty>::new(#cap))
}
