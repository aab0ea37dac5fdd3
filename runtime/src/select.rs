//! The select engine (Go's `selectgo`), shared by every channel type and
//! called by the `select!` macro with one small case value per arm.
//!
//! 1. Poll the cases in a uniformly random order with all their channels
//!    locked (in address order, each once): the first ready case fires.
//! 2. Otherwise take `default` if there is one.
//! 3. Otherwise enqueue one waiter per case, all sharing one `Parking`, and
//!    park. The first waker to claim the parking completes its case (the
//!    value moves straight into or out of the case); wakers that find it
//!    already claimed skip that waiter. On waking, lock again and dequeue the
//!    other waiters. Exactly one operation happens.

use std::cell::UnsafeCell;
use std::panic::Location;

use crate::chan::waitq::Waiter;
use crate::chan::{Hchan, RawChan, RecvAttempt, SendAttempt, Wakes, block_forever};
use crate::sched::WaitReason;
use crate::sched::parking::{ExternalOp, Parking};
use crate::util::lock::RawLock;
use crate::util::rand;

/// Result of polling one case with its channel locked.
pub(crate) enum Poll {
    /// The operation happened; wake these parked peers after unlocking.
    Fired(Wakes),
    NotReady,
    /// A send case on a closed channel: select panics, as Go does.
    SendOnClosed,
}

/// One select case, type-erased. Implemented by [`RecvCase`] and [`SendCase`].
pub(crate) trait CaseOps {
    /// The channel's lock (its address gives the lock order); None for nil.
    fn chan_lock(&self) -> Option<&RawLock>;
    /// Whether `poll_lock_free` can decide this case (buffered or nil).
    fn lock_free(&self) -> bool;
    /// Tries the operation without the channel lock.
    fn poll_lock_free(&mut self) -> Poll;
    /// # Safety
    /// The caller holds this case's channel lock.
    unsafe fn poll(&mut self) -> Poll;
    /// Pointer to the `Option<T>` slot a waker reads from or writes to.
    fn elem(&mut self) -> *mut ();
    /// Returns whom to wake after unlocking (enqueueing on a buffered
    /// channel may settle a value with the first parked waiter).
    ///
    /// # Safety
    /// Lock held; `w` stays in place until dequeued.
    unsafe fn enqueue(&self, w: &Waiter) -> Wakes;
    /// # Safety
    /// Lock held; `w` was enqueued by `enqueue` on this case.
    unsafe fn dequeue(&self, w: &Waiter);
    /// After this case fired while parked: `success` false means closed.
    fn completed(&mut self, success: bool);
}

/// A case handed to [`select`]: build it with [`RecvCase::case`] or
/// [`SendCase::case`].
pub struct Case<'a>(&'a mut dyn CaseOps);

impl std::fmt::Debug for Case<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Case")
    }
}

/// A receive case: `v = <-ch`.
pub struct RecvCase<'a, T> {
    chan: Option<&'a Hchan<T>>,
    slot: UnsafeCell<Option<T>>,
}

impl<T> std::fmt::Debug for RecvCase<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecvCase")
    }
}

impl<'a, T: Send> RecvCase<'a, T> {
    /// A receive from `chan` (a `Chan`'s or `Receiver`'s `raw()`).
    pub fn new(chan: RawChan<'a, T>) -> Self {
        RecvCase {
            chan: chan.0,
            slot: UnsafeCell::new(None),
        }
    }
    /// This case as a select argument.
    pub fn case(&mut self) -> Case<'_> {
        Case(self)
    }
    /// The received value once this case fired: `None` if the channel was
    /// closed (Go's `v, ok := <-ch` with `ok == false`).
    pub fn take(&mut self) -> Option<T> {
        self.slot.get_mut().take()
    }
}

impl<T: Send> CaseOps for RecvCase<'_, T> {
    fn chan_lock(&self) -> Option<&RawLock> {
        self.chan.map(Hchan::raw_lock)
    }
    fn lock_free(&self) -> bool {
        self.chan.is_none_or(Hchan::is_buffered)
    }
    fn poll_lock_free(&mut self) -> Poll {
        match self.chan.and_then(Hchan::recv_fast) {
            Some(v) => {
                *self.slot.get_mut() = v;
                Poll::Fired(Wakes::default())
            }
            None => Poll::NotReady,
        }
    }
    unsafe fn poll(&mut self) -> Poll {
        let Some(c) = self.chan else {
            return Poll::NotReady;
        };
        // SAFETY: forwarded contract.
        match unsafe { c.try_recv_locked() } {
            RecvAttempt::Done(v, wake) => {
                *self.slot.get_mut() = v;
                Poll::Fired(wake)
            }
            RecvAttempt::WouldBlock => Poll::NotReady,
        }
    }
    fn elem(&mut self) -> *mut () {
        self.slot.get().cast()
    }
    unsafe fn enqueue(&self, w: &Waiter) -> Wakes {
        match self.chan {
            // SAFETY: forwarded contract.
            Some(c) => unsafe { c.enqueue_receiver(w) },
            None => Wakes::default(),
        }
    }
    unsafe fn dequeue(&self, w: &Waiter) {
        if let Some(c) = self.chan {
            // SAFETY: forwarded contract.
            unsafe { c.remove_waiter(w, true) };
        }
    }
    fn completed(&mut self, _success: bool) {}
}

