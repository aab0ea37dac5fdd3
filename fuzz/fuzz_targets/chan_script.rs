//! The channel runtime: a byte-coded script of channel operations checked
//! step by step against a sequential model, then producers and consumers
//! on a two-worker runtime checked for exactly-once, in-order delivery and
//! exactly-once drops (see `goru_fuzz::chan_script`).

#![no_main]

use std::sync::OnceLock;

use goru_fuzz::{chan_script, panics};
use libfuzzer_sys::fuzz_target;

/// One runtime for every input: starting workers per input would dwarf the
/// script.
static RUNTIME: OnceLock<goru::Runtime> = OnceLock::new();

fuzz_target!(
    init: {
        // The runtime installs its panic hook; ours goes on top of both.
        RUNTIME.get_or_init(chan_script::runtime);
        panics::install_hook();
    },
    |data: &[u8]| {
        let runtime = RUNTIME.get().expect("built in init");
        chan_script::run(runtime, data);
    }
);
