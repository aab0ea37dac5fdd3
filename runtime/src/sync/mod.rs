//! Go's `sync` package for goroutines: `Mutex`, `RwMutex`, `WaitGroup`,
//! `Once` (and `OnceCell`, `Lazy`), `Cond` and a weighted `Semaphore`.
//! Every wait parks the goroutine, never its worker thread, and each type
//! also works from plain OS threads (which then block). Locks hand out
//! guards that unlock when dropped, where Go writes `defer mu.Unlock()`.

mod cond;
#[cfg(all(test, loom))]
mod loom_tests;
mod mutex;
mod once;
mod rwmutex;
mod sema;
mod semaphore;
mod waitgroup;

pub use cond::Cond;
pub use mutex::{Mutex, MutexGuard};
pub use once::{Lazy, Once, OnceCell};
pub use rwmutex::{RwMutex, RwMutexReadGuard, RwMutexWriteGuard};
pub use semaphore::Semaphore;
pub use waitgroup::WaitGroup;

/// Go's `sync/atomic`: Rust's own atomics, re-exported. Go's
/// `atomic.Int64` is [`AtomicI64`](atomic::AtomicI64); `x.Add(1)` is
/// `x.fetch_add(1, Ordering::SeqCst)` (Go's atomics are sequentially
/// consistent, so `SeqCst` ports exactly); `x.Load()` / `x.Store(v)` are
/// `load` / `store`; `CompareAndSwap(old, new)` is `compare_exchange(old,
/// new, SeqCst, SeqCst).is_ok()`; `atomic.Pointer[T]` is `AtomicPtr<T>`
/// (or `Arc` swapping through a `Mutex`).
///
/// ```
/// use goru::sync::atomic::{AtomicI64, Ordering};
/// static HITS: AtomicI64 = AtomicI64::new(0);
/// HITS.fetch_add(1, Ordering::SeqCst);          // hits.Add(1)
/// assert_eq!(HITS.load(Ordering::SeqCst), 1);   // hits.Load()
/// ```
pub mod atomic {
    pub use std::sync::atomic::*;
}

/// Takes a parked caller's waiter off its queue if the caller unwinds
/// while parked (a runtime shutting down unwinds its parked goroutines):
/// the waiter lives on the unwinding stack, so no waker may reach it after.
pub(crate) struct LeaveQueueOnUnwind<'a> {
    lock: &'a crate::util::lock::RawLock,
    queue: *mut crate::chan::waitq::WaitQueue,
    waiter: &'a crate::chan::waitq::Waiter,
}

impl<'a> LeaveQueueOnUnwind<'a> {
    /// # Safety
    /// `queue` is guarded by `lock` and outlives this guard; `waiter` was
    /// queued on it (or on none).
    pub(crate) unsafe fn new(
        lock: &'a crate::util::lock::RawLock,
        queue: *mut crate::chan::waitq::WaitQueue,
        waiter: &'a crate::chan::waitq::Waiter,
    ) -> Self {
        LeaveQueueOnUnwind {
            lock,
            queue,
            waiter,
        }
    }

    /// The caller was woken normally: its waker already dequeued it.
    pub(crate) fn disarm(self) {
        std::mem::forget(self);
    }
}

impl Drop for LeaveQueueOnUnwind<'_> {
    fn drop(&mut self) {
        self.lock.lock();
        // SAFETY: lock held; `new`'s contract; `remove` does nothing if a
        // waker dequeued it first.
        unsafe {
            (*self.queue).remove(self.waiter);
            self.lock.unlock();
        }
    }
}
