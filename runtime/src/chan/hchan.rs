//! The channel itself, after Go's `hchan`: a lock, a buffer of `cap`
//! elements, and queues of parked receivers and senders.
//!
//! Unbuffered channels do everything under the lock: a sender that finds a
//! parked receiver hands its value straight to it, and the other way round.
//!
//! Buffered channels keep their values in a lock-free ring (`ring.rs`): a
//! send or receive that needs no waiting never takes the lock. The lock
//! guards the waiter queues. While waiters are parked, flag bits in the ring
//! send newcomers of the same kind to the locked path, where the waker
//! completes parked operations in order, as Go does: a receive that frees a
//! slot moves the first parked sender's value into the ring, and a send into
//! a ring with parked receivers hands the oldest value to the first of them.
//! A lock-free operation that raced with a waiter parking checks the other
//! side's flag afterwards and settles under the lock, and a waiter re-checks
//! the ring after raising its flag, so no wake-up is lost.

use std::cell::UnsafeCell;
use std::panic::Location;

use super::ring::{Mode, Pop, Push, Ring};
use super::waitq::{WaitQueue, Waiter};
use crate::sched::WaitReason;
use crate::sched::parking::{ExternalOp, Parking, Wake};
use crate::util::lock::RawLock;
use crate::util::prim;

/// Where a parked operation's value waits: a receiver's empty slot that a
/// sender fills, or a sender's value that a receiver takes. It lives in the
/// parked caller's frame; its waiter points at it (type-erased, see
/// [`Slot::erase`]).
pub(crate) struct Slot<T>(prim::UnsafeCell<Option<T>>);

impl<T> Slot<T> {
    pub(crate) fn new(v: Option<T>) -> Self {
        Slot(prim::UnsafeCell::new(v))
    }

    /// The pointer a waiter keeps.
    pub(crate) fn erase(&self) -> *mut () {
        (self as *const Slot<T>).cast_mut().cast()
    }

    /// The value, by the slot's owner.
    pub(crate) fn get_mut(&mut self) -> &mut Option<T> {
        self.0.get_mut()
    }

    /// The value, by the slot's owner once woken: an access loom checks is
    /// ordered after the waker's.
    pub(crate) fn into_inner(mut self) -> Option<T> {
        self.get_mut().take()
    }

    /// # Safety
    /// `elem` came from `erase` on a `Slot<T>` that is still alive, and the
    /// caller has exclusive access to it (the channel lock, with its waiter
    /// just dequeued).
    unsafe fn put(elem: *mut (), v: T) {
        // SAFETY: forwarded contract.
        let slot = unsafe { &*elem.cast::<Slot<T>>() };
        // SAFETY: exclusive access, forwarded contract.
        slot.0.with_mut(|p| unsafe { *p = Some(v) });
    }

    /// # Safety
    /// As for `put`.
    unsafe fn take(elem: *mut ()) -> Option<T> {
        // SAFETY: forwarded contract.
        let slot = unsafe { &*elem.cast::<Slot<T>>() };
        // SAFETY: exclusive access, forwarded contract.
        slot.0.with_mut(|p| unsafe { (*p).take() })
    }
}

pub(crate) struct State {
    /// Unbuffered channels only (a buffered channel's ring knows).
    closed: bool,
    pub(crate) recvq: WaitQueue,
    pub(crate) sendq: WaitQueue,
}

pub(crate) struct Hchan<T> {
    lock: RawLock,
    cap: usize,
    /// Boxed: its cache-padded ends would make every channel, unbuffered
    /// ones too, several cache lines large (programs like a prime sieve walk
    /// thousands of channels).
    ring: Option<Box<Ring<T>>>,
    state: UnsafeCell<State>,
}

// SAFETY: `state` is only touched with `lock` held; the ring is thread-safe;
// values of T move between threads, hence T: Send.
unsafe impl<T: Send> Send for Hchan<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Hchan<T> {}

/// A parked caller to wake once the lock is released. An operation usually
/// wakes at most one; when a settle serves several waiters at once (values
/// that piled up while receivers parked), the extra ones are woken on the
/// spot, under the lock, which is allowed and rare.
#[derive(Default)]
pub(crate) struct Wakes(Option<Wake>);

