//! Expected panics ("close of closed channel", ...) are caught and their
//! message compared; any other panic must still crash the fuzzer, whose
//! hook aborts on every panic, caught or not. So the hook installed here
//! stays quiet only while the current thread expects a panic.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

thread_local! {
    static EXPECTING: Cell<bool> = const { Cell::new(false) };
}

/// Wraps the current hook (libFuzzer's, then the goru runtime's): call
/// once, after building the runtime, which installs its own.
pub fn install_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !EXPECTING.with(Cell::get) {
            previous(info);
        }
    }));
}

/// Runs `f`; `Err(message)` if it panicked. While it runs, a panic on this
/// thread does not reach the fuzzer's hook: the caller must check the
/// message (an unexpected one is a failure).
pub fn catch<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    let was = EXPECTING.with(|e| e.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    EXPECTING.with(|e| e.set(was));
    result.map_err(|payload| message(&*payload))
}

/// The text of a panic payload.
pub fn message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".to_string()
    }
}
