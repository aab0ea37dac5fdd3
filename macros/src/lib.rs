//! The Go syntax of goru: `goru! {}`, `go!`, `chan!`, `select!`, `defer!`,
//! the `<-` operator and `#[goru::main]` / `#[goru::test]`.
//!
//! Use these through the `goru` crate: its `macro_rules!` wrappers pass
//! `$crate` as the first token group, so generated code reaches the runtime
//! as `$crate::__private::…` whatever the crate is called. Each macro lives
//! in its own module; parsing is split from expansion; errors are
//! `compile_error!`s on the offending token, emitted beside the user's code.

use proc_macro::TokenStream;
use proc_macro2::Span;

mod arrow;
mod call;
mod chan;
mod cx;
mod defer;
mod entry;
mod go;
mod goru;
mod scope;
mod select;
#[cfg(test)]
mod tests;

use cx::Cx;

/// Where a macro's expansion goes: its errors are placed to fit.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Position {
    /// Items or statements (`goru!`, `defer!`): errors follow the code.
    Statements,
    /// An expression (`go!`, `select!`, `chan!`): errors and code make one
    /// block, so the macro still works as an expression.
    Expression,
}

/// Runs an expansion; an internal panic (a bug) becomes a compile error
/// instead of a macro crash.
fn guarded(
    input: TokenStream,
    position: Position,
    f: fn(&mut Cx, proc_macro2::TokenStream) -> proc_macro2::TokenStream,
) -> TokenStream {
    let (mut cx, rest) = Cx::from_wrapped(input.into());
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut cx, rest)));
    match result {
        Ok(out) if position == Position::Expression && cx.has_errors() => {
            let out = cx.finish_errors_first(out);
            quote::quote!({ #out }).into()
        }
        Ok(out) => cx.finish(out).into(),
        Err(_) => syn::Error::new(
            Span::call_site(),
            "goru: internal error in the macro; please report it with this input",
        )
        .into_compile_error()
        .into(),
    }
}

#[doc(hidden)]
#[proc_macro]
pub fn goru_impl(input: TokenStream) -> TokenStream {
    guarded(input, Position::Statements, goru::expand)
}

#[doc(hidden)]
#[proc_macro]
pub fn go_impl(input: TokenStream) -> TokenStream {
    guarded(input, Position::Expression, |cx, t| {
        go::expand(cx, t, Span::call_site())
    })
}

#[doc(hidden)]
#[proc_macro]
pub fn select_impl(input: TokenStream) -> TokenStream {
    guarded(input, Position::Expression, |cx, t| {
        let arms = select::parse(cx, t);
        select::expand(cx, arms, Span::call_site())
    })
}

#[doc(hidden)]
#[proc_macro]
pub fn defer_impl(input: TokenStream) -> TokenStream {
    guarded(input, Position::Statements, |cx, t| {
        defer::expand_scoped(cx, t, Span::call_site())
    })
}

#[doc(hidden)]
#[proc_macro]
pub fn chan_impl(input: TokenStream) -> TokenStream {
    guarded(input, Position::Expression, |cx, t| {
        chan::expand(cx, t, Span::call_site())
    })
}

/// Runs `main` as goroutine 1 of a goru runtime (GOMAXPROCS workers); the
/// process exits when it returns, as a Go program does.
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::expand_attribute(entry::Kind::Main, args.into(), item.into()).into()
}

/// Runs a test as goroutine 1 of its own runtime; fails on a panic in any
/// of its goroutines, on deadlock, and on goroutines still alive at its end.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::expand_attribute(entry::Kind::Test, args.into(), item.into()).into()
}
