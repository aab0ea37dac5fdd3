//! Goroutine stacks: carved from large `MAP_NORESERVE` regions, a guard page
//! under each, pooled per worker, and a SIGSEGV handler that turns a hit guard
//! page into a report naming the goroutine.
//!
//! This is the lowest layer of the runtime and the one that talks to the
//! kernel's memory map; all of its `unsafe` stays inside this module.

mod allocator;
mod overflow;
mod pool;
mod region;
#[cfg(feature = "valgrind")]
mod valgrind;

pub(crate) use allocator::StackAllocator;
pub(crate) use overflow::{enter_goroutine, install_overflow_handler, leave_goroutine};
pub(crate) use pool::StackPool;

use std::fmt;

/// How the guard page under each stack is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum GuardPages {
    /// `madvise(MADV_GUARD_INSTALL)` where the kernel has it (Linux 6.13+),
    /// else `mprotect`. The default.
    #[default]
    Auto,
    /// `madvise(MADV_GUARD_INSTALL)`: the guard lives in the page tables and
    /// costs no memory map. Fails on older kernels.
    Madvise,
    /// `mprotect(PROT_NONE)`: every stack splits its region into two memory
    /// maps, so live goroutines are limited by `vm.max_map_count`. For old
    /// kernels; selectable to test that path.
    Mprotect,
}

/// Why no stack could be had for a goroutine. Its `Display` says what to change.
#[derive(Debug, Clone)]
pub enum StackError {
    /// Reserving address space for a region of stacks failed.
    Reserve { bytes: usize, errno: i32 },
    /// The `mprotect` guard page could not be installed: the process has as
    /// many memory maps as `vm.max_map_count` allows.
    MapLimit {
        live_stacks: usize,
        max_map_count: Option<u64>,
        /// mprotect guards were asked for (`GuardPages::Mprotect`) rather
        /// than forced by an older kernel.
        forced: bool,
    },
    /// Installing a guard page failed for another reason.
    Guard { errno: i32 },
}

impl fmt::Display for StackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StackError::Reserve { bytes, errno } => write!(
                f,
                "cannot reserve {bytes} bytes of address space for goroutine stacks ({}); \
                 lower the stack size (GORU_STACK_SIZE or Builder::stack_size) or raise the \
                 address-space limit (ulimit -v)",
                std::io::Error::from_raw_os_error(*errno)
            ),
            StackError::MapLimit {
                live_stacks,
                max_map_count,
                forced,
            } => {
                let limit = max_map_count.map_or_else(|| "?".to_string(), |n| n.to_string());
                let raise = max_map_count.map_or(1_048_576, |n| (n * 4).max(1_048_576));
                write!(
                    f,
                    "cannot create a guard page for goroutine stack number {}: the process has \
                     reached vm.max_map_count ({limit} memory maps), and every stack's mprotect \
                     guard page costs two maps. Raise the limit with \
                     `sysctl -w vm.max_map_count={raise}` or run fewer goroutines at once",
                    live_stacks + 1,
                )?;
                if *forced {
                    write!(
                        f,
                        "; or drop GuardPages::Mprotect: the default (GuardPages::Auto) uses \
                         MADV_GUARD_INSTALL guard pages, which cost no maps, where the kernel has \
                         them (Linux 6.13+)"
                    )
                } else {
                    write!(
                        f,
                        "; or move to Linux 6.13+, where guard pages (MADV_GUARD_INSTALL) cost no maps"
                    )
                }
            }
            StackError::Guard { errno } => write!(
                f,
                "cannot install the guard page of a goroutine stack ({})",
                std::io::Error::from_raw_os_error(*errno)
            ),
        }
    }
}

impl std::error::Error for StackError {}

/// `/proc/sys/vm/max_map_count`, if readable.
pub(crate) fn max_map_count() -> Option<u64> {
    std::fs::read_to_string("/proc/sys/vm/max_map_count")
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The system page size.
pub(crate) fn page_size() -> usize {
    use std::sync::OnceLock;
    static PAGE: OnceLock<usize> = OnceLock::new();
    // SAFETY: sysconf has no preconditions.
    *PAGE.get_or_init(|| unsafe { libc::sysconf(libc::_SC_PAGESIZE) as usize })
}

/// One goroutine stack: `[guard page][usable stack ... top)`. Owned by exactly
/// one coroutine or pool at a time; the memory stays reserved for the life of
/// the process, so a stack never dangles.
#[derive(Debug)]
pub(crate) struct GoroutineStack {
    /// Lowest address of the slot: the guard page starts here.
    slot_base: usize,
    /// One past the highest usable byte; the stack grows down from here.
    top: usize,
    /// Valgrind's id for this stack while a goroutine owns it.
    #[cfg(feature = "valgrind")]
    valgrind_id: usize,
}

impl GoroutineStack {
    pub(crate) fn top(&self) -> usize {
        self.top
    }
    pub(crate) fn slot_base(&self) -> usize {
        self.slot_base
    }
}

// SAFETY: `base` is the top of a mapping of `top - slot_base` bytes we own
// exclusively, page aligned (so aligned to STACK_ALIGNMENT); `limit` is the
// slot's base, which includes the guard page below the usable stack, and the
// usable part (stack size, at least 16 KiB) exceeds MIN_STACK_SIZE.
unsafe impl corosensei::stack::Stack for GoroutineStack {
    fn base(&self) -> corosensei::stack::StackPointer {
        corosensei::stack::StackPointer::new(self.top).expect("stack top is never null")
    }
    fn limit(&self) -> corosensei::stack::StackPointer {
        corosensei::stack::StackPointer::new(self.slot_base).expect("stack base is never null")
    }
}
