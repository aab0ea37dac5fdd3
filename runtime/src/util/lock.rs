//! A raw (guard-less) spin-then-futex lock. Channels use it instead of
//! `std::sync::Mutex` because select locks several channels of different
//! element types in address order and unlocks them in another function, which
//! a guard-based mutex cannot express.
//!
//! Holders never park while holding it (goroutines are cooperative and the
//! channel code unlocks before parking), so a short spin usually wins.

use super::futex;
use super::prim::{AtomicU32, Ordering, const_fn_unless_loom, spin_loop};

const UNLOCKED: u32 = 0;
const LOCKED: u32 = 1;
/// Locked, and someone may be sleeping in the futex.
const CONTENDED: u32 = 2;
/// Spins before sleeping. Under loom one is enough to model the path, and
/// more would only multiply the interleavings to explore.
const SPINS: u32 = if cfg!(loom) { 1 } else { 100 };

#[derive(Debug)]
pub(crate) struct RawLock {
    state: AtomicU32,
    /// Under loom, the lock's place in select's lock order (see `order`).
    #[cfg(loom)]
    id: usize,
}

impl RawLock {
    const_fn_unless_loom! {
        pub(crate) const fn new() -> Self {
            RawLock {
                state: AtomicU32::new(UNLOCKED),
                #[cfg(loom)]
                id: loom_id(),
            }
        }
    }

    /// A key giving all locks one total order, for taking several without
    /// deadlock (select locks its channels in this order): the address.
    /// Under loom, a creation number instead, since a model must replay
    /// exactly and addresses change from run to run.
    #[inline]
    pub(crate) fn order(&self) -> usize {
        #[cfg(not(loom))]
        return self as *const RawLock as usize;
        #[cfg(loom)]
        return self.id;
    }

    #[inline]
    pub(crate) fn lock(&self) {
        if self
            .state
            .compare_exchange_weak(UNLOCKED, LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            self.lock_contended();
        }
    }

    #[cold]
    fn lock_contended(&self) {
        let mut spins = 0;
        loop {
            let s = self.state.load(Ordering::Relaxed);
            if s == UNLOCKED
                && self
                    .state
                    .compare_exchange_weak(UNLOCKED, LOCKED, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
            {
                return;
            }
            if spins < SPINS && s != CONTENDED {
                spins += 1;
                spin_loop();
                continue;
            }
            break;
        }
        while self.state.swap(CONTENDED, Ordering::Acquire) != UNLOCKED {
            futex::wait(&self.state, CONTENDED, None);
        }
    }

    /// # Safety
    /// The caller holds the lock (it called `lock` and has not unlocked since).
    #[inline]
    pub(crate) unsafe fn unlock(&self) {
        if self.state.swap(UNLOCKED, Ordering::Release) == CONTENDED {
            futex::wake(&self.state, 1);
        }
    }
}

/// Numbers locks in creation order within one loom run (from 1: select
/// keeps 0 for nil channels).
#[cfg(loom)]
fn loom_id() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    loom::lazy_static! {
        static ref NEXT: AtomicUsize = AtomicUsize::new(1);
    }
    NEXT.fetch_add(1, Ordering::Relaxed)
}
