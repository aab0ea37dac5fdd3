//! goru: Go's concurrency, in Go's own syntax, inside Rust.
pub use goru_runtime::*;