/// A send case: `ch <- v`. The value is evaluated when the case is made (on
/// entry to select, as Go does) and dropped if another case fires.
pub struct SendCase<'a, T> {
    chan: Option<&'a Hchan<T>>,
    value: UnsafeCell<Option<T>>,
}

impl<T> std::fmt::Debug for SendCase<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SendCase")
    }
}

impl<'a, T: Send> SendCase<'a, T> {
    /// A send of `value` on `chan` (a `Chan`'s or `Sender`'s `raw()`).
    pub fn new(chan: RawChan<'a, T>, value: T) -> Self {
        SendCase {
            chan: chan.0,
            value: UnsafeCell::new(Some(value)),
        }
    }
    /// This case as a select argument.
    pub fn case(&mut self) -> Case<'_> {
        Case(self)
    }
    /// The value back if this case did not fire.
    pub fn into_value(self) -> Option<T> {
        self.value.into_inner()
    }
}

impl<T: Send> CaseOps for SendCase<'_, T> {
    fn chan_lock(&self) -> Option<&RawLock> {
        self.chan.map(Hchan::raw_lock)
    }
    fn lock_free(&self) -> bool {
        self.chan.is_none_or(Hchan::is_buffered)
    }
    fn poll_lock_free(&mut self) -> Poll {
        let Some(c) = self.chan else {
            return Poll::NotReady;
        };
        let v = self
            .value
            .get_mut()
            .take()
            .expect("send case polled after it fired");
        match c.send_fast(v) {
            Ok(()) => Poll::Fired(Wakes::default()),
            Err((v, closed)) => {
                *self.value.get_mut() = Some(v);
                if closed {
                    Poll::SendOnClosed
                } else {
                    Poll::NotReady
                }
            }
        }
    }
    unsafe fn poll(&mut self) -> Poll {
        let Some(c) = self.chan else {
            return Poll::NotReady;
        };
        let v = self
            .value
            .get_mut()
            .take()
            .expect("send case polled after it fired");
        // SAFETY: forwarded contract.
        match unsafe { c.try_send_locked(v) } {
            SendAttempt::Done(wake) => Poll::Fired(wake),
            SendAttempt::Full(v) => {
                *self.value.get_mut() = Some(v);
                Poll::NotReady
            }
            SendAttempt::Closed(v) => {
                *self.value.get_mut() = Some(v);
                Poll::SendOnClosed
            }
        }
    }
    fn elem(&mut self) -> *mut () {
        self.value.get().cast()
    }
    unsafe fn enqueue(&self, w: &Waiter) -> Wakes {
        match self.chan {
            // SAFETY: forwarded contract.
            Some(c) => unsafe { c.enqueue_sender(w) },
            None => Wakes::default(),
        }
    }
    unsafe fn dequeue(&self, w: &Waiter) {
        if let Some(c) = self.chan {
            // SAFETY: forwarded contract.
            unsafe { c.remove_waiter(w, false) };
        }
    }
    fn completed(&mut self, success: bool) {
        if !success {
            panic!("send on closed channel");
        }
    }
}

/// Small index lists without allocation for the common case.
enum Indices {
    Inline([u16; 16], usize),
    Heap(Vec<u16>),
}

impl Indices {
    fn new(n: usize) -> Self {
        if n <= 16 {
            let mut a = [0u16; 16];
            for (i, x) in a.iter_mut().enumerate().take(n) {
                *x = i as u16;
            }
            Indices::Inline(a, n)
        } else {
            Indices::Heap((0..n as u16).collect())
        }
    }
    fn as_mut(&mut self) -> &mut [u16] {
        match self {
            Indices::Inline(a, n) => &mut a[..*n],
            Indices::Heap(v) => v,
        }
    }
    fn as_ref(&self) -> &[u16] {
        match self {
            Indices::Inline(a, n) => &a[..*n],
            Indices::Heap(v) => v,
        }
    }
}

