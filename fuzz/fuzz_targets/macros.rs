//! The macro front end: arbitrary tokens into every entry point, with no
//! guard, so an internal panic (which the proc macros would turn into a
//! "goru: internal error" compile error) crashes the fuzzer.
//!
//! Input: see `goru_fuzz::macro_input` (a header byte, then byte-coded
//! tokens biased toward goru's syntax, or source text). Seeds:
//! `fuzz/seeds/macros/`, the examples' `goru!` and `select!` bodies.

#![no_main]

use goru_fuzz::macro_input;
use libfuzzer_sys::{Corpus, fuzz_target};

fuzz_target!(|data: &[u8]| -> Corpus {
    match macro_input::decode(data) {
        Some(input) => {
            input.expand();
            Corpus::Keep
        }
        None => Corpus::Reject,
    }
});
