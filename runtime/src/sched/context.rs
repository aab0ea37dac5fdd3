//! What the current thread is: a worker of some runtime (and which), and
//! whether a goroutine is running on it. Const thread-locals, no destructors.

use std::cell::Cell;

use super::task::{Task, TaskRef};
use super::worker::WorkerContext;

thread_local! {
    static WORKER: Cell<*const WorkerContext> = const { Cell::new(std::ptr::null()) };
    static TASK: Cell<*const Task> = const { Cell::new(std::ptr::null()) };
}

pub(crate) fn set_worker(w: *const WorkerContext) {
    WORKER.with(|c| c.set(w));
}

pub(crate) fn set_task(t: *const Task) {
    TASK.with(|c| c.set(t));
}

/// The running goroutine, if any.
#[inline]
pub(crate) fn current_task() -> Option<*const Task> {
    let t = TASK.with(Cell::get);
    (!t.is_null()).then_some(t)
}

/// The running goroutine's record.
#[inline]
pub(crate) fn current_task_ref() -> Option<&'static Task> {
    // SAFETY: the pointer is set only while that task runs on this thread,
    // and a running task is alive; the 'static is never held past its run
    // by callers in this crate.
    current_task().map(|t| unsafe { &*t })
}

/// This thread's worker context, if it is a worker.
#[inline]
pub(crate) fn current_worker() -> Option<&'static WorkerContext> {
    let w = WORKER.with(Cell::get);
    // SAFETY: set by the worker thread to a context that outlives its loop
    // (and so every goroutine and timer callback run on it), cleared before
    // the context is dropped; callers use it only on this thread.
    (!w.is_null()).then(|| unsafe { &*w })
}

#[inline]
pub(crate) fn on_worker() -> bool {
    !WORKER.with(Cell::get).is_null()
}

/// Runs `f` with this thread's worker context, if it is a worker.
#[inline]
pub(crate) fn with_worker<R>(f: impl FnOnce(&WorkerContext) -> R) -> Option<R> {
    let w = WORKER.with(Cell::get);
    // SAFETY: set by the worker thread to a context that outlives its loop,
    // and cleared before the context is dropped.
    (!w.is_null()).then(|| f(unsafe { &*w }))
}

/// Makes a woken task runnable: on this worker if it is its home, else in
/// its home worker's inbox.
#[inline]
pub(crate) fn ready(task: TaskRef) {
    let home = task.home.load(std::sync::atomic::Ordering::Relaxed);
    let shared = task.shared;
    let task = match current_worker() {
        Some(w) => match w.ready_local(task, home, shared) {
            None => return,
            Some(t) => t,
        },
        None => task,
    };
    shared.push_inbox(home, task);
}
