//! `sync::Cond`: Go's condition variable, over a goru `Mutex` guard.

use std::cell::UnsafeCell;
use std::fmt;
use std::panic::Location;

use super::LeaveQueueOnUnwind;
use super::mutex::MutexGuard;
use crate::chan::waitq::{WaitQueue, Waiter};
use crate::sched::WaitReason;
use crate::sched::parking::{ExternalOp, Parking};
use crate::util::lock::RawLock;

/// Go's `sync.Cond`: goroutines wait for a condition on data behind a goru
/// [`Mutex`](super::Mutex) and are woken by `signal` (one) or `broadcast`
/// (all). As in Go, check the condition in a loop around `wait`.
///
/// ```
/// use std::sync::Arc;
/// use goru::sync::{Cond, Mutex};
///
/// goru::run(|| {
///     let state = Arc::new((Mutex::new(false), Cond::new()));
///     let s = state.clone();
///     goru::go(move || {
///         *s.0.lock() = true;
///         s.1.broadcast();                       // c.Broadcast()
///     });
///     let (ready, cond) = &*state;
///     let mut guard = ready.lock();              // c.L.Lock()
///     while !*guard {
///         guard = cond.wait(guard);              // c.Wait()
///     }
/// });
/// ```
pub struct Cond {
    lock: RawLock,
    waiters: UnsafeCell<WaitQueue>,
}

// SAFETY: `waiters` is only touched with `lock` held; the waiters live on
// the stacks of parked callers until dequeued.
unsafe impl Send for Cond {}
// SAFETY: as above.
unsafe impl Sync for Cond {}
// Its state stays consistent if a caller panics: a waiter is dequeued
// before it is woken, and no lock is held across user code.
impl std::panic::RefUnwindSafe for Cond {}
impl std::panic::UnwindSafe for Cond {}

impl fmt::Debug for Cond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cond")
    }
}

impl Default for Cond {
    fn default() -> Self {
        Self::new()
    }
}

impl Cond {
    crate::util::prim::const_fn_unless_loom! {
        /// A condition variable nobody waits on (Go's `sync.NewCond`; the
        /// mutex is given to each `wait` as its guard).
        ///
        /// ```
        /// use goru::sync::{Cond, Mutex};
        ///
        /// // c := sync.NewCond(&mu): here the pair lives side by side.
        /// let queue = Mutex::new(Vec::<u32>::new());
        /// let cond = Cond::new();
        /// queue.lock().push(1);
        /// cond.signal();                         // nobody waits: does nothing
        /// ```
        pub const fn new() -> Self {
            Cond {
                lock: RawLock::new(),
                waiters: UnsafeCell::new(WaitQueue::new()),
            }
        }
    }

    /// Unlocks the guard's mutex, parks until signalled, locks it again and
    /// returns the new guard (Go's `Wait`). The caller is queued before the
    /// mutex is released, so a signal sent after that cannot be missed.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use goru::sync::{Cond, Mutex};
    ///
    /// goru::run(|| {
    ///     let shared = Arc::new((Mutex::new(Vec::new()), Cond::new()));
    ///     let s = shared.clone();
    ///     goru::go(move || {
    ///         s.0.lock().push("job");
    ///         s.1.signal();
    ///     });
    ///     let (queue, cond) = &*shared;
    ///     let mut jobs = queue.lock();
    ///     while jobs.is_empty() {            // for len(jobs) == 0 { c.Wait() }
    ///         jobs = cond.wait(jobs);
    ///     }
    ///     assert_eq!(jobs.pop(), Some("job"));
    /// });
    /// ```
    #[track_caller]
    pub fn wait<'a, T: ?Sized>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        let at = Location::caller();
        let mutex = guard.mutex();
        let _op = ExternalOp::enter();
        let parking = Parking::for_current();
        let waiter = Waiter::new(&parking, false, 0, std::ptr::null_mut());
        self.lock.lock();
        // SAFETY: lock held; `waiter` stays on this stack until `signal` or
        // `broadcast` dequeues it, which happens before the wake-up.
        unsafe {
            (*self.waiters.get()).push_back(&waiter);
            self.lock.unlock();
        }
        // SAFETY: the queue is guarded by `lock` and lives in `self`.
        let leave = unsafe { LeaveQueueOnUnwind::new(&self.lock, self.waiters.get(), &waiter) };
        drop(guard);
        parking.park(WaitReason::SyncCondWait, at);
        leave.disarm();
        mutex.lock()
    }

    /// Parks while `condition` holds (the loop Go code writes around
    /// `Wait`).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use goru::sync::{Cond, Mutex};
    ///
    /// goru::run(|| {
    ///     let shared = Arc::new((Mutex::new(0), Cond::new()));
    ///     let s = shared.clone();
    ///     goru::go(move || {
    ///         for _ in 0..3 {
    ///             *s.0.lock() += 1;
    ///             s.1.signal();
    ///         }
    ///     });
    ///     let (count, cond) = &*shared;
    ///     // for count < 3 { c.Wait() }
    ///     let count = cond.wait_while(count.lock(), |n| *n < 3);
    ///     assert_eq!(*count, 3);
    /// });
    /// ```
    #[track_caller]
    pub fn wait_while<'a, T: ?Sized>(
        &self,
        mut guard: MutexGuard<'a, T>,
        mut condition: impl FnMut(&mut T) -> bool,
    ) -> MutexGuard<'a, T> {
        while condition(&mut *guard) {
            guard = self.wait(guard);
        }
        guard
    }

    /// Wakes one waiter, if any (Go's `Signal`).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use goru::sync::{Cond, Mutex};
    ///
    /// goru::run(|| {
    ///     let shared = Arc::new((Mutex::new(None), Cond::new()));
    ///     let s = shared.clone();
    ///     let waiter = goru::spawn(move || {
    ///         let (slot, cond) = &*s;
    ///         let slot = cond.wait_while(slot.lock(), |v| v.is_none());
    ///         slot.unwrap()
    ///     });
    ///     let (slot, cond) = &*shared;
    ///     *slot.lock() = Some(7);
    ///     cond.signal();                     // c.Signal()
    ///     assert_eq!(waiter.join().unwrap(), 7);
    /// });
    /// ```
    pub fn signal(&self) {
        self.wake(1);
    }

    /// Wakes every waiter (Go's `Broadcast`).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use goru::sync::{Cond, Mutex, WaitGroup};
    ///
    /// goru::run(|| {
    ///     let start = Arc::new((Mutex::new(false), Cond::new()));
    ///     let wg = WaitGroup::new();
    ///     for _ in 0..3 {
    ///         let (start, wg) = (start.clone(), wg.clone());
    ///         wg.add(1);
    ///         goru::go(move || {
    ///             let (go_flag, cond) = &*start;
    ///             drop(cond.wait_while(go_flag.lock(), |started| !*started));
    ///             wg.done();
    ///         });
    ///     }
    ///     *start.0.lock() = true;
    ///     start.1.broadcast();               // c.Broadcast(): wake all three
    ///     wg.wait();
    /// });
    /// ```
    pub fn broadcast(&self) {
        self.wake(usize::MAX);
    }

    fn wake(&self, mut n: usize) {
        let mut wakes = Vec::new();
        self.lock.lock();
        // SAFETY: lock held.
        let waiters = unsafe { &mut *self.waiters.get() };
        while n > 0 {
            let Some(w) = waiters.dequeue() else { break };
            wakes.push(w.parking().prepare_wake());
            n -= 1;
        }
        // SAFETY: locked above.
        unsafe { self.lock.unlock() };
        for w in wakes {
            w.wake();
        }
    }
}
