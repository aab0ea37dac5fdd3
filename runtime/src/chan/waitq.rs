//! Waiters (Go's sudog) and the FIFO queues of them a channel keeps.
//!
//! A `Waiter` lives on the stack of the goroutine or thread it stands for,
//! which stays put while that caller is parked. Its links and flags are only
//! touched with the owning channel's lock held.

use std::cell::Cell;

use crate::sched::parking::Parking;

pub(crate) struct Waiter {
    prev: Cell<*const Waiter>,
    next: Cell<*const Waiter>,
    queued: Cell<bool>,
    pub(crate) parking: *const Parking,
    /// Part of a select: wakers must claim the parking first.
    pub(crate) is_select: bool,
    pub(crate) case_index: usize,
    /// `*mut Option<T>` of the channel's element type: where a receiver's
    /// value is written, or where a sender's value is taken from.
    pub(crate) elem: *mut (),
    /// Set by the waker: true if a value was transferred, false if woken by
    /// close.
    pub(crate) success: Cell<bool>,
}

impl Waiter {
    pub(crate) fn new(
        parking: &Parking,
        is_select: bool,
        case_index: usize,
        elem: *mut (),
    ) -> Waiter {
        Waiter {
            prev: Cell::new(std::ptr::null()),
            next: Cell::new(std::ptr::null()),
            queued: Cell::new(false),
            parking,
            is_select,
            case_index,
            elem,
            success: Cell::new(false),
        }
    }

    pub(crate) fn is_queued(&self) -> bool {
        self.queued.get()
    }

    pub(crate) fn parking(&self) -> &Parking {
        // SAFETY: the parking outlives every waiter that points at it (both
        // live in the same frame of the parked caller, parking first).
        unsafe { &*self.parking }
    }
}

/// An intrusive FIFO of waiters.
pub(crate) struct WaitQueue {
    head: *const Waiter,
    tail: *const Waiter,
}

impl WaitQueue {
    pub(crate) const fn new() -> Self {
        WaitQueue {
            head: std::ptr::null(),
            tail: std::ptr::null(),
        }
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.head.is_null()
    }

    /// # Safety
    /// `w` stays valid and in place until it is removed from the queue.
    pub(crate) unsafe fn push_back(&mut self, w: &Waiter) {
        w.prev.set(self.tail);
        w.next.set(std::ptr::null());
        w.queued.set(true);
        if self.tail.is_null() {
            self.head = w;
        } else {
            // SAFETY: queued waiters are valid (the caller's contract).
            unsafe { (*self.tail).next.set(w) };
        }
        self.tail = w;
    }

    /// Queues `w` first (a waiter that has waited before goes back to the
    /// front: Go's LIFO requeue in `semacquire`).
    ///
    /// # Safety
    /// `w` stays valid and in place until it is removed from the queue.
    pub(crate) unsafe fn push_front(&mut self, w: &Waiter) {
        w.prev.set(std::ptr::null());
        w.next.set(self.head);
        w.queued.set(true);
        if self.head.is_null() {
            self.tail = w;
        } else {
            // SAFETY: queued waiters are valid (the caller's contract).
            unsafe { (*self.head).prev.set(w) };
        }
        self.head = w;
    }

    /// The first waiter, still queued (sync's weighted semaphore looks
    /// before it takes).
    pub(crate) fn front(&self) -> Option<&Waiter> {
        // SAFETY: queued waiters are valid; the reference is used only while
        // the owner's lock is held.
        (!self.head.is_null()).then(|| unsafe { &*self.head })
    }

    /// Unlinks `w` if it is still queued here.
    ///
    /// # Safety
    /// `w` was pushed onto this queue (or onto none).
    pub(crate) unsafe fn remove(&mut self, w: &Waiter) {
        if !w.queued.get() {
            return;
        }
        let (prev, next) = (w.prev.get(), w.next.get());
        if prev.is_null() {
            self.head = next;
        } else {
            // SAFETY: neighbours of a queued waiter are queued, hence valid.
            unsafe { (*prev).next.set(next) };
        }
        if next.is_null() {
            self.tail = prev;
        } else {
            // SAFETY: as above.
            unsafe { (*next).prev.set(prev) };
        }
        w.queued.set(false);
        w.prev.set(std::ptr::null());
        w.next.set(std::ptr::null());
    }

    fn pop_front(&mut self) -> Option<&Waiter> {
        if self.head.is_null() {
            return None;
        }
        // SAFETY: queued waiters are valid; the returned reference is used
        // only while the channel lock is held.
        let w = unsafe { &*self.head };
        // SAFETY: `w` is queued here.
        unsafe { self.remove(w) };
        Some(w)
    }

    /// The first waiter that can be woken: select waiters whose select was
    /// already won by another case are dropped from the queue (Go's dequeue).
    #[inline]
    pub(crate) fn dequeue(&mut self) -> Option<&Waiter> {
        loop {
            let w = self.pop_front()?;
            if w.is_select && !w.parking().try_claim(w.case_index) {
                continue;
            }
            // The returned borrow is tied to the queue, not to `w`'s frame.
            // SAFETY: see pop_front.
            return Some(unsafe { &*(w as *const Waiter) });
        }
    }
}
