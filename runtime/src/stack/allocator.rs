//! The process-wide source of stacks of one size and guard mode: returned
//! stacks first (warm ones, whose top pages are still resident, then cold
//! ones, fully released), then fresh slots carved from the current region,
//! then a new region twice as large as the last (up to 64k stacks a region),
//! so a million goroutines need a handful of memory maps.
//!
//! A fresh stack costs a guard-page system call and a page fault, a cold one
//! a page fault: a burst of short-lived goroutines larger than the worker
//! pools is served from the warm tier instead. Releasing pages is itself
//! costly (every MADV_DONTNEED of a multi-threaded process interrupts the
//! other CPUs to flush their TLBs), so, like Go's scavenger, goru releases
//! the warm surplus when a worker is about to sleep for a while, not while
//! goroutines come and go. The warm tier is bounded all the same.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::region::{self, GuardOutcome};
use super::{GoroutineStack, GuardPages, StackError, page_size};

const FIRST_REGION_SLOTS: usize = 256;
/// Returned stacks kept with their top pages resident, process-wide.
const WARM_MAX: usize = 65_536;
/// Warm stacks the scavenger leaves in place.
const WARM_RESERVE: usize = 1024;
const MAX_REGION_SLOTS: usize = 65_536;

#[derive(Debug)]
pub(crate) struct StackAllocator {
    stack_size: usize,
    slot_size: usize,
    requested: GuardPages,
    /// Set once MADV_GUARD_INSTALL turned out unsupported (Auto mode) or when
    /// mprotect was asked for.
    use_mprotect: AtomicBool,
    /// Stacks handed out and not returned: the count the map-limit error reports.
    outstanding: AtomicUsize,
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    warm: Vec<GoroutineStack>,
    cold: Vec<GoroutineStack>,
    /// Next fresh slot of the current region, and its end.
    cursor: usize,
    region_end: usize,
    next_region_slots: usize,
}

impl StackAllocator {
    /// The shared allocator for this stack size and guard mode (stack sizes
    /// are rounded up to whole pages, at least 16 KiB).
    pub(crate) fn get(stack_size: usize, guard: GuardPages) -> &'static StackAllocator {
        static ALL: Mutex<Vec<&'static StackAllocator>> = Mutex::new(Vec::new());
        let page = page_size();
        let stack_size = stack_size.max(16 * 1024).div_ceil(page) * page;
        let mut all = ALL.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(a) = all
            .iter()
            .find(|a| a.stack_size == stack_size && a.requested == guard)
        {
            return a;
        }
        let a: &'static StackAllocator = Box::leak(Box::new(StackAllocator {
            stack_size,
            slot_size: stack_size + page,
            requested: guard,
            use_mprotect: AtomicBool::new(guard == GuardPages::Mprotect),
            outstanding: AtomicUsize::new(0),
            inner: Mutex::new(Inner {
                warm: Vec::new(),
                cold: Vec::new(),
                cursor: 0,
                region_end: 0,
                next_region_slots: FIRST_REGION_SLOTS,
            }),
        }));
        all.push(a);
        a
    }

    /// Takes up to `n` stacks into `out`; fails only when not even one can be had.
    pub(crate) fn take(&self, n: usize, out: &mut Vec<GoroutineStack>) -> Result<(), StackError> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let mut got = 0;
        while got < n {
            if let Some(s) = inner.warm.pop().or_else(|| inner.cold.pop()) {
                out.push(s);
                got += 1;
                continue;
            }
            match self.carve(&mut inner) {
                Ok(s) => {
                    out.push(s);
                    got += 1;
                }
                Err(e) if got == 0 => return Err(e),
                Err(_) => break,
            }
        }
        self.outstanding.fetch_add(got, Ordering::Relaxed);
        Ok(())
    }

    /// Takes back stacks (their pages below the kept top may be resident
    /// only if the pool's probe missed a deep call): up to the warm limit
    /// they stay warm, the rest are released and kept cold.
    pub(crate) fn give_back(&self, mut stacks: Vec<GoroutineStack>) {
        let n = stacks.len();
        let mut to_release = {
            let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            let room = WARM_MAX.saturating_sub(inner.warm.len()).min(stacks.len());
            let keep_from = stacks.len() - room;
            inner.warm.extend(stacks.drain(keep_from..));
            stacks
        };
        self.outstanding.fetch_sub(n, Ordering::Relaxed);
        if to_release.is_empty() {
            return;
        }
        self.release_all(&mut to_release);
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.cold.append(&mut to_release);
    }

    /// Releases the warm surplus beyond a small reserve (called by idle
    /// workers). Cheap when there is nothing to do.
    pub(crate) fn scavenge(&self) {
        let mut surplus = {
            let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            if inner.warm.len() <= WARM_RESERVE {
                return;
            }
            inner.warm.split_off(WARM_RESERVE)
        };
        self.release_all(&mut surplus);
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.cold.append(&mut surplus);
    }

    /// Releases every usable page of `stacks`, one system call per run of
    /// adjacent slots (guard pages in between survive MADV_DONTNEED; with
    /// mprotect guards each stack is its own memory map, so one call each).
    fn release_all(&self, stacks: &mut [GoroutineStack]) {
        stacks.sort_unstable_by_key(GoroutineStack::slot_base);
        let page = page_size();
        let contiguous = !self.use_mprotect.load(Ordering::Relaxed);
        let mut i = 0;
        while i < stacks.len() {
            let start = stacks[i].slot_base + page;
            let mut end = stacks[i].top;
            let mut j = i + 1;
            while contiguous && j < stacks.len() && stacks[j].slot_base == end {
                end = stacks[j].top;
                j += 1;
            }
            region::release(start, end - start);
            i = j;
        }
    }

    fn carve(&self, inner: &mut Inner) -> Result<GoroutineStack, StackError> {
        if inner.cursor >= inner.region_end {
            let slots = inner.next_region_slots;
            let bytes = slots * self.slot_size;
            let start = region::reserve(bytes)?;
            region::record(start, bytes, self.slot_size);
            inner.cursor = start;
            inner.region_end = start + bytes;
            inner.next_region_slots = (slots * 2).min(MAX_REGION_SLOTS);
        }
        let slot_base = inner.cursor;
        self.install_guard(slot_base)?;
        inner.cursor += self.slot_size;
        Ok(GoroutineStack {
            slot_base,
            top: slot_base + self.slot_size,
            #[cfg(feature = "valgrind")]
            valgrind_id: 0,
        })
    }

    fn install_guard(&self, slot_base: usize) -> Result<(), StackError> {
        let page = page_size();
        if !self.use_mprotect.load(Ordering::Relaxed) {
            match region::install_guard_madvise(slot_base, page)? {
                GuardOutcome::Installed => return Ok(()),
                GuardOutcome::Unsupported if self.requested == GuardPages::Auto => {
                    self.use_mprotect.store(true, Ordering::Relaxed);
                }
                GuardOutcome::Unsupported => {
                    return Err(StackError::Guard {
                        errno: libc::EINVAL,
                    });
                }
            }
        }
        region::install_guard_mprotect(
            self.requested == GuardPages::Mprotect,
            slot_base,
            page,
            self.outstanding.load(Ordering::Relaxed),
        )
    }

    /// Releases every page of `stack` below its top `keep` bytes.
    pub(crate) fn release_below(&self, stack: &GoroutineStack, keep: usize) {
        let usable_bottom = stack.slot_base + page_size();
        let keep_from = stack.top.saturating_sub(keep).max(usable_bottom);
        region::release(usable_bottom, keep_from - usable_bottom);
    }
}