impl Wakes {
    #[inline]
    fn push(&mut self, w: Wake) {
        match self.0 {
            None => self.0 = Some(w),
            Some(_) => w.wake(),
        }
    }

    #[inline]
    pub(crate) fn merge(&mut self, other: Wakes) {
        if let Some(w) = other.0 {
            self.push(w);
        }
    }

    #[inline]
    fn one(w: Wake) -> Wakes {
        Wakes(Some(w))
    }

    #[inline]
    pub(crate) fn wake_all(self) {
        if let Some(w) = self.0 {
            w.wake();
        }
    }
}

/// Completes a parked receiver's operation with `v` and returns how to
/// wake it.
///
/// # Safety
/// Channel lock held; `w` was just dequeued from this channel's receive
/// queue, so its elem is its empty `Slot<T>`, valid until it is woken.
unsafe fn deliver<T>(w: &Waiter, v: T) -> Wake {
    // SAFETY: forwarded contract.
    unsafe { Slot::put(w.elem, v) };
    w.success.set(true);
    w.parking().prepare_wake()
}

/// Takes a parked sender's value, completing its operation; wake it after.
///
/// # Safety
/// Channel lock held; `w` was just dequeued from this channel's send queue,
/// so its elem is its `Slot<T>` holding the value.
unsafe fn take_sent<T>(w: &Waiter) -> T {
    w.success.set(true);
    // SAFETY: forwarded contract.
    unsafe { Slot::take(w.elem) }.expect("parked sender has a value")
}

/// Outcome of a receive attempt with the lock held.
pub(crate) enum RecvAttempt<T> {
    /// A value, or `None` when closed and drained; wake these after unlocking.
    Done(Option<T>, Wakes),
    WouldBlock,
}

/// Outcome of a send attempt with the lock held.
pub(crate) enum SendAttempt<T> {
    Done(Wakes),
    Full(T),
    Closed(T),
}

