//! `go!(f(x))` and `go! { ... }`: start a goroutine. The call form
//! evaluates the function value and arguments now (Go's rule, which is what
//! fixes the loop-variable pitfall); the block form moves its captures.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};

use crate::call::{self, Operand};
use crate::cx::Cx;
use crate::{arrow, scope};

pub(crate) fn expand(cx: &mut Cx, input: TokenStream, whole: Span) -> TokenStream {
    let input = arrow::rewrite(cx, input);
    let private = cx.private();
    match call::parse(cx, input.clone(), "go", whole) {
        Some(Operand::Call(expr)) => {
            let check = quote!(#private::goroutine_arg);
            let prepared = call::prepare(&expr, Some(&check), true, false);
            let (setup, call) = (prepared.setup, prepared.call);
            quote_spanned!(whole=> {
                #setup
                #private::go(move || { let _ = #call; });
            })
        }
        Some(Operand::Block(tokens)) => {
            let body = scope::closure_body(cx, tokens, quote!(()));
            quote_spanned!(whole=> #private::go(move || #body))
        }
        // Keep the user's code visible to the IDE.
        None => quote!({ let _ = || { #input }; }),
    }
}
