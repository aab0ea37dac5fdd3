//! A per-thread wyrand generator: select's uniform choice among ready cases
//! needs a few random bits per call, cheaply and without a lock.

use std::cell::Cell;

#[cfg(not(loom))]
thread_local! {
    static STATE: Cell<u64> = const { Cell::new(0) };
}

// Under loom every modelled thread runs on one OS thread, and each run of a
// model must replay exactly: a state per loom thread and per run, seeded
// the same way every time.
#[cfg(loom)]
loom::thread_local! {
    static STATE: Cell<u64> = Cell::new(0x2545_f491_4f6c_dd1d);
}

fn seed() -> u64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut t) };
    let local = 0u8;
    let addr = &local as *const u8 as u64;
    (t.tv_nsec as u64) ^ ((t.tv_sec as u64) << 32) ^ addr.rotate_left(17) | 1
}

/// A uniformly distributed u64.
#[inline]
pub(crate) fn next_u64() -> u64 {
    STATE.with(|s| {
        let mut x = s.get();
        if x == 0 {
            x = seed();
        }
        x = x.wrapping_add(0xa076_1d64_78bd_642f);
        s.set(x);
        let t = u128::from(x) * u128::from(x ^ 0xe703_7ed1_a0b4_28db);
        (t >> 64) as u64 ^ t as u64
    })
}

/// A uniformly distributed number in `0..n` (`n > 0`), by Lemire's multiply-shift.
#[inline]
pub(crate) fn below(n: usize) -> usize {
    ((u128::from(next_u64()) * n as u128) >> 64) as usize
}
