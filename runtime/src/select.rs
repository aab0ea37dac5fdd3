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

use std::panic::Location;

use crate::chan::waitq::Waiter;
use crate::chan::{Hchan, RawChan, RecvAttempt, SendAttempt, Slot, Wakes, block_forever};
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
    /// Pointer to the `Slot<T>` a waker reads from or writes to.
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
    slot: Slot<T>,
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
            slot: Slot::new(None),
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
        self.slot.erase()
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
    value: Slot<T>,
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
            value: Slot::new(Some(value)),
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
        self.value.erase()
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

/// A case's place in the lock order (its channel's lock), 0 for nil.
fn chan_addr(case: &Case<'_>) -> usize {
    case.0.chan_lock().map_or(0, RawLock::order)
}

fn lock_all(cases: &[Case<'_>], lock_order: &[u16]) {
    let mut last = 0;
    for &i in lock_order {
        if let Some(l) = cases[i as usize].0.chan_lock() {
            let a = l.order();
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
            let a = l.order();
            if a != last {
                // SAFETY: locked once by lock_all in the same order.
                unsafe { l.unlock() };
                last = a;
            }
        }
    }
}

/// loom models of the select waiter protocol: one waiter per case sharing
/// one parking, the first waker to claim it wins, the others skip its
/// waiters and the selecting caller dequeues the rest. Run by
/// scripts/loom.sh, like the channel models in `chan/loom_tests.rs`.
#[cfg(all(test, loom))]
mod loom_tests {
    use loom::thread;

    use super::{RecvCase, SendCase, select};
    use crate::chan::Chan;
    use crate::util::prim::model;

    /// Blocking select over receives from `a` and `b`: (case index, value).
    fn recv_either(a: &Chan<u32>, b: &Chan<u32>) -> (usize, Option<u32>) {
        let mut ra = RecvCase::new(a.raw());
        let mut rb = RecvCase::new(b.raw());
        let i = select(&mut [ra.case(), rb.case()], false).unwrap();
        let v = if i == 0 { ra.take() } else { rb.take() };
        (i, v)
    }

    #[test]
    fn loom_select_takes_each_value_once() {
        // Two senders park or hand off while the selecting thread parks on
        // both channels: each select takes exactly one value, and the two
        // selects take both.
        model(|| {
            let (a, b) = (Chan::<u32>::new(0), Chan::<u32>::new(0));
            let senders: Vec<_> = [(a.clone(), 1), (b.clone(), 2)]
                .into_iter()
                .map(|(c, v)| thread::spawn(move || c.send(v).unwrap()))
                .collect();
            let (i, x) = recv_either(&a, &b);
            let (j, y) = recv_either(&a, &b);
            assert_ne!(i, j);
            assert_eq!(x.unwrap() + y.unwrap(), 3);
            for s in senders {
                s.join().unwrap();
            }
        });
    }

    #[test]
    fn loom_two_selects_race_for_two_values() {
        // Two selecting threads on the same two channels: every waker must
        // claim a parking before completing a case, so no select completes
        // two cases and no value is lost.
        model(|| {
            let (a, b) = (Chan::<u32>::new(0), Chan::<u32>::new(0));
            let selectors: Vec<_> = (0..2)
                .map(|_| {
                    let (a, b) = (a.clone(), b.clone());
                    thread::spawn(move || recv_either(&a, &b).1.unwrap())
                })
                .collect();
            a.send(1).unwrap();
            b.send(2).unwrap();
            let sum: u32 = selectors.into_iter().map(|s| s.join().unwrap()).sum();
            assert_eq!(sum, 3);
        });
    }

    #[test]
    fn loom_select_send_or_receive_exactly_one() {
        // select { a <- 10; v = <-b }: whichever case fires, the other
        // operation is then done plainly, so both peers finish and the
        // value sent on `a` arrives once.
        model(|| {
            let (a, b) = (Chan::<u32>::new(0), Chan::<u32>::new(0));
            let ra = a.clone();
            let receiver = thread::spawn(move || ra.recv());
            let sb = b.clone();
            let sender = thread::spawn(move || sb.send(20).unwrap());
            let mut send = SendCase::new(a.raw(), 10);
            let mut recv = RecvCase::new(b.raw());
            let fired = select(&mut [send.case(), recv.case()], false).unwrap();
            if fired == 0 {
                assert_eq!(b.recv(), Some(20));
            } else {
                assert_eq!(recv.take(), Some(20));
                a.send(send.into_value().unwrap()).unwrap();
            }
            assert_eq!(receiver.join().unwrap(), Some(10));
            sender.join().unwrap();
        });
    }

    #[test]
    fn loom_select_on_buffered_channels_never_misses_a_value() {
        // The lock-free send path and a select parking on the ring: the
        // select's flags and re-check must catch the value.
        model(|| {
            let (a, b) = (Chan::<u32>::new(1), Chan::<u32>::new(1));
            let sa = a.clone();
            let sender = thread::spawn(move || sa.send(1).unwrap());
            assert_eq!(recv_either(&a, &b), (0, Some(1)));
            sender.join().unwrap();
        });
    }

    #[test]
    fn loom_select_close_races_a_send() {
        // One case's channel is closed while the other's sender arrives:
        // select reports either, and a value it did not take is still there.
        model(|| {
            let (a, b) = (Chan::<u32>::new(0), Chan::<u32>::new(0));
            let sa = a.clone();
            let sender = thread::spawn(move || sa.send(1).unwrap());
            let cb = b.clone();
            let closer = thread::spawn(move || cb.close());
            match recv_either(&a, &b) {
                (0, v) => assert_eq!(v, Some(1)),
                (_, v) => {
                    assert_eq!(v, None);
                    assert_eq!(a.recv(), Some(1));
                }
            }
            sender.join().unwrap();
            closer.join().unwrap();
        });
    }

    #[test]
    fn loom_select_default_never_blocks_or_loses() {
        // A select with default polls once; a send racing it lands either in
        // the select or in the channel, never nowhere.
        model(|| {
            let a = Chan::<u32>::new(1);
            let sa = a.clone();
            let sender = thread::spawn(move || sa.send(5).unwrap());
            let mut r = RecvCase::new(a.raw());
            let got = match select(&mut [r.case()], true) {
                Some(_) => r.take(),
                None => {
                    sender.join().unwrap();
                    return assert_eq!(a.try_recv(), Ok(5));
                }
            };
            assert_eq!(got, Some(5));
            sender.join().unwrap();
        });
    }
}
