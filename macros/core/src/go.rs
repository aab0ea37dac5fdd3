//! `go!(f(x))` and `go! { ... }`: start a goroutine. The call form
//! evaluates the function value and arguments now (Go's rule, which is what
//! fixes the loop-variable pitfall); the block form moves its captures.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};

use crate::call::{self, Operand};
use crate::cx::Cx;
use crate::{arrow, scope};

pub(crate) fn expand(cx: &mut Cx, input: TokenStream, whole: Span) -> TokenStream {
    let input = arrow::rewrite(cx, input);
    // The goroutine's closure and the `go` call are located over the
    // user's code, so errors about what it captures (not `Send`, not
    // `'static`) point there and name the closure by its place.
    let first = arrow::first_span(&input, whole);
    let last = arrow::last_span(&input, whole);
    let go = cx.runtime_fn("go", first, last);
    let closure = quote_spanned!(first=> move ||);
    match call::parse(cx, input.clone(), "go", whole) {
        Some(Operand::Call(expr)) => {
            let check = |start, end| cx.runtime_fn("goroutine_arg", start, end);
            let prepared = call::prepare(&expr, Some(&check), true, false);
            let (setup, call) = (prepared.setup, prepared.call);
            let body = arrow::group(Delimiter::Brace, quote!(let _ = #call;), last);
            quote_spanned!(whole=> {
                #setup
                #go(#closure #body);
            })
        }
        Some(Operand::Block(tokens)) => {
            let mut body = scope::closure_body(cx, tokens, quote!(()));
            if let Some(TokenTree::Group(g)) = body.clone().into_iter().next() {
                body = arrow::group(g.delimiter(), g.stream(), last).into();
            }
            quote_spanned!(whole=> #go(#closure #body))
        }
        // Keep the user's code visible to the IDE.
        None => quote!({ let _ = || { #input }; }),
    }
}
