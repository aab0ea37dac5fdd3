//! The expansions behind goru's macros (`goru! {}`, `go!`, `chan!`,
//! `select!`, `defer!`, the `<-` operator and `#[goru::main]` /
//! `#[goru::test]`), on `proc_macro2` tokens.
//!
//! `goru-macros` is a thin proc-macro shim over this crate: a proc-macro
//! crate can export nothing but its macros, so the logic lives here, where
//! unit tests and fuzz targets can call it. Users depend on `goru`, never on
//! this crate.
//!
//! Each macro lives in its own module; parsing is split from expansion;
//! errors are `compile_error!`s on the offending token, emitted beside the
//! user's code.

use proc_macro2::{Span, TokenStream};

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

/// A function-like macro. Its input is what the `goru` facade's
/// `macro_rules!` wrapper passes: `[$crate] tokens` (`$crate` names the
/// facade in generated code; without the brackets, `::goru`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Macro {
    /// `goru! { items }`: Go's operators and function-scoped `defer!`.
    Goru,
    /// `go!(f(x))` / `go! { ... }`.
    Go,
    /// `select! { arms }`.
    Select,
    /// `defer!(f(x))` / `defer! { ... }` outside `goru! {}`.
    Defer,
    /// `chan![T; n]`.
    Chan,
}

impl Macro {
    /// Every function-like macro.
    pub const ALL: [Macro; 5] = [
        Macro::Goru,
        Macro::Go,
        Macro::Select,
        Macro::Defer,
        Macro::Chan,
    ];

    /// Where its expansion goes, which decides where errors are placed.
    fn position(self) -> Position {
        match self {
            Macro::Goru | Macro::Defer => Position::Statements,
            Macro::Go | Macro::Select | Macro::Chan => Position::Expression,
        }
    }
}

/// An attribute macro: `#[goru::main]` or `#[goru::test]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Attribute {
    /// `#[goru::main]`: `main` runs as goroutine 1.
    Main,
    /// `#[goru::test]`: the test runs as goroutine 1 of its own runtime.
    Test,
}

impl Attribute {
    /// Both attribute macros.
    pub const ALL: [Attribute; 2] = [Attribute::Main, Attribute::Test];

    fn kind(self) -> entry::Kind {
        match self {
            Attribute::Main => entry::Kind::Main,
            Attribute::Test => entry::Kind::Test,
        }
    }
}

/// Where a macro's expansion goes: its errors are placed to fit.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Position {
    /// Items or statements (`goru!`, `defer!`): errors follow the code.
    Statements,
    /// An expression (`go!`, `select!`, `chan!`): errors and code make one
    /// block, so the macro still works as an expression.
    Expression,
}

/// Expands a function-like macro. Never panics: an internal panic (a bug)
/// becomes a compile error asking for a report.
pub fn expand(mac: Macro, input: TokenStream) -> TokenStream {
    guarded(|| expand_unguarded(mac, input))
}

/// [`expand`] without the guard: an internal panic unwinds to the caller.
/// For tests and fuzzing, where a panic must be seen as the bug it is.
pub fn expand_unguarded(mac: Macro, input: TokenStream) -> TokenStream {
    let (mut cx, rest) = Cx::from_wrapped(input);
    let whole = Span::call_site();
    let out = match mac {
        Macro::Goru => goru::expand(&mut cx, rest),
        Macro::Go => go::expand(&mut cx, rest, whole),
        Macro::Select => {
            let arms = select::parse(&mut cx, rest);
            select::expand(&mut cx, arms, whole)
        }
        Macro::Defer => defer::expand_scoped(&mut cx, rest, whole),
        Macro::Chan => chan::expand(&mut cx, rest, whole),
    };
    if mac.position() == Position::Expression && cx.has_errors() {
        let out = cx.finish_errors_first(out);
        quote::quote!({ #out })
    } else {
        cx.finish(out)
    }
}

/// Expands an attribute macro on `item`; `args` are the attribute's
/// arguments (`crate = "path"`). Never panics, like [`expand`].
pub fn expand_attribute(attr: Attribute, args: TokenStream, item: TokenStream) -> TokenStream {
    guarded(|| expand_attribute_unguarded(attr, args, item))
}

/// [`expand_attribute`] without the guard, for tests and fuzzing.
pub fn expand_attribute_unguarded(
    attr: Attribute,
    args: TokenStream,
    item: TokenStream,
) -> TokenStream {
    entry::expand_attribute(attr.kind(), args, item)
}

/// Runs an expansion; an internal panic (a bug) becomes a compile error
/// instead of a macro crash.
fn guarded(f: impl FnOnce() -> TokenStream) -> TokenStream {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        syn::Error::new(
            Span::call_site(),
            "goru: internal error in the macro; please report it with this input",
        )
        .into_compile_error()
    })
}
