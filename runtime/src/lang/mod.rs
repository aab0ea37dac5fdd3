//! What the macros of `goru` expand to: channel operators, `go`, `select`
//! arms, `defer`/`recover`, and the `main`/`test` entry points. Reached by
//! generated code through the facade's `__private` module; `recover` and
//! `Recovered` are also public API.

pub(crate) mod defer;
pub(crate) mod entry;
pub(crate) mod ops;
