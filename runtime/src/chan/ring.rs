//! The buffer of a buffered channel: a bounded lock-free ring (Vyukov's
//! sequence-stamped slots), so a send or receive that needs no waiting costs
//! one atomic operation on its own end of the ring and no lock. Producers and
//! consumers touch different cache lines: under contention between cores
//! this is several times faster than a buffer behind the channel lock.
//!
//! Flag bits beside the positions make the lock-free path give way to the
//! channel's locked path when it must:
//! - `CLOSED` on the tail: close seals the ring; pushes fail, pops drain it.
//! - `SENDERS_WAIT` on the tail: senders are parked on a full ring, so new
//!   sends queue behind them (taking the lock) instead of barging into a slot
//!   a receiver frees for the first parked sender.
//! - `RECEIVERS_WAIT` on the head: receivers are parked on an empty ring, so
//!   new receives queue behind them.
//!
//! The locked path (`Mode::Locked`) ignores the waiter bits: it runs with the
//! channel lock held, which is what the bits defer to.

use std::mem::MaybeUninit;

use crossbeam_utils::CachePadded;

use crate::util::prim::{
    AtomicBool, AtomicUsize, Ordering, UnsafeCell, fence, loom_seqcst_fence, spin_loop,
};

struct Slot<T> {
    /// Position this slot is ready for: `pos` = writable at `pos`,
    /// `pos + 1` = holds the value written at `pos`.
    stamp: AtomicUsize,
    value: UnsafeCell<MaybeUninit<T>>,
}

pub(crate) struct Ring<T> {
    head: CachePadded<AtomicUsize>,
    tail: CachePadded<AtomicUsize>,
    /// Mirrors of the waiter bits on lines of their own, written only when
    /// waiters come and go: a pusher checks for parked receivers (and a
    /// popper for parked senders) without pulling the other end's hot line.
    receivers_parked: CachePadded<AtomicBool>,
    senders_parked: CachePadded<AtomicBool>,
    slots: Box<[Slot<T>]>,
    cap: usize,
    /// A power of two above `cap`: positions are `lap | index`.
    one_lap: usize,
    /// Mask of the position bits (below the flag bits).
    pos_mask: usize,
}

// SAFETY: values move between threads through the slots, each handed from
// exactly one writer to exactly one reader by the stamp protocol.
unsafe impl<T: Send> Send for Ring<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Ring<T> {}

/// Whether the lock-free path must defer to parked waiters.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// No lock held: fail with `Defer` if the waiter bit is set.
    Free,
    /// The channel lock is held: ignore the waiter bits.
    Locked,
}

/// How many times a lock-free push (pop) waits for a pop (push) in flight
/// on its slot before it defers to the locked path. Zero under loom, which
/// then checks the deferring path in every interleaving.
const FREE_MODE_WAIT: u32 = if cfg!(loom) { 0 } else { 64 };

pub(crate) enum Push<T> {
    Done,
    Full(T),
    Closed(T),
    /// Parked senders exist: take the locked path.
    Defer(T),
}

pub(crate) enum Pop<T> {
    Value(T),
    Empty,
    /// Closed and drained.
    Closed,
    /// Parked receivers exist: take the locked path.
    Defer,
}

impl<T> Ring<T> {
    pub(crate) fn new(cap: usize) -> Ring<T> {
        assert!(cap > 0);
        let one_lap = (cap + 1).next_power_of_two();
        // Positions use bits below 2^(usize::BITS - 3); flags above.
        let pos_mask = usize::MAX >> 3;
        assert!(one_lap <= pos_mask / 4, "channel capacity too large");
        let slots = (0..cap)
            .map(|i| Slot {
                stamp: AtomicUsize::new(i),
                value: UnsafeCell::new(MaybeUninit::uninit()),
            })
            .collect();
        Ring {
            head: CachePadded::new(AtomicUsize::new(0)),
            tail: CachePadded::new(AtomicUsize::new(0)),
            receivers_parked: CachePadded::new(AtomicBool::new(false)),
            senders_parked: CachePadded::new(AtomicBool::new(false)),
            slots,
            cap,
            one_lap,
            pos_mask,
        }
    }

