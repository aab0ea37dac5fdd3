//! The Go syntax of goru: `goru! {}`, `go!`, `chan!`, `select!`, `defer!`,
//! the `<-` operator and `#[goru::main]` / `#[goru::test]`.
//!
//! Use these through the `goru` crate: its `macro_rules!` wrappers pass
//! `$crate` as the first token group, so generated code reaches the runtime
//! as `$crate::__private::…` whatever the crate is called.
//!
//! This crate only converts tokens: the expansions live in
//! `goru-macros-core`, a plain library that tests and fuzz targets can call.

use goru_macros_core::{Attribute, Macro};
use proc_macro::TokenStream;

fn function_like(mac: Macro, input: TokenStream) -> TokenStream {
    goru_macros_core::expand(mac, input.into()).into()
}

fn attribute(attr: Attribute, args: TokenStream, item: TokenStream) -> TokenStream {
    goru_macros_core::expand_attribute(attr, args.into(), item.into()).into()
}

#[doc(hidden)]
#[proc_macro]
pub fn goru_impl(input: TokenStream) -> TokenStream {
    function_like(Macro::Goru, input)
}

#[doc(hidden)]
#[proc_macro]
pub fn go_impl(input: TokenStream) -> TokenStream {
    function_like(Macro::Go, input)
}

#[doc(hidden)]
#[proc_macro]
pub fn select_impl(input: TokenStream) -> TokenStream {
    function_like(Macro::Select, input)
}

#[doc(hidden)]
#[proc_macro]
pub fn defer_impl(input: TokenStream) -> TokenStream {
    function_like(Macro::Defer, input)
}

#[doc(hidden)]
#[proc_macro]
pub fn chan_impl(input: TokenStream) -> TokenStream {
    function_like(Macro::Chan, input)
}

/// Runs `main` as goroutine 1 of a goru runtime (GOMAXPROCS workers); the
/// process exits when it returns, as a Go program does.
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute(Attribute::Main, args, item)
}

/// Runs a test as goroutine 1 of its own runtime; fails on a panic in any
/// of its goroutines, on deadlock, and on goroutines still alive at its end.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute(Attribute::Test, args, item)
}
