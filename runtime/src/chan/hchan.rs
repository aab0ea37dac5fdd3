//! The channel itself, after Go's `hchan`: a lock, a ring buffer of `cap`
//! elements, and queues of parked receivers and senders. A sender that finds
//! a parked receiver hands its value straight to it (no buffer round trip);
//! a receiver that finds a parked sender on a full buffer takes the head and
//! moves the sender's value into the tail, so FIFO order holds.

use std::cell::UnsafeCell;
use std::collections::VecDeque;
use std::panic::Location;

use super::waitq::{WaitQueue, Waiter};
use crate::sched::WaitReason;
use crate::sched::parking::{ExternalOp, Parking, Wake};
use crate::util::lock::RawLock;

pub(crate) struct State<T> {
    buf: VecDeque<T>,
    closed: bool,
    pub(crate) recvq: WaitQueue,
    pub(crate) sendq: WaitQueue,
}

pub(crate) struct Hchan<T> {
    lock: RawLock,
    cap: usize,
    state: UnsafeCell<State<T>>,
}

// SAFETY: `state` is only touched with `lock` held; values of T move between
// threads through it, hence T: Send.
unsafe impl<T: Send> Send for Hchan<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Hchan<T> {}

/// Outcome of a receive attempt with the lock held.
pub(crate) enum RecvAttempt<T> {
    /// A value, or `None` when closed and drained; wake the sender after
    /// unlocking, if any.
    Done(Option<T>, Option<Wake>),
    WouldBlock,
}

/// Outcome of a send attempt with the lock held.
pub(crate) enum SendAttempt<T> {
    Done(Option<Wake>),
    Full(T),
    Closed(T),
}

impl<T> Hchan<T> {
    pub(crate) fn new(cap: usize) -> Self {
        Hchan {
            lock: RawLock::new(),
            cap,
            state: UnsafeCell::new(State {
                buf: VecDeque::with_capacity(cap),
                closed: false,
                recvq: WaitQueue::new(),
                sendq: WaitQueue::new(),
            }),
        }
    }

    pub(crate) fn cap(&self) -> usize {
        self.cap
    }

    #[inline]
    pub(crate) fn lock(&self) {
        self.lock.lock();
    }

    /// The channel's lock, for select (which locks several channels in
    /// address order).
    pub(crate) fn raw_lock(&self) -> &RawLock {
        &self.lock
    }

    /// # Safety
    /// The caller holds the lock.
    #[inline]
    pub(crate) unsafe fn unlock(&self) {
        // SAFETY: forwarded contract.
        unsafe { self.lock.unlock() };
    }

    /// # Safety
    /// The caller holds the lock, and drops the reference before unlocking.
    #[inline]
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn state(&self) -> &mut State<T> {
        // SAFETY: exclusive access is guaranteed by the lock.
        unsafe { &mut *self.state.get() }
    }

    /// # Safety
    /// The caller holds the lock.
    #[inline]
    pub(crate) unsafe fn try_recv_locked(&self) -> RecvAttempt<T> {
        // SAFETY: lock held.
        let st = unsafe { self.state() };
        if let Some(w) = st.sendq.dequeue() {
            // SAFETY: a queued sender's elem is its `Option<T>` slot, holding
            // the value; it stays valid until we wake it.
            let sent =
                unsafe { (*w.elem.cast::<Option<T>>()).take() }.expect("parked sender has a value");
            let v = if self.cap == 0 {
                sent
            } else {
                // Full buffer: take the head, the sender's value joins the tail.
                let head = st
                    .buf
                    .pop_front()
                    .expect("a sender waits only on a full buffer");
                st.buf.push_back(sent);
                head
            };
            w.success.set(true);
            return RecvAttempt::Done(Some(v), Some(w.parking().prepare_wake()));
        }
        if let Some(v) = st.buf.pop_front() {
            return RecvAttempt::Done(Some(v), None);
        }
        if st.closed {
            return RecvAttempt::Done(None, None);
        }
        RecvAttempt::WouldBlock
    }

    /// # Safety
    /// The caller holds the lock.
    #[inline]
    pub(crate) unsafe fn try_send_locked(&self, v: T) -> SendAttempt<T> {
        // SAFETY: lock held.
        let st = unsafe { self.state() };
        if st.closed {
            return SendAttempt::Closed(v);
        }
        if let Some(w) = st.recvq.dequeue() {
            // SAFETY: a queued receiver's elem is its empty `Option<T>` slot,
            // valid until we wake it.
            unsafe { *w.elem.cast::<Option<T>>() = Some(v) };
            w.success.set(true);
            return SendAttempt::Done(Some(w.parking().prepare_wake()));
        }
        if st.buf.len() < self.cap {
            st.buf.push_back(v);
            return SendAttempt::Done(None);
        }
        SendAttempt::Full(v)
    }

    pub(crate) fn try_recv(&self) -> RecvAttempt<T> {
        let _op = ExternalOp::enter();
        self.lock();
        // SAFETY: lock held, then released once.
        let r = unsafe { self.try_recv_locked() };
        // SAFETY: we hold the lock.
        unsafe { self.unlock() };
        if let RecvAttempt::Done(_, Some(_)) = &r {
            let RecvAttempt::Done(v, Some(w)) = r else {
                unreachable!()
            };
            w.wake();
            return RecvAttempt::Done(v, None);
        }
        r
    }

