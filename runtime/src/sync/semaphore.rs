//! `sync::Semaphore`: a weighted semaphore, like
//! golang.org/x/sync/semaphore: FIFO, so a large request is not starved by
//! a stream of small ones.

use std::cell::{Cell, UnsafeCell};
use std::fmt;
use std::panic::Location;

use crate::chan::waitq::{WaitQueue, Waiter};
use crate::sched::WaitReason;
use crate::sched::parking::{ExternalOp, Parking};
use crate::util::lock::RawLock;

struct State {
    held: u64,
    waiters: WaitQueue,
}

/// A weighted semaphore (Go's `semaphore.Weighted`): `acquire(n)` parks
/// until `n` units are free; waiters are served in arrival order.
///
/// ```
/// use std::sync::Arc;
/// use goru::sync::{Semaphore, WaitGroup};
///
/// goru::run(|| {
///     let sem = Arc::new(Semaphore::new(2));     // at most 2 at once
///     let wg = WaitGroup::new();
///     for _ in 0..5 {
///         let (sem, wg) = (sem.clone(), wg.clone());
///         wg.add(1);
///         goru::go(move || {
///             sem.acquire(1);
///             // ... limited work ...
///             sem.release(1);
///             wg.done();
///         });
///     }
///     wg.wait();
/// });
/// ```
pub struct Semaphore {
    size: u64,
    lock: RawLock,
    state: UnsafeCell<State>,
}

// SAFETY: `state` is only touched with `lock` held.
unsafe impl Send for Semaphore {}
// SAFETY: as above.
unsafe impl Sync for Semaphore {}
// Its state stays consistent if a caller panics: a waiter is dequeued
// before it is woken, and no lock is held across user code.
impl std::panic::RefUnwindSafe for Semaphore {}
impl std::panic::UnwindSafe for Semaphore {}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("size", &self.size)
            .finish()
    }
}

/// A waiter's request, on its stack.
struct Request {
    weight: u64,
    granted: Cell<bool>,
}

impl Semaphore {
    crate::util::prim::const_fn_unless_loom! {
        /// A semaphore with `size` units, all free.
        ///
        /// Go: `semaphore.NewWeighted(size)`.
        ///
        /// ```
        /// use goru::sync::Semaphore;
        ///
        /// static DB_CONNS: Semaphore = Semaphore::new(4);   // usable in a `static`
        /// assert!(DB_CONNS.try_acquire(4));
        /// assert!(!DB_CONNS.try_acquire(1));
        /// DB_CONNS.release(4);
        /// ```
        pub const fn new(size: u64) -> Self {
            Semaphore {
                size,
                lock: RawLock::new(),
                state: UnsafeCell::new(State {
                    held: 0,
                    waiters: WaitQueue::new(),
                }),
            }
        }
    }

    /// Takes `n` units, parking until they are free (Go's `Acquire`).
    /// Panics if `n` exceeds the semaphore's size, which could never be
    /// granted.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use goru::sync::Semaphore;
    ///
    /// goru::run(|| {
    ///     let sem = Arc::new(Semaphore::new(3));
    ///     sem.acquire(3);                    // sem.Acquire(ctx, 3): all units
    ///     let s = sem.clone();
    ///     let h = goru::spawn(move || {
    ///         s.acquire(2);                  // parks until the units come back
    ///         s.release(2);
    ///     });
    ///     sem.release(3);
    ///     h.join().unwrap();
    ///     assert!(sem.try_acquire(3));
    /// });
    /// ```
    #[track_caller]
    pub fn acquire(&self, n: u64) {
        assert!(
            n <= self.size,
            "semaphore: acquire of {n} units from a semaphore of size {}",
            self.size
        );
        let at = Location::caller();
        self.lock.lock();
        // SAFETY: lock held.
        let state = unsafe { &mut *self.state.get() };
        if self.size - state.held >= n && state.waiters.is_empty() {
            state.held += n;
            // SAFETY: locked above.
            unsafe { self.lock.unlock() };
            return;
        }
        let _op = ExternalOp::enter();
        let parking = Parking::for_current();
        let request = Request {
            weight: n,
            granted: Cell::new(false),
        };
        let waiter = Waiter::new(&parking, false, 0, (&raw const request).cast_mut().cast());
        // SAFETY: lock held; `waiter` stays on this stack until a release
        // grants it and dequeues it, before waking it.
        unsafe {
            state.waiters.push_back(&waiter);
            self.lock.unlock();
        }
        let unwind = LeaveOnUnwind {
            sem: self,
            waiter: &waiter,
            request: &request,
        };
        parking.park(WaitReason::SyncWait, at);
        std::mem::forget(unwind);
        debug_assert!(request.granted.get());
    }

