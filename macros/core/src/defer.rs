//! `defer!(f(args))` / `defer! { ... }`: Go's defer.
//!
//! Three expansions: in a function inside `goru! {}` (or under
//! `#[goru::main]`/`#[goru::test]`, or in a `go!` block) the call belongs to
//! the function: a guard when written at the body's top level, else queued
//! on the function's frame (see the runtime's `lang::defer`). Anywhere
//! else, a scope guard that runs when the enclosing block ends.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::quote;

use crate::call::{self, Operand};
use crate::cx::{Cx, hidden};

/// Where a deferred call goes.
#[derive(Clone, Copy)]
pub(crate) enum Placement {
    /// A statement at the function body's top level.
    Guard,
    /// Nested in a loop, branch or block: queued on the frame.
    Later,
}

/// The parts of a deferred call: statements that evaluate its arguments
/// now, and the deferred code itself.
pub(crate) struct Deferred {
    pub(crate) setup: TokenStream,
    pub(crate) code: TokenStream,
}

/// `owns_captures`: the deferred call becomes a closure that owns what it
/// uses (a call queued on the frame).
pub(crate) fn prepare(operand: Operand, owns_captures: bool) -> Deferred {
    match operand {
        Operand::Call(expr) => {
            let p = call::prepare(&expr, None, false, owns_captures);
            Deferred {
                setup: p.setup,
                code: p.call,
            }
        }
        Operand::Block(tokens) => Deferred {
            setup: TokenStream::new(),
            code: quote!({ #tokens }),
        },
    }
}

/// The function-scoped expansion (statements for a guard, an expression
/// for a queued call).
pub(crate) fn in_frame(cx: &Cx, deferred: Deferred, placement: Placement) -> TokenStream {
    let frame = hidden("__goru_frame");
    let guard = hidden("__goru_defer");
    let Deferred { setup, code } = deferred;
    let _ = cx;
    match placement {
        // A deferred block that always panics or returns makes the
        // generated `None` after it unreachable: not the user's concern.
        Placement::Guard => quote! {
            #setup
            #[allow(unreachable_code, clippy::diverging_sub_expression)]
            let #guard = #frame.guard(|| {
                let _ = #code;
                ::core::option::Option::None
            });
        },
        Placement::Later => quote! {{
            #setup
            #[allow(unreachable_code, clippy::diverging_sub_expression)]
            #frame.later(move || {
                let _ = #code;
                ::core::option::Option::None
            });
        }},
    }
}

/// The standalone `defer!` (outside a Go-rules function): a scope guard.
pub(crate) fn expand_scoped(cx: &mut Cx, input: TokenStream, whole: Span) -> TokenStream {
    let input = crate::arrow::rewrite(cx, input);
    if let Some(span) = find_recover(&input) {
        cx.error(
            span,
            "recover() stops a panic only in a defer! of a function inside `goru! { }` (or under #[goru::main] / #[goru::test], or in a go! block); here the defer! is a plain scope guard",
        );
    }
    let Some(operand) = call::parse(cx, input.clone(), "defer", whole) else {
        return quote!({ let _ = || { #input }; });
    };
    let Deferred { setup, code } = prepare(operand, false);
    let private = cx.private();
    let guard = hidden("__goru_defer");
    quote! {
        #setup
        #[allow(unreachable_code, clippy::diverging_sub_expression)]
        let #guard = #private::ScopeGuard::new(|| {
            let _ = #code;
        });
    }
}

/// The span of a `recover()` call in `tokens`, at any depth.
pub(crate) fn find_recover(tokens: &TokenStream) -> Option<Span> {
    let v: Vec<TokenTree> = tokens.clone().into_iter().collect();
    for (i, t) in v.iter().enumerate() {
        match t {
            TokenTree::Ident(id) if id == "recover" => {
                if let Some(TokenTree::Group(g)) = v.get(i + 1)
                    && g.delimiter() == proc_macro2::Delimiter::Parenthesis
                    && g.stream().is_empty()
                {
                    return Some(id.span());
                }
            }
            TokenTree::Group(g) => {
                if let Some(s) = find_recover(&g.stream()) {
                    return Some(s);
                }
            }
            _ => {}
        }
    }
    None
}
