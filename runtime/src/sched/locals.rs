//! Per-goroutine state of the language layer (defer and recover): which
//! deferred call is running and the latest panic's message. It lives in the
//! goroutine record, not in a thread-local, because the goroutines of one
//! worker interleave on its thread; plain threads use a thread-local.

use std::cell::{Cell, RefCell};

use super::context;

pub(crate) struct GoroutineLocals {
    /// Bumped by the panic hook at every panic of this goroutine, so a defer
    /// frame can tell its own body's unwinding from an outer one.
    pub(crate) panic_seq: Cell<u64>,
    /// The message of this goroutine's latest panic, for `recover()`.
    pub(crate) panic_message: RefCell<Option<String>>,
    /// The defer frame whose deferred call is running (for `recover()`), or
    /// null. Type-erased: only `lang::defer` reads it.
    pub(crate) deferring: Cell<*const ()>,
}

impl GoroutineLocals {
    pub(crate) const fn new() -> Self {
        GoroutineLocals {
            panic_seq: Cell::new(0),
            panic_message: RefCell::new(None),
            deferring: Cell::new(std::ptr::null()),
        }
    }
}

thread_local! {
    static THREAD_LOCALS: GoroutineLocals = const { GoroutineLocals::new() };
}

/// Runs `f` with the running goroutine's locals, or the thread's.
pub(crate) fn with_locals<R>(f: impl FnOnce(&GoroutineLocals) -> R) -> R {
    match context::current_task_ref() {
        Some(task) => f(&task.locals),
        None => THREAD_LOCALS.with(f),
    }
}
