//! The scheduler: goroutine records, workers and their queues, park/unpark,
//! spawning, per-worker timers and Go's fatal errors. It knows nothing of
//! channels: the layers above reach it only through [`parking::Parking`],
//! the timer types and `spawn`.

pub(crate) mod context;
mod entry;
pub(crate) mod fatal;
mod inbox;
pub(crate) mod locals;
pub(crate) mod oneshot;
pub(crate) mod parking;
pub(crate) mod runtime;
pub(crate) mod spawn;
pub(crate) mod task;
pub(crate) mod timers;
mod worker;

pub use runtime::{Builder, DEFAULT_STACK_SIZE, PanicMode, Runtime, run};
pub use spawn::{JoinHandle, go, spawn};
pub use task::WaitReason;

use std::panic::Location;
use std::time::Duration;

/// Yields the worker to other goroutines (Go's `runtime.Gosched`); on a
/// plain thread, yields the thread.
pub fn gosched() {
    match context::current_task_ref() {
        Some(task) => parking::suspend(task, task::Suspend::Yield),
        None => std::thread::yield_now(),
    }
}

/// Goroutines started and not yet returned in the current runtime (Go's
/// `runtime.NumGoroutine`; main counts).
pub fn num_goroutine() -> usize {
    runtime::current_or_global().live_goroutines().max(0) as usize
}

/// Worker threads of the current runtime (Go's `runtime.GOMAXPROCS(0)`).
pub fn gomaxprocs() -> usize {
    runtime::current_or_global().workers.len()
}

/// A dump of every goroutine of the current runtime: id, state, where it is
/// blocked and where it was created.
pub fn stack_dump() -> String {
    fatal::dump(runtime::current_or_global())
}

/// Pauses the current goroutine for at least `d` (Go's `time.Sleep`): it
/// parks on its worker's timer heap. On a plain thread, sleeps the thread.
#[track_caller]
pub(crate) fn sleep(d: Duration) {
    let at = Location::caller();
    let Some(task) = context::current_task_ref() else {
        std::thread::sleep(d);
        return;
    };
    if d.is_zero() {
        gosched();
        return;
    }
    let when = crate::util::clock::deadline_after(d);
    // SAFETY: the running task is alive; the heap's reference keeps it so.
    let me = unsafe {
        std::sync::Arc::increment_strong_count(task as *const task::Task);
        std::sync::Arc::from_raw(task as *const task::Task)
    };
    task.shared.timer_heap_for_current().push_wake(when, me);
    parking::park_current_task(task, WaitReason::Sleep, at);
}
