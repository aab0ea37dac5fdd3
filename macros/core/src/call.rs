//! The operand of `go!` and `defer!`: a call whose function value and
//! arguments are evaluated where the statement is (Go's rule), or a block.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, ExprCall, ExprMethodCall};

use crate::cx::{Cx, hidden};

pub(crate) enum Operand {
    /// `f(args)` / `recv.method(args)`.
    Call(Expr),
    /// A macro call or any block of statements.
    Block(TokenStream),
}

/// Reads a `go!`/`defer!` operand (already `<-`-rewritten). `what` names the
/// macro in errors.
pub(crate) fn parse(cx: &mut Cx, tokens: TokenStream, what: &str, whole: Span) -> Option<Operand> {
    if tokens.is_empty() {
        cx.error(
            whole,
            format!(
                "{what}! needs a function call or a block: `{what}!(f(x))` or `{what}! {{ ... }}`"
            ),
        );
        return None;
    }
    // A single expression without a trailing `;` is the call form.
    let Ok(expr) = syn::parse2::<Expr>(tokens.clone()) else {
        return Some(Operand::Block(tokens));
    };
    match expr {
        Expr::Call(_) | Expr::MethodCall(_) => Some(Operand::Call(expr)),
        Expr::Macro(_)
        | Expr::Block(_)
        | Expr::Unsafe(_)
        | Expr::If(_)
        | Expr::Match(_)
        | Expr::Loop(_)
        | Expr::While(_)
        | Expr::ForLoop(_)
        | Expr::Assign(_)
        | Expr::Return(_)
        | Expr::Paren(_) => Some(Operand::Block(tokens)),
        Expr::Closure(c) => {
            cx.error(
                c.span(),
                format!(
                    "a closure in {what}! must be called, as in Go's `{what} func() {{ ... }}()`: write `{what}! {{ ... }}` instead"
                ),
            );
            None
        }
        other => {
            cx.error(
                other.span(),
                format!(
                    "{what}! needs a function call (`{what}!(f(x))`) or a block (`{what}! {{ ... }}`); Go: expression in {what} must be function call"
                ),
            );
            None
        }
    }
}

/// A call split into statements that evaluate its parts now and the call
/// that uses them later. `check` wraps each evaluated part (for `go!`'s
/// `Send` check); receivers of method calls are evaluated now by `go!`
/// (moved into the goroutine) and borrowed by `defer!`.
pub(crate) struct Prepared {
    pub(crate) setup: TokenStream,
    pub(crate) call: TokenStream,
}

/// `check` makes the checking function's path, located over the user's
/// part (from its first token's span to its last's), so that a failed
/// check points at that part.
pub(crate) fn prepare(
    expr: &Expr,
    check: Option<&dyn Fn(Span, Span) -> TokenStream>,
    move_receiver: bool,
    borrows_inline: bool,
) -> Prepared {
    let mut setup = TokenStream::new();
    let mut bind = |value: &dyn ToTokens, name: &str, span: Span| {
        let id = hidden(name);
        let value = match check {
            Some(check) => {
                let value = value.to_token_stream();
                let check = check(
                    crate::arrow::first_span(&value, span),
                    crate::arrow::last_span(&value, span),
                );
                quote_spanned!(span=> #check(#value))
            }
            None => value.to_token_stream(),
        };
        setup.extend(quote_spanned!(span=> #[allow(unused_mut)] let mut #id = #value;));
        id
    };
    let args = |bind: &mut dyn FnMut(&dyn ToTokens, &str, Span) -> syn::Ident,
                args: &syn::punctuated::Punctuated<Expr, syn::Token![,]>| {
        args.iter()
            .enumerate()
            .map(|(i, a)| {
                if borrows_inline && is_borrowed_variable(a) {
                    // `&x` stays in the call, so a closure that owns its
                    // captures takes `x` itself rather than a borrow of a
                    // variable that dies before the call runs.
                    a.to_token_stream()
                } else {
                    bind(a, &format!("__goru_arg{i}"), a.span()).to_token_stream()
                }
            })
            .collect::<Vec<_>>()
    };
    let call = match expr {
        Expr::Call(ExprCall { func, args: a, .. }) => {
            let func_tokens = match &**func {
                // A path names a function item: nothing to evaluate, and
                // binding it would lose generic inference.
                Expr::Path(p) => p.to_token_stream(),
                // `(|x| ..)(a)`, Go's `go func(x int) { .. }(a)`: the
                // parentheses were needed for the call, not for the binding.
                Expr::Paren(p) => bind(&*p.expr, "__goru_fn", p.expr.span()).to_token_stream(),
                other => bind(other, "__goru_fn", other.span()).to_token_stream(),
            };
            let ids = args(&mut bind, a);
            quote!(#func_tokens(#(#ids),*))
        }
        Expr::MethodCall(ExprMethodCall {
            receiver,
            method,
            turbofish,
            args: a,
            ..
        }) => {
            let recv = if move_receiver {
                bind(receiver, "__goru_recv", receiver.span()).to_token_stream()
            } else {
                receiver.to_token_stream()
            };
            let ids = args(&mut bind, a);
            quote!(#recv.#method #turbofish(#(#ids),*))
        }
        other => other.to_token_stream(),
    };
    Prepared { setup, call }
}

/// `&x` or `&mut x` for a plain variable `x`.
fn is_borrowed_variable(e: &Expr) -> bool {
    matches!(e, Expr::Reference(r) if matches!(&*r.expr, Expr::Path(p) if p.path.get_ident().is_some()))
}
