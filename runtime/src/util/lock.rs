//! A raw (guard-less) spin-then-futex lock. Channels use it instead of
//! `std::sync::Mutex` because select locks several channels of different
//! element types in address order and unlocks them in another function, which
//! a guard-based mutex cannot express.
//!
//! Holders never park while holding it (goroutines are cooperative and the
//! channel code unlocks before parking), so a short spin usually wins.

use std::sync::atomic::{AtomicU32, Ordering};

use super::futex;

const UNLOCKED: u32 = 0;
const LOCKED: u32 = 1;
/// Locked, and someone may be sleeping in the futex.
const CONTENDED: u32 = 2;

#[derive(Debug, Default)]
pub(crate) struct RawLock {
    state: AtomicU32,
}

impl RawLock {
    pub(crate) const fn new() -> Self {
        RawLock {
            state: AtomicU32::new(UNLOCKED),
        }
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
            if spins < 100 && s != CONTENDED {
                spins += 1;
                std::hint::spin_loop();
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