impl<T> Hchan<T> {
    pub(crate) fn new(cap: usize) -> Self {
        Hchan {
            lock: RawLock::new(),
            cap,
            ring: (cap > 0).then(|| Box::new(Ring::new(cap))),
            state: UnsafeCell::new(State {
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
    pub(crate) unsafe fn state(&self) -> &mut State {
        // SAFETY: exclusive access is guaranteed by the lock.
        unsafe { &mut *self.state.get() }
    }

    // ----------------------------------------------------------- waiters

    /// Parks `w` on the receive queue. For buffered channels this raises
    /// the ring's flag and then settles (a value pushed just before the flag
    /// went up is handed to the first receiver, which may be `w` itself).
    ///
    /// # Safety
    /// Lock held; `w` stays in place until it is dequeued.
    pub(crate) unsafe fn enqueue_receiver(&self, w: &Waiter) -> Wakes {
        // SAFETY: forwarded contract.
        let st = unsafe { self.state() };
        // SAFETY: forwarded contract.
        unsafe { st.recvq.push_back(w) };
        match &self.ring {
            Some(ring) => {
                ring.set_receivers_waiting(true);
                // SAFETY: lock held.
                unsafe { self.balance_locked(ring) }
            }
            None => Wakes::default(),
        }
    }

    /// Parks `w` on the send queue (see `enqueue_receiver`).
    ///
    /// # Safety
    /// Lock held; `w` stays in place until it is dequeued.
    pub(crate) unsafe fn enqueue_sender(&self, w: &Waiter) -> Wakes {
        // SAFETY: forwarded contract.
        let st = unsafe { self.state() };
        // SAFETY: forwarded contract.
        unsafe { st.sendq.push_back(w) };
        match &self.ring {
            Some(ring) => {
                ring.set_senders_waiting(true);
                // SAFETY: lock held.
                unsafe { self.balance_locked(ring) }
            }
            None => Wakes::default(),
        }
    }

    /// Unparks `w` from whichever queue holds it, if any.
    ///
    /// # Safety
    /// Lock held; `w` was enqueued on this channel's `recv` or send queue.
    pub(crate) unsafe fn remove_waiter(&self, w: &Waiter, recv: bool) {
        // SAFETY: forwarded contract.
        let st = unsafe { self.state() };
        // SAFETY: forwarded contract.
        unsafe {
            if recv {
                st.recvq.remove(w);
            } else {
                st.sendq.remove(w);
            }
        }
        self.sync_flags(st);
    }

    /// Lowers the ring's waiter flags when their queues emptied.
    fn sync_flags(&self, st: &State) {
        if let Some(ring) = &self.ring {
            if st.recvq.is_empty() {
                ring.set_receivers_waiting(false);
            }
            if st.sendq.is_empty() {
                ring.set_senders_waiting(false);
            }
        }
    }

    /// Settles the ring with parked waiters, oldest first: hands values to
    /// parked receivers and moves parked senders' values into free slots,
    /// until neither can go on. Serving a receiver frees a slot a parked
    /// sender may be waiting for, and refilling may give a parked receiver a
    /// value, so the two alternate until both stop.
    ///
    /// While receivers (senders) are parked, lock-free receives (sends)
    /// defer to the lock, so a value (free slot) counted here is still there
    /// when we take it. The flags are lowered only at the end.
    ///
    /// # Safety
    /// Lock held.
    unsafe fn balance_locked(&self, ring: &Ring<T>) -> Wakes {
        // SAFETY: forwarded contract.
        let st = unsafe { self.state() };
        let mut wakes = Wakes::default();
        loop {
            let mut progressed = false;
            while ring.len() > 0 {
                let Some(w) = st.recvq.dequeue() else { break };
                let Pop::Value(v) = ring.pop(Mode::Locked) else {
                    unreachable!("a counted value vanished while receivers were parked")
                };
                // SAFETY: lock held; `w` was just dequeued from the receive queue.
                wakes.push(unsafe { deliver(w, v) });
                progressed = true;
            }
            // A closed ring takes no more values: close gives parked senders
            // their values back instead.
            while ring.len() < self.cap && !ring.is_closed() {
                let Some(w) = st.sendq.dequeue() else { break };
                // SAFETY: lock held; `w` was just dequeued from the send queue.
                let v = unsafe { take_sent(w) };
                let Push::Done = ring.push(v, Mode::Locked) else {
                    unreachable!("a counted free slot vanished while senders were parked")
                };
                wakes.push(w.parking().prepare_wake());
                progressed = true;
            }
            if !progressed {
                break;
            }
        }
        self.sync_flags(st);
        wakes
    }

    // ------------------------------------------------- attempts, lock held

    /// # Safety
    /// The caller holds the lock.
    #[inline]
    pub(crate) unsafe fn try_recv_locked(&self) -> RecvAttempt<T> {
        if let Some(ring) = &self.ring {
            // Parked receivers are served first, in order (FIFO, as in Go).
            // SAFETY: lock held.
            if !unsafe { self.state() }.recvq.is_empty() {
                return RecvAttempt::WouldBlock;
            }
            return match ring.pop(Mode::Locked) {
                // SAFETY: lock held.
                Pop::Value(v) => RecvAttempt::Done(Some(v), unsafe { self.balance_locked(ring) }),
                Pop::Closed => RecvAttempt::Done(None, Wakes::default()),
                Pop::Empty | Pop::Defer => RecvAttempt::WouldBlock,
            };
        }
        // SAFETY: lock held.
        let st = unsafe { self.state() };
        if let Some(w) = st.sendq.dequeue() {
            // SAFETY: lock held; `w` was just dequeued from the send queue.
            let v = unsafe { take_sent(w) };
            return RecvAttempt::Done(Some(v), Wakes::one(w.parking().prepare_wake()));
        }
        if st.closed {
            return RecvAttempt::Done(None, Wakes::default());
        }
        RecvAttempt::WouldBlock
    }

    /// # Safety
    /// The caller holds the lock.
    #[inline]
    pub(crate) unsafe fn try_send_locked(&self, v: T) -> SendAttempt<T> {
        if let Some(ring) = &self.ring {
            // Parked senders go first, in order (FIFO, as in Go).
            // SAFETY: lock held.
            if !unsafe { self.state() }.sendq.is_empty() && !ring.is_closed() {
                return SendAttempt::Full(v);
            }
            return match ring.push(v, Mode::Locked) {
                // SAFETY: lock held.
                Push::Done => SendAttempt::Done(unsafe { self.balance_locked(ring) }),
                Push::Full(v) | Push::Defer(v) => SendAttempt::Full(v),
                Push::Closed(v) => SendAttempt::Closed(v),
            };
        }
        // SAFETY: lock held.
        let st = unsafe { self.state() };
        if st.closed {
            return SendAttempt::Closed(v);
        }
        if let Some(w) = st.recvq.dequeue() {
            // SAFETY: lock held; `w` was just dequeued from the receive queue.
            return SendAttempt::Done(Wakes::one(unsafe { deliver(w, v) }));
        }
        SendAttempt::Full(v)
    }

    // ------------------------------------------------------ operations

    /// A lock-free receive from the ring, settling with parked senders if
    /// it freed a slot one of them waits for. `None`: take the locked path.
    #[inline]
    pub(crate) fn recv_fast(&self) -> Option<Option<T>> {
        let ring = self.ring.as_ref()?;
        match ring.pop(Mode::Free) {
            Pop::Value(v) => {
                if ring.senders_waiting() {
                    self.lock();
                    // SAFETY: lock held, then released.
                    let wakes = unsafe { self.balance_locked(ring) };
                    // SAFETY: we hold the lock.
                    unsafe { self.unlock() };
                    wakes.wake_all();
                }
                Some(Some(v))
            }
            Pop::Closed => Some(None),
            Pop::Empty | Pop::Defer => None,
        }
    }

    /// A lock-free send into the ring, handing values to receivers that
    /// parked meanwhile. `Err`: take the locked path (or closed, see the
    /// second field).
    #[inline]
    pub(crate) fn send_fast(&self, v: T) -> Result<(), (T, bool)> {
        let Some(ring) = &self.ring else {
            return Err((v, false));
        };
        match ring.push(v, Mode::Free) {
            Push::Done => {
                if ring.receivers_waiting() {
                    self.lock();
                    // SAFETY: lock held, then released.
                    let wakes = unsafe { self.balance_locked(ring) };
                    // SAFETY: we hold the lock.
                    unsafe { self.unlock() };
                    wakes.wake_all();
                }
                Ok(())
            }
            Push::Closed(v) => Err((v, true)),
            Push::Full(v) | Push::Defer(v) => Err((v, false)),
        }
    }

    pub(crate) fn try_recv(&self) -> RecvAttempt<T> {
        let _op = ExternalOp::enter();
        if let Some(r) = self.recv_fast() {
            return RecvAttempt::Done(r, Wakes::default());
        }
        self.lock();
        // SAFETY: lock held, then released once.
        let r = unsafe { self.try_recv_locked() };
        // SAFETY: we hold the lock.
        unsafe { self.unlock() };
        match r {
            RecvAttempt::Done(v, wakes) => {
                wakes.wake_all();
                RecvAttempt::Done(v, Wakes::default())
            }
            r => r,
        }
    }

    pub(crate) fn try_send(&self, v: T) -> SendAttempt<T> {
        let _op = ExternalOp::enter();
        let v = match self.send_fast(v) {
            Ok(()) => return SendAttempt::Done(Wakes::default()),
            Err((v, true)) => return SendAttempt::Closed(v),
            Err((v, false)) => v,
        };
        self.lock();
        // SAFETY: lock held, then released once.
        let r = unsafe { self.try_send_locked(v) };
        // SAFETY: we hold the lock.
        unsafe { self.unlock() };
        match r {
            SendAttempt::Done(wakes) => {
                wakes.wake_all();
                SendAttempt::Done(Wakes::default())
            }
            r => r,
        }
    }

    /// Blocking receive: `None` once closed and drained.
    #[inline]
    pub(crate) fn recv(&self, at: &'static Location<'static>) -> Option<T> {
        let _op = ExternalOp::enter();
        if let Some(r) = self.recv_fast() {
            return r;
        }
        self.lock();
        // SAFETY: lock held.
        match unsafe { self.try_recv_locked() } {
            RecvAttempt::Done(v, wakes) => {
                // SAFETY: we hold the lock.
                unsafe { self.unlock() };
                wakes.wake_all();
                v
            }
            RecvAttempt::WouldBlock => self.recv_slow(at),
        }
    }

    #[inline(never)]
    fn recv_slow(&self, at: &'static Location<'static>) -> Option<T> {
        let slot = Slot::new(None);
        let parking = Parking::for_current();
        let waiter = Waiter::new(&parking, false, 0, slot.erase());
        // SAFETY: lock held (taken by `recv`); the waiter lives in this frame
        // until it is dequeued by a waker or by the guard below.
        let wakes = unsafe {
            let wakes = self.enqueue_receiver(&waiter);
            self.unlock();
            wakes
        };
        let guard = DequeueOnUnwind {
            chan: self,
            waiter: &waiter,
            recv: true,
        };
        wakes.wake_all();
        parking.park(WaitReason::ChanReceive, at);
        std::mem::forget(guard);
        slot.into_inner()
    }

    /// Blocking send: gives the value back if the channel is (or gets) closed.
    #[inline]
    pub(crate) fn send(&self, v: T, at: &'static Location<'static>) -> Result<(), T> {
        let _op = ExternalOp::enter();
        let v = match self.send_fast(v) {
            Ok(()) => return Ok(()),
            Err((v, true)) => return Err(v),
            Err((v, false)) => v,
        };
        self.lock();
        // SAFETY: lock held.
        match unsafe { self.try_send_locked(v) } {
            SendAttempt::Done(wakes) => {
                // SAFETY: we hold the lock.
                unsafe { self.unlock() };
                wakes.wake_all();
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
        let slot = Slot::new(Some(v));
        let parking = Parking::for_current();
        let waiter = Waiter::new(&parking, false, 0, slot.erase());
        // SAFETY: lock held (taken by `send`); see recv_slow.
        let wakes = unsafe {
            let wakes = self.enqueue_sender(&waiter);
            self.unlock();
            wakes
        };
        let guard = DequeueOnUnwind {
            chan: self,
            waiter: &waiter,
            recv: false,
        };
        wakes.wake_all();
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

    /// Closes the channel: parked receivers get what is buffered, then
    /// `None`; parked senders get their value back. Panics (Go's message) if
    /// already closed.
    #[track_caller]
    pub(crate) fn close(&self) {
        let _op = ExternalOp::enter();
        self.lock();
        // SAFETY: lock held until the unlock below.
        let st = unsafe { self.state() };
        let already = match &self.ring {
            Some(ring) => !ring.close(),
            None => std::mem::replace(&mut st.closed, true),
        };
        if already {
            // SAFETY: we hold the lock.
            unsafe { self.unlock() };
            panic!("close of closed channel");
        }
        let mut wakes = match &self.ring {
            // SAFETY: lock held.
            Some(ring) => unsafe { self.balance_locked(ring) },
            None => Wakes::default(),
        };
        // SAFETY: lock held (re-borrow after the settle above).
        let st = unsafe { self.state() };
        while let Some(w) = st.recvq.dequeue() {
            w.success.set(false);
            wakes.push(w.parking().prepare_wake());
        }
        while let Some(w) = st.sendq.dequeue() {
            w.success.set(false);
            wakes.push(w.parking().prepare_wake());
        }
        self.sync_flags(st);
        // SAFETY: we hold the lock.
        unsafe { self.unlock() };
        wakes.wake_all();
    }

    /// Whether operations can complete without the lock (buffered).
    pub(crate) fn is_buffered(&self) -> bool {
        self.ring.is_some()
    }

    pub(crate) fn len(&self) -> usize {
        self.ring.as_ref().map_or(0, |r| r.len())
    }

    pub(crate) fn is_closed(&self) -> bool {
        if let Some(ring) = &self.ring {
            return ring.is_closed();
        }
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
            self.chan.remove_waiter(self.waiter, self.recv);
            self.chan.unlock();
        }
    }
}