    const fn closed_bit() -> usize {
        1 << (usize::BITS - 1)
    }
    /// On the tail.
    const fn senders_bit() -> usize {
        1 << (usize::BITS - 2)
    }
    /// On the head.
    const fn receivers_bit() -> usize {
        1 << (usize::BITS - 2)
    }

    /// The position after `pos` (which is `lap | index`).
    fn next(&self, pos: usize) -> usize {
        let index = pos & (self.one_lap - 1);
        if index + 1 < self.cap {
            pos + 1
        } else {
            ((pos & !(self.one_lap - 1)).wrapping_add(self.one_lap)) & self.pos_mask
        }
    }

    pub(crate) fn push(&self, value: T, mode: Mode) -> Push<T> {
        let mut tail = self.tail.load(Ordering::Relaxed);
        let mut waited = 0;
        loop {
            if tail & Self::closed_bit() != 0 {
                return Push::Closed(value);
            }
            if mode == Mode::Free && tail & Self::senders_bit() != 0 {
                return Push::Defer(value);
            }
            let pos = tail & self.pos_mask;
            let slot = &self.slots[pos & (self.one_lap - 1)];
            let stamp = slot.stamp.load(Ordering::Acquire);
            if stamp == pos {
                let new_tail = self.next(pos) | (tail & !self.pos_mask);
                match self.tail.compare_exchange_weak(
                    tail,
                    new_tail,
                    Ordering::SeqCst,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        // SAFETY: the CAS gave us this slot for position
                        // `pos`; no reader touches it until the stamp says so.
                        slot.value.with_mut(|p| unsafe { (*p).write(value) });
                        slot.stamp.store(pos + 1, Ordering::Release);
                        return Push::Done;
                    }
                    Err(t) => tail = t,
                }
            } else if stamp.wrapping_add(self.one_lap) == pos + 1 {
                // The slot still holds last lap's value: full, unless the
                // head moved meanwhile.
                fence(Ordering::SeqCst);
                let head = self.head.load(Ordering::Relaxed) & self.pos_mask;
                if head.wrapping_add(self.one_lap) & self.pos_mask == pos {
                    return Push::Full(value);
                }
                // A receiver is taking this slot's value: it will be free in
                // a moment. Without the lock, wait only briefly, then report
                // full: the locked path waits for it and settles with parked
                // waiters. Unbounded waits only under the lock keep at most
                // one per channel, which also keeps the loom models finite.
                if mode == Mode::Free {
                    if waited == FREE_MODE_WAIT {
                        return Push::Full(value);
                    }
                    waited += 1;
                }
                spin_loop();
                tail = self.tail.load(Ordering::Relaxed);
            } else {
                // Another sender took this position: catch up.
                spin_loop();
                tail = self.tail.load(Ordering::Relaxed);
            }
        }
    }

    pub(crate) fn pop(&self, mode: Mode) -> Pop<T> {
        let mut head = self.head.load(Ordering::Relaxed);
        let mut waited = 0;
        loop {
            if mode == Mode::Free && head & Self::receivers_bit() != 0 {
                return Pop::Defer;
            }
            let pos = head & self.pos_mask;
            let slot = &self.slots[pos & (self.one_lap - 1)];
            let stamp = slot.stamp.load(Ordering::Acquire);
            if stamp == pos + 1 {
                let new_head = self.next(pos) | (head & !self.pos_mask);
                match self.head.compare_exchange_weak(
                    head,
                    new_head,
                    Ordering::SeqCst,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        // SAFETY: the stamp says the value for `pos` is
                        // written, and the CAS made us its only reader.
                        let v = slot.value.with(|p| unsafe { (*p).assume_init_read() });
                        slot.stamp.store(
                            pos.wrapping_add(self.one_lap) & self.pos_mask,
                            Ordering::Release,
                        );
                        return Pop::Value(v);
                    }
                    Err(h) => head = h,
                }
            } else if stamp == pos {
                // Nothing written here yet: empty, unless a sender has taken
                // the position and is writing (then wait for it).
                fence(Ordering::SeqCst);
                let tail = self.tail.load(Ordering::Relaxed);
                if tail & self.pos_mask == pos {
                    return if tail & Self::closed_bit() != 0 {
                        Pop::Closed
                    } else {
                        Pop::Empty
                    };
                }
                // A sender is writing here. Without the lock, wait briefly,
                // then report empty: the locked path waits for the value
                // (as in `push`).
                if mode == Mode::Free {
                    if waited == FREE_MODE_WAIT {
                        return Pop::Empty;
                    }
                    waited += 1;
                }
                spin_loop();
                head = self.head.load(Ordering::Relaxed);
            } else {
                spin_loop();
                head = self.head.load(Ordering::Relaxed);
            }
        }
    }

    /// Seals the ring; returns false if it was already closed.
    pub(crate) fn close(&self) -> bool {
        self.tail.fetch_or(Self::closed_bit(), Ordering::SeqCst) & Self::closed_bit() == 0
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.tail.load(Ordering::SeqCst) & Self::closed_bit() != 0
    }

    /// Called with the channel lock held. Raising is done before the
    /// parking caller re-checks the ring, so a lock-free push that the
    /// re-check missed sees the flag (both are SeqCst).
    pub(crate) fn set_senders_waiting(&self, waiting: bool) {
        if self.senders_parked.load(Ordering::Relaxed) == waiting {
            return;
        }
        if waiting {
            self.tail.fetch_or(Self::senders_bit(), Ordering::SeqCst);
        } else {
            self.tail.fetch_and(!Self::senders_bit(), Ordering::SeqCst);
        }
        self.senders_parked.store(waiting, Ordering::SeqCst);
        // Then the parking caller looks at the ring again.
        loom_seqcst_fence();
    }

    /// As `set_senders_waiting`, for receivers.
    pub(crate) fn set_receivers_waiting(&self, waiting: bool) {
        if self.receivers_parked.load(Ordering::Relaxed) == waiting {
            return;
        }
        if waiting {
            self.head.fetch_or(Self::receivers_bit(), Ordering::SeqCst);
        } else {
            self.head
                .fetch_and(!Self::receivers_bit(), Ordering::SeqCst);
        }
        self.receivers_parked.store(waiting, Ordering::SeqCst);
        // Then the parking caller looks at the ring again.
        loom_seqcst_fence();
    }

    /// After a lock-free push: whether receivers are parked (the pusher must
    /// then take the lock and hand values over).
    #[inline]
    pub(crate) fn receivers_waiting(&self) -> bool {
        // After the push (the other half of the pair in set_*_waiting).
        loom_seqcst_fence();
        self.receivers_parked.load(Ordering::SeqCst)
    }

    /// After a lock-free pop: whether senders are parked.
    #[inline]
    pub(crate) fn senders_waiting(&self) -> bool {
        loom_seqcst_fence();
        self.senders_parked.load(Ordering::SeqCst)
    }

    /// Values in the ring now.
    pub(crate) fn len(&self) -> usize {
        loop {
            let tail = self.tail.load(Ordering::SeqCst);
            let head = self.head.load(Ordering::SeqCst);
            if self.tail.load(Ordering::SeqCst) != tail {
                continue;
            }
            let (h, t) = (head & self.pos_mask, tail & self.pos_mask);
            let (hix, tix) = (h & (self.one_lap - 1), t & (self.one_lap - 1));
            return if hix < tix {
                tix - hix
            } else if hix > tix {
                self.cap - hix + tix
            } else if t == h {
                0
            } else {
                self.cap
            };
        }
    }
}

impl<T> Drop for Ring<T> {
    fn drop(&mut self) {
        while let Pop::Value(v) = self.pop(Mode::Locked) {
            drop(v);
        }
    }
}
