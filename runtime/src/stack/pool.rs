//! A worker's private cache of stacks, so starting a goroutine needs no lock
//! and no system call in the steady state.
//!
//! Pooled stacks keep their top pages (the part every goroutine touches); the
//! pages below are released when a stack comes back after a deep call, so one
//! deep recursion does not pin memory for the life of the process.

use super::{GoroutineStack, StackAllocator, StackError, page_size};

/// Stacks a worker keeps before handing the surplus back to the allocator.
const POOL_MAX: usize = 256;
/// One return in this many checks whether the stack went deep: the check
/// costs a page fault the first time on a stack, so it is sampled.
const PROBE_EVERY: u32 = 16;
/// Stacks fetched from the allocator at once when the pool is empty.
const REFILL: usize = 16;
/// Bytes at the top of a pooled stack that stay resident.
const KEEP_BYTES: usize = 16 * 1024;

#[derive(Debug)]
pub(crate) struct StackPool {
    allocator: &'static StackAllocator,
    stacks: Vec<GoroutineStack>,
    returns: u32,
}

impl StackPool {
    pub(crate) fn new(allocator: &'static StackAllocator) -> Self {
        StackPool {
            allocator,
            stacks: Vec::with_capacity(POOL_MAX),
            returns: 0,
        }
    }

    pub(crate) fn get(&mut self) -> Result<GoroutineStack, StackError> {
        let stack = match self.stacks.pop() {
            Some(s) => s,
            None => {
                self.allocator.take(REFILL, &mut self.stacks)?;
                self.stacks.pop().expect("take returned at least one stack")
            }
        };
        #[cfg(feature = "valgrind")]
        let stack = super::valgrind::stack_taken(stack);
        Ok(stack)
    }

    pub(crate) fn put(&mut self, stack: GoroutineStack) {
        self.returns = self.returns.wrapping_add(1);
        if self.returns.is_multiple_of(PROBE_EVERY) && went_deep(&stack) {
            self.allocator.release_below(&stack, KEEP_BYTES);
        }
        #[cfg(feature = "valgrind")]
        super::valgrind::stack_returned(&stack);
        if self.stacks.len() >= POOL_MAX {
            let surplus: Vec<_> = self.stacks.drain(POOL_MAX / 2..).collect();
            self.allocator.give_back(surplus);
        }
        self.stacks.push(stack);
    }
}

impl Drop for StackPool {
    fn drop(&mut self) {
        self.allocator.give_back(std::mem::take(&mut self.stacks));
    }
}

/// Whether the goroutine that used `stack` went below its kept top pages.
///
/// Reads the highest word of the first page below the kept part: a frame that
/// went deeper wrote return addresses or locals through it. An untouched page
/// reads as zero and maps only the shared zero page, so the check is free
/// after its first time; a deep stack whose probe word happens to be zero is
/// merely not trimmed this time.
fn went_deep(stack: &GoroutineStack) -> bool {
    let probe = stack.top() - KEEP_BYTES - std::mem::size_of::<usize>();
    if probe < stack.slot_base() + page_size() {
        return false;
    }
    #[cfg(feature = "valgrind")]
    super::valgrind::reading_dead_stack(probe, std::mem::size_of::<usize>());
    // SAFETY: `probe` is an aligned word inside the usable part of a stack we
    // own exclusively; no coroutine runs on it now.
    unsafe { std::ptr::read_volatile(probe as *const usize) != 0 }
}