    /// Takes `n` units only if they are free now and nobody waits (Go's
    /// `TryAcquire`).
    ///
    /// ```
    /// use goru::sync::Semaphore;
    ///
    /// let sem = Semaphore::new(2);
    /// assert!(sem.try_acquire(2));           // sem.TryAcquire(2)
    /// assert!(!sem.try_acquire(1));          // none left: don't wait
    /// sem.release(1);
    /// assert!(sem.try_acquire(1));
    /// ```
    pub fn try_acquire(&self, n: u64) -> bool {
        self.lock.lock();
        // SAFETY: lock held.
        let state = unsafe { &mut *self.state.get() };
        let ok = self.size - state.held >= n && state.waiters.is_empty();
        if ok {
            state.held += n;
        }
        // SAFETY: locked above.
        unsafe { self.lock.unlock() };
        ok
    }

    /// Gives back `n` units and grants waiters in order while they fit
    /// (Go's `Release`). Panics when releasing more than is held.
    ///
    /// ```
    /// use goru::sync::Semaphore;
    ///
    /// let sem = Semaphore::new(5);
    /// sem.acquire(5);
    /// sem.release(2);                        // sem.Release(2)
    /// assert!(sem.try_acquire(2));
    /// assert!(!sem.try_acquire(1));
    /// ```
    pub fn release(&self, n: u64) {
        let mut wakes = Vec::new();
        self.lock.lock();
        // SAFETY: lock held.
        let state = unsafe { &mut *self.state.get() };
        if n > state.held {
            // SAFETY: locked above.
            unsafe { self.lock.unlock() };
            panic!("semaphore: released more than held");
        }
        state.held -= n;
        while let Some(w) = state.waiters.front() {
            // SAFETY: `elem` points at the waiter's `Request`, alive while
            // it is queued.
            let request = unsafe { &*w.elem.cast::<Request>() };
            if self.size - state.held < request.weight {
                // FIFO: the first waiter blocks the ones behind it.
                break;
            }
            state.held += request.weight;
            request.granted.set(true);
            let w = state.waiters.dequeue().expect("front exists");
            wakes.push(w.parking().prepare_wake());
        }
        // SAFETY: locked above.
        unsafe { self.lock.unlock() };
        for w in wakes {
            w.wake();
        }
    }
}

/// If the parked caller unwinds (runtime shutdown): takes its waiter off
/// the queue and gives back units granted to it meanwhile, under the lock
/// where `release` grants them.
struct LeaveOnUnwind<'a> {
    sem: &'a Semaphore,
    waiter: &'a Waiter,
    request: &'a Request,
}

impl Drop for LeaveOnUnwind<'_> {
    fn drop(&mut self) {
        self.sem.lock.lock();
        // SAFETY: lock held; `remove` does nothing if `release` dequeued
        // the waiter first.
        let granted = unsafe {
            (*self.sem.state.get()).waiters.remove(self.waiter);
            let granted = self.request.granted.get();
            self.sem.lock.unlock();
            granted
        };
        if granted {
            self.sem.release(self.request.weight);
        }
    }
}
