//! The runtime's monotonic clock: nanoseconds since the first use, as a u64
//! that fits in an atomic (timer heaps and sleeping workers compare them).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
#[cfg(not(loom))]
use std::{sync::OnceLock, time::Instant};

#[cfg(not(loom))]
static BASE: OnceLock<Instant> = OnceLock::new();

#[cfg(not(loom))]
fn base() -> Instant {
    *BASE.get_or_init(Instant::now)
}

/// Nanoseconds since the clock's base.
#[cfg(not(loom))]
#[inline]
pub(crate) fn now() -> u64 {
    let b = base();
    Instant::now().saturating_duration_since(b).as_nanos() as u64
}

/// Under loom, a logical clock: every reading is 600 µs after the last, so
/// a model's runs replay exactly (loom requires it), and time-based
/// decisions are taken by the interleaving: a mutex waiter that saw other
/// threads read the clock while it waited passes the 1 ms starvation
/// threshold, one that did not stays under it.
#[cfg(loom)]
pub(crate) fn now() -> u64 {
    loom::lazy_static! {
        static ref TICKS: AtomicU64 = AtomicU64::new(0);
    }
    TICKS.fetch_add(600_000, Ordering::Relaxed) + 600_000
}

static COARSE: AtomicU64 = AtomicU64::new(0);

/// A reading at most a few milliseconds old, for bookkeeping that does not
/// need precision (how long a goroutine has been blocked): free to read.
#[inline]
pub(crate) fn coarse_now() -> u64 {
    COARSE.load(Ordering::Relaxed)
}

/// Refreshes the coarse clock; workers call it as they schedule.
#[inline]
pub(crate) fn refresh_coarse(now: u64) {
    COARSE.store(now, Ordering::Relaxed);
}

/// `now + d`, saturating.
pub(crate) fn deadline_after(d: Duration) -> u64 {
    now().saturating_add(d.as_nanos().min(u128::from(u64::MAX)) as u64)
}
