//! A single-value handoff that parks the receiver: what `JoinHandle` and
//! `blocking` wait on.

use std::cell::UnsafeCell;
use std::panic::Location;

use super::parking::{ExternalOp, Parking};
use super::task::WaitReason;
use crate::util::lock::RawLock;

pub(crate) struct Oneshot<T> {
    lock: RawLock,
    value: UnsafeCell<Option<T>>,
    waiter: UnsafeCell<*const Parking>,
}

// SAFETY: `value` and `waiter` are only touched with `lock` held; values of
// T cross threads, hence T: Send.
unsafe impl<T: Send> Sync for Oneshot<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Send for Oneshot<T> {}

impl<T> std::fmt::Debug for Oneshot<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Oneshot")
    }
}

impl<T> Oneshot<T> {
    pub(crate) fn new() -> Self {
        Oneshot {
            lock: RawLock::new(),
            value: UnsafeCell::new(None),
            waiter: UnsafeCell::new(std::ptr::null()),
        }
    }

    pub(crate) fn send(&self, v: T) {
        self.lock.lock();
        // SAFETY: lock held; a registered waiter stays valid until woken.
        let wake = unsafe {
            *self.value.get() = Some(v);
            let w = std::mem::replace(&mut *self.waiter.get(), std::ptr::null());
            let wake = (!w.is_null()).then(|| (*w).prepare_wake());
            self.lock.unlock();
            wake
        };
        if let Some(w) = wake {
            w.wake();
        }
    }

    pub(crate) fn is_ready(&self) -> bool {
        self.lock.lock();
        // SAFETY: lock held.
        unsafe {
            let ready = (*self.value.get()).is_some();
            self.lock.unlock();
            ready
        }
    }

    /// Waits for the value. Only one receiver may wait at a time.
    pub(crate) fn recv(&self, reason: WaitReason, at: &'static Location<'static>) -> T {
        let _op = ExternalOp::enter();
        self.lock.lock();
        // SAFETY: lock held.
        if let Some(v) = unsafe { (*self.value.get()).take() } {
            // SAFETY: we hold the lock.
            unsafe { self.lock.unlock() };
            return v;
        }
        let parking = Parking::for_current();
        // SAFETY: lock held; the guard below unregisters `parking` if we
        // unwind while parked, so the pointer never dangles.
        unsafe {
            *self.waiter.get() = &parking;
            self.lock.unlock();
        }
        let guard = Unregister {
            once: self,
            parking: &parking,
        };
        parking.park(reason, at);
        std::mem::forget(guard);
        self.lock.lock();
        // SAFETY: lock held; the sender stored the value before waking us.
        unsafe {
            let v = (*self.value.get()).take();
            self.lock.unlock();
            v.expect("oneshot woken without a value")
        }
    }
}

struct Unregister<'a, T> {
    once: &'a Oneshot<T>,
    parking: &'a Parking,
}

impl<T> Drop for Unregister<'_, T> {
    fn drop(&mut self) {
        self.once.lock.lock();
        // SAFETY: lock held.
        unsafe {
            if std::ptr::eq(*self.once.waiter.get(), self.parking) {
                *self.once.waiter.get() = std::ptr::null();
            }
            self.once.lock.unlock();
        }
    }
}
