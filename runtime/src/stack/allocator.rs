//! The process-wide source of stacks of one size and guard mode: a free list
//! of returned stacks, then fresh slots carved from the current region, then a
//! new region twice as large as the last (up to 64k stacks a region), so a
//! million goroutines need a handful of memory maps.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::region::{self, GuardOutcome};
use super::{GoroutineStack, GuardPages, StackError, page_size};

const FIRST_REGION_SLOTS: usize = 256;
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
    free: Vec<GoroutineStack>,
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
                free: Vec::new(),
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
            if let Some(s) = inner.free.pop() {
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

    /// Takes back stacks whose deep pages were already released.
    pub(crate) fn give_back(&self, stacks: impl IntoIterator<Item = GoroutineStack>) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let before = inner.free.len();
        inner.free.extend(stacks);
        let n = inner.free.len() - before;
        self.outstanding.fetch_sub(n, Ordering::Relaxed);
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
        region::install_guard_mprotect(slot_base, page, self.outstanding.load(Ordering::Relaxed))
    }

    /// Releases every page of `stack` below its top `keep` bytes.
    pub(crate) fn release_below(&self, stack: &GoroutineStack, keep: usize) {
        let usable_bottom = stack.slot_base + page_size();
        let keep_from = stack.top.saturating_sub(keep).max(usable_bottom);
        region::release(usable_bottom, keep_from - usable_bottom);
    }
}
