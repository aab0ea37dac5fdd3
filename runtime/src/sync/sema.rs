//! Go's runtime semaphore (`runtime/sema.go`), which sync's Mutex, RwMutex
//! and WaitGroup park on: a count, and a FIFO of parked waiters that
//! `release` wakes one at a time. With `handoff`, the count is given to the
//! woken waiter directly, so no newcomer can take it first (the mutex's
//! starvation mode relies on that).

use std::cell::{Cell, UnsafeCell};
use std::panic::Location;

use crate::chan::waitq::{WaitQueue, Waiter};
use crate::sched::WaitReason;
use crate::sched::parking::{ExternalOp, Parking};
use crate::util::lock::RawLock;
use crate::util::prim::{AtomicU32, Ordering, const_fn_unless_loom, loom_seqcst_fence};

pub(crate) struct Sema {
    count: AtomicU32,
    /// Waiters queued or about to be: lets `release` skip the lock.
    waiting: AtomicU32,
    lock: RawLock,
    queue: UnsafeCell<WaitQueue>,
}

// SAFETY: `queue` is only touched with `lock` held; the waiters it links
// live on the stacks of parked callers, which stay put until dequeued.
unsafe impl Send for Sema {}
// SAFETY: as above.
unsafe impl Sync for Sema {}
// Its state stays consistent if a caller panics: a waiter is dequeued
// before it is woken, and no lock is held across user code.
impl std::panic::RefUnwindSafe for Sema {}
impl std::panic::UnwindSafe for Sema {}

impl Sema {
    const_fn_unless_loom! {
        pub(crate) const fn new(count: u32) -> Self {
            Sema {
                count: AtomicU32::new(count),
                waiting: AtomicU32::new(0),
                lock: RawLock::new(),
                queue: UnsafeCell::new(WaitQueue::new()),
            }
        }
    }

    #[inline]
    fn try_take(&self) -> bool {
        let mut v = self.count.load(Ordering::SeqCst);
        while v > 0 {
            match self
                .count
                .compare_exchange_weak(v, v - 1, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => return true,
                Err(now) => v = now,
            }
        }
        false
    }

    /// Takes one unit, parking until there is one. `lifo` queues the caller
    /// first (it has waited before).
    #[track_caller]
    pub(crate) fn acquire(&self, lifo: bool, reason: WaitReason) {
        self.acquire_at(lifo, reason, Location::caller());
    }

    /// `acquire`, with the blocked-at location for goroutine dumps given.
    pub(crate) fn acquire_at(
        &self,
        lifo: bool,
        reason: WaitReason,
        at: &'static Location<'static>,
    ) {
        if self.try_take() {
            return;
        }
        self.acquire_slow(lifo, reason, at);
    }

    #[cold]
    fn acquire_slow(&self, lifo: bool, reason: WaitReason, at: &'static Location<'static>) {
        let _op = ExternalOp::enter();
        loop {
            let parking = Parking::for_current();
            // Set by a handing-off `release`: the unit is ours already.
            let handed: Cell<bool> = Cell::new(false);
            let waiter = Waiter::new(&parking, false, 0, (&raw const handed).cast_mut().cast());
            self.lock.lock();
            self.waiting.fetch_add(1, Ordering::SeqCst);
            // Counted as waiting, then look at the count: `release` does the
            // reverse, so one of the two sees the other.
            loom_seqcst_fence();
            if self.try_take() {
                self.waiting.fetch_sub(1, Ordering::SeqCst);
                // SAFETY: locked above.
                unsafe { self.lock.unlock() };
                return;
            }
            // SAFETY: lock held; `waiter` stays on this stack until a
            // release dequeues it, which happens before it is woken.
            unsafe {
                let queue = &mut *self.queue.get();
                if lifo {
                    queue.push_front(&waiter);
                } else {
                    queue.push_back(&waiter);
                }
                self.lock.unlock();
            }
            let unwind = LeaveOnUnwind {
                sema: self,
                waiter: &waiter,
                handed: &handed,
            };
            parking.park(reason, at);
            std::mem::forget(unwind);
            if handed.get() || self.try_take() {
                return;
            }
        }
    }

    /// Adds one unit and wakes the first waiter, if any; with `handoff`,
    /// gives it the unit.
    pub(crate) fn release(&self, handoff: bool) {
        self.count.fetch_add(1, Ordering::SeqCst);
        loom_seqcst_fence();
        if self.waiting.load(Ordering::SeqCst) == 0 {
            return;
        }
        self.lock.lock();
        // SAFETY: lock held.
        let queue = unsafe { &mut *self.queue.get() };
        let Some(w) = queue.dequeue() else {
            // SAFETY: locked above.
            unsafe { self.lock.unlock() };
            return;
        };
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        if handoff && self.try_take() {
            // SAFETY: `elem` points at the waiter's `handed` flag, alive
            // until the waiter resumes, which needs the wake below.
            unsafe { (*w.elem.cast::<Cell<bool>>()).set(true) };
        }
        let wake = w.parking().prepare_wake();
        // SAFETY: locked above.
        unsafe { self.lock.unlock() };
        wake.wake();
    }
}

/// If the parked caller unwinds (a runtime shutting down unwinds its
/// parked goroutines): takes its waiter, which lives on the unwinding
/// stack, off the queue, and gives back a unit handed to it meanwhile.
/// Both under the lock, where `release` dequeues and hands units.
struct LeaveOnUnwind<'a> {
    sema: &'a Sema,
    waiter: &'a Waiter,
    handed: &'a Cell<bool>,
}

impl Drop for LeaveOnUnwind<'_> {
    fn drop(&mut self) {
        self.sema.lock.lock();
        // SAFETY: lock held; `remove` does nothing if `release` dequeued
        // the waiter first.
        let handed = unsafe {
            if self.waiter.is_queued() {
                (*self.sema.queue.get()).remove(self.waiter);
                self.sema.waiting.fetch_sub(1, Ordering::SeqCst);
            }
            let handed = self.handed.get();
            self.sema.lock.unlock();
            handed
        };
        if handed {
            self.sema.release(false);
        }
    }
}
