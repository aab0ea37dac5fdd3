//! Reserving regions of address space and installing guard pages: the
//! system calls behind stacks. Every region is recorded in a fixed,
//! append-only table that the SIGSEGV handler can read without locks.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::StackError;

/// Not in older libc crates: Linux 6.13's lightweight guard regions.
const MADV_GUARD_INSTALL: libc::c_int = 102;

/// At most this many regions can be recorded for the overflow handler; with
/// regions growing to 64k stacks, that is far beyond a million goroutines.
const MAX_REGIONS: usize = 4096;

/// `[start, end, slot size]` per recorded region; `end == 0` means unused.
static REGION_TABLE: [[AtomicUsize; 3]; MAX_REGIONS] = [const {
    [
        const { AtomicUsize::new(0) },
        const { AtomicUsize::new(0) },
        const { AtomicUsize::new(0) },
    ]
}; MAX_REGIONS];
static REGION_COUNT: AtomicUsize = AtomicUsize::new(0);

/// Reserves `bytes` of address space that costs memory only where touched.
pub(super) fn reserve(bytes: usize) -> Result<usize, StackError> {
    // SAFETY: an anonymous private mapping at an address of the kernel's
    // choosing touches no existing memory.
    let ptr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            bytes,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    if ptr == libc::MAP_FAILED {
        return Err(StackError::Reserve {
            bytes,
            errno: errno(),
        });
    }
    Ok(ptr as usize)
}

/// Records a region so the overflow handler can recognise its guard pages.
pub(super) fn record(start: usize, bytes: usize, slot_size: usize) {
    let i = REGION_COUNT.fetch_add(1, Ordering::AcqRel);
    if i >= MAX_REGIONS {
        return; // overflow reports for this region fall back to a plain SIGSEGV
    }
    REGION_TABLE[i][0].store(start, Ordering::Relaxed);
    REGION_TABLE[i][2].store(slot_size, Ordering::Relaxed);
    REGION_TABLE[i][1].store(start + bytes, Ordering::Release);
}

/// If `addr` lies in the guard page of a recorded stack slot, the slot size.
/// Async-signal-safe: only atomic loads.
pub(super) fn guard_hit(addr: usize, page: usize) -> Option<usize> {
    let n = REGION_COUNT.load(Ordering::Acquire).min(MAX_REGIONS);
    for entry in &REGION_TABLE[..n] {
        let end = entry[1].load(Ordering::Acquire);
        let start = entry[0].load(Ordering::Relaxed);
        let slot = entry[2].load(Ordering::Relaxed);
        if end != 0 && slot != 0 && addr >= start && addr < end {
            let slot_base = start + (addr - start) / slot * slot;
            return (addr < slot_base + page).then_some(slot);
        }
    }
    None
}

/// Outcome of trying to install a guard page the preferred way.
pub(super) enum GuardOutcome {
    Installed,
    /// The kernel lacks MADV_GUARD_INSTALL: use mprotect from now on.
    Unsupported,
}

/// Makes `[addr, addr + page)` a guard page with `madvise(MADV_GUARD_INSTALL)`.
pub(super) fn install_guard_madvise(addr: usize, page: usize) -> Result<GuardOutcome, StackError> {
    // SAFETY: `addr` is a page of a region we reserved and own.
    let rc = unsafe { libc::madvise(addr as *mut libc::c_void, page, MADV_GUARD_INSTALL) };
    if rc == 0 {
        return Ok(GuardOutcome::Installed);
    }
    match errno() {
        libc::EINVAL | libc::ENOSYS | libc::EPERM => Ok(GuardOutcome::Unsupported),
        e => Err(StackError::Guard { errno: e }),
    }
}

/// Makes `[addr, addr + page)` a guard page with `mprotect(PROT_NONE)`.
pub(super) fn install_guard_mprotect(
    forced: bool,
    addr: usize,
    page: usize,
    live_stacks: usize,
) -> Result<(), StackError> {
    // SAFETY: `addr` is a page of a region we reserved and own; nothing lives there.
    let rc = unsafe { libc::mprotect(addr as *mut libc::c_void, page, libc::PROT_NONE) };
    if rc == 0 {
        return Ok(());
    }
    match errno() {
        libc::ENOMEM => Err(StackError::MapLimit {
            live_stacks,
            max_map_count: super::max_map_count(),
            forced,
        }),
        e => Err(StackError::Guard { errno: e }),
    }
}

/// Releases the pages of `[addr, addr + len)` back to the kernel; they read as
/// zeros when next touched. Guard pages survive this.
pub(super) fn release(addr: usize, len: usize) {
    if len == 0 {
        return;
    }
    // SAFETY: the range lies in the usable part of a stack we own and no
    // coroutine runs on it (it is pooled), so discarding its contents is fine.
    unsafe { libc::madvise(addr as *mut libc::c_void, len, libc::MADV_DONTNEED) };
}

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}
