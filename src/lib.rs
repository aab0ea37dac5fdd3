//! goru: Go's concurrency, in Go's own syntax, inside Rust.
//!
//! ```
//! use goru::prelude::*;
//!
//! goru! {
//!     fn demo() {
//!         goru::run(|| {
//!             let results = chan![i32];
//!             for w in 1..=3 {
//!                 go!(square(w, results.sender()));
//!             }
//!             let mut total = 0;
//!             for _ in 1..=3 {
//!                 total += (<-results).unwrap();
//!             }
//!             assert_eq!(total, 1 + 4 + 9);
//!         })
//!     }
//!
//!     fn square(n: i32, out: Sender<i32>) {
//!         out <- n * n;
//!     }
//! }
//! # demo();
//! ```
//!
//! Go's operators (`ch <- v`, `<-ch`) work inside `goru! { }`, `go!`,
//! `select!` and `defer!`; everywhere else the method forms (`send`,
//! `recv`) do the same. See the book for the whole language.

pub use goru_runtime::*;

/// Attribute: runs `main` as goroutine 1 of a goru runtime; the process
/// exits when it returns, as a Go program does.
pub use goru_macros::main;
/// Attribute: runs a test as goroutine 1 of its own runtime, failing on
/// panics, deadlock and goroutines left running.
pub use goru_macros::test;

/// What `use goru::prelude::*;` brings: the macros, channel types,
/// `recover`, and `time` with Go's duration helpers.
pub mod prelude {
    pub use crate::sync::{self, WaitGroup};
    pub use crate::time::{self, ms, secs};
    pub use crate::{
        Chan, JoinHandle, Receiver, Recovered, Sender, blocking, chan, defer, go, goru, recover,
        select, spawn,
    };
    pub use crate::{context, errgroup};
}

/// Go's syntax for a block of items: in every function inside, `ch <- v`
/// sends, `<-ch` receives, and `defer!` / `recover()` are function-scoped
/// as in Go. `#[goru::main]` and `#[goru::test]` work on its functions.
#[macro_export]
macro_rules! goru {
    ($($tokens:tt)*) => { $crate::__private::goru_impl! { [$crate] $($tokens)* } };
}

/// `go!(f(x))` starts `f(x)` in a new goroutine, evaluating `f` and `x`
/// now (Go's rule); `go! { ... }` runs a block, moving what it captures.
#[macro_export]
macro_rules! go {
    ($($tokens:tt)*) => { $crate::__private::go_impl! { [$crate] $($tokens)* } };
}

/// `chan![T]` is `make(chan T)`, `chan![T; n]` is `make(chan T, n)`;
/// `chan![]` and `chan![; n]` infer the element type.
#[macro_export]
macro_rules! chan {
    ($($tokens:tt)*) => { $crate::__private::chan_impl! { [$crate] $($tokens)* } };
}

/// Go's `select`: arms `v = <-rx => { .. }`, `<-rx => { .. }`,
/// `tx <- value => { .. }` and `default => { .. }`.
#[macro_export]
macro_rules! select {
    ($($tokens:tt)*) => { $crate::__private::select_impl! { [$crate] $($tokens)* } };
}

/// Go's `defer`: `defer!(f(x))` evaluates `f` and `x` now and calls them
/// later; `defer! { ... }` runs a block later. Function-scoped (with
/// `recover()`) in `goru! {}` functions, block-scoped elsewhere.
#[macro_export]
macro_rules! defer {
    ($($tokens:tt)*) => { $crate::__private::defer_impl! { [$crate] $($tokens)* } };
}

/// What the macros expand to; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use goru_macros::{chan_impl, defer_impl, go_impl, goru_impl, select_impl};
    pub use goru_runtime::__private::*;
}