/// Waits until one of `cases` can proceed, performs exactly that one
/// operation and returns its index; with `has_default`, returns `None` at
/// once if no case is ready. Go's semantics: a uniformly random choice among
/// ready cases; nil channels never ready; a closed channel always ready to
/// receive (its `take()` is `None`); a send on a closed channel panics; no
/// cases and no default blocks forever.
#[track_caller]
pub fn select(cases: &mut [Case<'_>], has_default: bool) -> Option<usize> {
    let at = Location::caller();
    let n = cases.len();
    assert!(n <= u16::MAX as usize, "select: too many cases");
    let op = ExternalOp::enter();

    let mut poll_order = Indices::new(n);
    {
        let p = poll_order.as_mut();
        for i in (1..p.len()).rev() {
            p.swap(i, rand::below(i + 1));
        }
    }
    // Pass 1 without locks when every case is buffered (or nil): same
    // random order, first ready case wins, as Go's locked pass 1 would.
    if cases.iter().all(|c| c.0.lock_free()) {
        for &i in poll_order.as_ref() {
            let i = i as usize;
            match cases[i].0.poll_lock_free() {
                Poll::Fired(wakes) => {
                    wakes.wake_all();
                    return Some(i);
                }
                Poll::NotReady => {}
                Poll::SendOnClosed => panic!("send on closed channel"),
            }
        }
    }

    let mut lock_order = Indices::new(n);
    lock_order
        .as_mut()
        .sort_unstable_by_key(|&i| chan_addr(&cases[i as usize]));
    let lock_order = lock_order;

    lock_all(cases, lock_order.as_ref());
    for &i in poll_order.as_ref() {
        let i = i as usize;
        // SAFETY: all channels are locked.
        match unsafe { cases[i].0.poll() } {
            Poll::Fired(wakes) => {
                unlock_all(cases, lock_order.as_ref());
                wakes.wake_all();
                return Some(i);
            }
            Poll::NotReady => {}
            Poll::SendOnClosed => {
                unlock_all(cases, lock_order.as_ref());
                panic!("send on closed channel");
            }
        }
    }
    if has_default {
        unlock_all(cases, lock_order.as_ref());
        return None;
    }
    if cases.iter().all(|c| chan_addr(c) == 0) {
        unlock_all(cases, lock_order.as_ref());
        let reason = if n == 0 {
            WaitReason::SelectNoCases
        } else {
            WaitReason::Select
        };
        // Blocked for good: no longer an operation that may wake anyone.
        drop(op);
        block_forever(reason, at);
    }
    Some(block(cases, lock_order.as_ref(), at))
}

/// Steps 3 and after: all channels are locked on entry.
#[inline(never)]
fn block(cases: &mut [Case<'_>], lock_order: &[u16], at: &'static Location<'static>) -> usize {
    let parking = Parking::for_current();
    // Waiters live in this frame: inline for the usual few cases.
    const INLINE: usize = 4;
    let n = cases.len();
    let inline: [Waiter; INLINE];
    let heap: Vec<Waiter>;
    let waiters: &[Waiter] = if n <= INLINE {
        inline = std::array::from_fn(|i| {
            let elem = if i < n {
                cases[i].0.elem()
            } else {
                std::ptr::null_mut()
            };
            Waiter::new(&parking, true, i, elem)
        });
        &inline[..n]
    } else {
        heap = cases
            .iter_mut()
            .enumerate()
            .map(|(i, c)| Waiter::new(&parking, true, i, c.0.elem()))
            .collect();
        &heap
    };
    let mut wakes = Wakes::default();
    for &i in lock_order {
        let i = i as usize;
        // SAFETY: locked; `waiters` lives until every waiter is dequeued
        // (below, or by the guard on unwind).
        wakes.merge(unsafe { cases[i].0.enqueue(&waiters[i]) });
    }
    unlock_all(cases, lock_order);
    // Enqueueing on a buffered channel may already have completed one of our
    // own cases (a value arrived just before we parked): then this wakes us.
    wakes.wake_all();

    let guard = DequeueAll {
        cases: &*cases,
        waiters,
        lock_order,
    };
    parking.park(WaitReason::Select, at);
    drop(guard); // relocks and dequeues the losing cases

    let fired = parking.fired_case();
    let success = waiters[fired].success.get();
    cases[fired].0.completed(success);
    fired
}

/// Dequeues every still-queued waiter of a select: after waking (the losing
/// cases), or when unwinding while parked.
struct DequeueAll<'a, 'c> {
    cases: &'a [Case<'c>],
    waiters: &'a [Waiter],
    lock_order: &'a [u16],
}

impl Drop for DequeueAll<'_, '_> {
    fn drop(&mut self) {
        lock_all(self.cases, self.lock_order);
        for &i in self.lock_order {
            let i = i as usize;
            if self.waiters[i].is_queued() {
                // SAFETY: locked; the waiter was enqueued on this case.
                unsafe { self.cases[i].0.dequeue(&self.waiters[i]) };
            }
        }
        unlock_all(self.cases, self.lock_order);
    }
}

/// Address of a case's channel (its lock), 0 for nil: the lock order.
fn chan_addr(case: &Case<'_>) -> usize {
    case.0
        .chan_lock()
        .map_or(0, |l| l as *const RawLock as usize)
}

fn lock_all(cases: &[Case<'_>], lock_order: &[u16]) {
    let mut last = 0;
    for &i in lock_order {
        if let Some(l) = cases[i as usize].0.chan_lock() {
            let a = l as *const RawLock as usize;
            if a != last {
                l.lock();
                last = a;
            }
        }
    }
}

fn unlock_all(cases: &[Case<'_>], lock_order: &[u16]) {
    let mut last = 0;
    for &i in lock_order {
        if let Some(l) = cases[i as usize].0.chan_lock() {
            let a = l as *const RawLock as usize;
            if a != last {
                // SAFETY: locked once by lock_all in the same order.
                unsafe { l.unlock() };
                last = a;
            }
        }
    }
}
