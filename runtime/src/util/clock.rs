//! The runtime's monotonic clock: nanoseconds since the first use, as a u64
//! that fits in an atomic (timer heaps and sleeping workers compare them).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

static BASE: OnceLock<Instant> = OnceLock::new();

fn base() -> Instant {
    *BASE.get_or_init(Instant::now)
}

/// Nanoseconds since the clock's base.
#[inline]
pub(crate) fn now() -> u64 {
    let b = base();
    Instant::now().saturating_duration_since(b).as_nanos() as u64
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
