//! The scheduler: goroutine records, workers and their queues, park/unpark,
//! spawning, per-worker timers and Go's fatal errors. It knows nothing of
//! channels: the layers above reach it only through [`parking::Parking`],
//! the timer types and `spawn`.

pub(crate) mod context;
mod entry;
pub(crate) mod fatal;
mod idle;
mod inbox;
pub(crate) mod locals;
mod monitor;
pub(crate) mod netpoll;
pub(crate) mod oneshot;
pub(crate) mod parking;
pub(crate) mod runtime;
mod sigquit;
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
///
/// goru does not preempt: a long computation should call this now and then,
/// or the goroutines that started on its worker wait for it (the stall
/// monitor reports a goroutine that holds its worker too long).
///
/// ```
/// goru::run(|| {
///     let mut sum = 0u64;
///     for i in 0..1_000_000u64 {
///         sum += i;
///         if i % 10_000 == 0 {
///             goru::runtime::gosched();
///         }
///     }
///     assert_eq!(sum, 499_999_500_000);
/// });
/// ```
pub fn gosched() {
    match context::current_task_ref() {
        Some(task) => parking::suspend(task, task::Suspend::Yield),
        None => std::thread::yield_now(),
    }
}

/// Goroutines started and not yet returned in the current runtime (Go's
/// `runtime.NumGoroutine`; main counts).
///
/// ```
/// goru::run(|| assert_eq!(goru::runtime::num_goroutine(), 1));
/// ```
pub fn num_goroutine() -> usize {
    runtime::current_or_global().live_goroutines().max(0) as usize
}

/// How many workers of the current runtime may run new goroutines at once
/// (Go's `runtime.GOMAXPROCS(0)`): the worker count the runtime was built
/// with (`GOMAXPROCS` env, else one per CPU) unless [`set_gomaxprocs`]
/// lowered it.
///
/// ```
/// let n = goru::Builder::new().workers(2).build().block_on(goru::runtime::gomaxprocs);
/// assert_eq!(n, 2);
/// ```
pub fn gomaxprocs() -> usize {
    runtime::current_or_global()
        .active_workers
        .load(std::sync::atomic::Ordering::Relaxed)
}

/// Sets how many workers of the current runtime may run goroutines and
/// returns the previous setting (Go's `runtime.GOMAXPROCS(n)`); `n == 0`
/// only reads it, as in Go.
///
/// The runtime's worker threads are started when it is built, so `n` is
/// capped at that count ([`crate::Runtime::workers`]); to allow more, build
/// the runtime with more workers (`GOMAXPROCS` env or
/// [`Builder::workers`]).
///
/// Lowering the limit is immediate for goroutines that have not started:
/// workers above it start none (they hand new ones to the others) and take
/// no shared work. But a goroutine that has started never moves to another
/// thread — that is what keeps thread-locals and `!Send` values on its stack
/// sound — so goroutines already started on a worker above the limit keep
/// running there when they wake. Until they finish, more than `n` threads
/// may run goroutines; new goroutines all start on the first `n` workers.
///
/// ```
/// goru::Builder::new().workers(2).build().block_on(|| {
///     let previous = goru::runtime::set_gomaxprocs(1);
///     assert_eq!(previous, 2);
///     assert_eq!(goru::runtime::gomaxprocs(), 1);
///     assert_eq!(goru::spawn(|| 6 * 7).join().unwrap(), 42);
///     goru::runtime::set_gomaxprocs(previous);
/// });
/// ```
pub fn set_gomaxprocs(n: usize) -> usize {
    runtime::current_or_global().set_gomaxprocs(n)
}

/// A dump of every goroutine of the current runtime (Go's
/// `runtime.Stack(buf, true)`): for each, its id and state (`chan receive`,
/// `select`, `sleep`, ... with Go's `, N minutes` once it has waited that
/// long), where it waits and for how long, and where it was created. The
/// same dump is printed on a deadlock and, as in Go, on SIGQUIT (which then
/// exits with status 2).
///
/// ```
/// goru::run(|| {
///     let dump = goru::runtime::stack();
///     assert!(dump.starts_with("goroutine 1 [running]:"));
///     assert!(dump.contains("created at "));
/// });
/// ```
pub fn stack() -> String {
    fatal::dump(runtime::current_or_global())
}

/// The same as [`stack`]: a dump of every goroutine of the current runtime
/// (Go's `runtime.Stack(buf, true)`).
///
/// ```
/// goru::run(|| {
///     let dump = goru::runtime::stack_dump();
///     assert!(dump.starts_with("goroutine 1 [running]:"));
/// });
/// ```
pub fn stack_dump() -> String {
    stack()
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