    pub(crate) fn try_send(&self, v: T) -> SendAttempt<T> {
        let _op = ExternalOp::enter();
        self.lock();
        // SAFETY: lock held, then released once.
        let r = unsafe { self.try_send_locked(v) };
        // SAFETY: we hold the lock.
        unsafe { self.unlock() };
        if let SendAttempt::Done(Some(_)) = &r {
            let SendAttempt::Done(Some(w)) = r else {
                unreachable!()
            };
            w.wake();
            return SendAttempt::Done(None);
        }
        r
    }

    /// Blocking receive: `None` once closed and drained.
    #[inline]
    pub(crate) fn recv(&self, at: &'static Location<'static>) -> Option<T> {
        let _op = ExternalOp::enter();
        self.lock();
        // SAFETY: lock held.
        match unsafe { self.try_recv_locked() } {
            RecvAttempt::Done(v, wake) => {
                // SAFETY: we hold the lock.
                unsafe { self.unlock() };
                if let Some(w) = wake {
                    w.wake();
                }
                v
            }
            RecvAttempt::WouldBlock => self.recv_slow(at),
        }
    }

    #[inline(never)]
    fn recv_slow(&self, at: &'static Location<'static>) -> Option<T> {
        let slot: UnsafeCell<Option<T>> = UnsafeCell::new(None);
        let parking = Parking::for_current();
        let waiter = Waiter::new(&parking, false, 0, slot.get().cast());
        // SAFETY: lock held (taken by `recv`); the waiter lives in this frame
        // until it is dequeued by a waker or by the guard below.
        unsafe {
            self.state().recvq.push_back(&waiter);
            self.unlock();
        }
        let guard = DequeueOnUnwind {
            chan: self,
            waiter: &waiter,
            recv: true,
        };
        parking.park(WaitReason::ChanReceive, at);
        std::mem::forget(guard);
        slot.into_inner()
    }

    /// Blocking send: gives the value back if the channel is (or gets) closed.
    #[inline]
    pub(crate) fn send(&self, v: T, at: &'static Location<'static>) -> Result<(), T> {
        let _op = ExternalOp::enter();
        self.lock();
        // SAFETY: lock held.
        match unsafe { self.try_send_locked(v) } {
            SendAttempt::Done(wake) => {
                // SAFETY: we hold the lock.
                unsafe { self.unlock() };
                if let Some(w) = wake {
                    w.wake();
                }
                Ok(())
            }
            SendAttempt::Closed(v) => {
                // SAFETY: we hold the lock.
                unsafe { self.unlock() };
                Err(v)
            }
            SendAttempt::Full(v) => self.send_slow(v, at),
        }
    }

    #[inline(never)]
    fn send_slow(&self, v: T, at: &'static Location<'static>) -> Result<(), T> {
        let slot: UnsafeCell<Option<T>> = UnsafeCell::new(Some(v));
        let parking = Parking::for_current();
        let waiter = Waiter::new(&parking, false, 0, slot.get().cast());
        // SAFETY: lock held (taken by `send`); see recv_slow.
        unsafe {
            self.state().sendq.push_back(&waiter);
            self.unlock();
        }
        let guard = DequeueOnUnwind {
            chan: self,
            waiter: &waiter,
            recv: false,
        };
        parking.park(WaitReason::ChanSend, at);
        std::mem::forget(guard);
        if waiter.success.get() {
            Ok(())
        } else {
            Err(slot
                .into_inner()
                .expect("a sender woken by close keeps its value"))
        }
    }

    /// Closes the channel: parked receivers get `None`, parked senders their
    /// value back. Panics (Go's message) if already closed.
    #[track_caller]
    pub(crate) fn close(&self) {
        let _op = ExternalOp::enter();
        self.lock();
        // SAFETY: lock held until the unlock below.
        let st = unsafe { self.state() };
        if st.closed {
            // SAFETY: we hold the lock.
            unsafe { self.unlock() };
            panic!("close of closed channel");
        }
        st.closed = true;
        let mut wakes = Vec::new();
        while let Some(w) = st.recvq.dequeue() {
            w.success.set(false);
            wakes.push(w.parking().prepare_wake());
        }
        while let Some(w) = st.sendq.dequeue() {
            w.success.set(false);
            wakes.push(w.parking().prepare_wake());
        }
        // SAFETY: we hold the lock.
        unsafe { self.unlock() };
        for w in wakes {
            w.wake();
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.lock();
        // SAFETY: lock held, then released.
        unsafe {
            let n = self.state().buf.len();
            self.unlock();
            n
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.lock();
        // SAFETY: lock held, then released.
        unsafe {
            let c = self.state().closed;
            self.unlock();
            c
        }
    }
}

/// Unlinks a parked waiter if its caller unwinds instead of being woken
/// (the runtime unwinding a parked goroutine at shutdown).
struct DequeueOnUnwind<'a, T> {
    chan: &'a Hchan<T>,
    waiter: &'a Waiter,
    recv: bool,
}

impl<T> Drop for DequeueOnUnwind<'_, T> {
    fn drop(&mut self) {
        self.chan.lock();
        // SAFETY: lock held; the waiter was pushed on this queue.
        unsafe {
            let st = self.chan.state();
            if self.recv {
                st.recvq.remove(self.waiter);
            } else {
                st.sendq.remove(self.waiter);
            }
            self.chan.unlock();
        }
    }
}
