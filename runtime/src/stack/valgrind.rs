//! Telling valgrind about goroutine stacks (the `valgrind` feature).
//!
//! A goroutine switch moves the stack pointer from one stack to another.
//! Unless the destination is a registered stack, valgrind takes the jump for
//! a huge push or pop: for stacks less than `--max-stackframe` apart (ours
//! are adjacent slots of one region) memcheck then marks everything between
//! the two as fresh or dead stack, on top of the other goroutines' live
//! frames, and reports errors that are not there. So a stack is registered
//! while a goroutine owns it, and memcheck is told what its memory holds:
//! garbage when a goroutine gets it, nothing readable once it is pooled
//! (which also keeps dead frames' stale pointers out of the leak check).
//!
//! The requests use valgrind's documented client-request sequence
//! (`valgrind.h`, amd64): four rotations of `rdi` that add up to 128 bits,
//! then `xchg rbx, rbx`. Natively the sequence changes nothing but the
//! flags, so a `valgrind` build runs anywhere; under valgrind it is the
//! request. Other architectures get no-ops.

use super::{GoroutineStack, page_size};

/// `valgrind.h`: `VG_USERREQ__STACK_REGISTER`, `VG_USERREQ__STACK_DEREGISTER`.
const STACK_REGISTER: usize = 0x1501;
const STACK_DEREGISTER: usize = 0x1502;
/// `memcheck.h`: `VG_USERREQ_TOOL_BASE('M', 'C')` + 0, 1, 2. Tools other
/// than memcheck ignore them.
const MAKE_MEM_NOACCESS: usize = 0x4d43_0000;
const MAKE_MEM_UNDEFINED: usize = 0x4d43_0001;
const MAKE_MEM_DEFINED: usize = 0x4d43_0002;

/// Issues client request `args[0]` with arguments `args[1..]`; returns
/// valgrind's answer, or `default` when not running under valgrind.
#[cfg(target_arch = "x86_64")]
#[inline]
fn client_request(default: usize, args: [usize; 6]) -> usize {
    let result;
    // SAFETY: natively the rotations leave rdi as it was (3 + 13 + 61 + 51
    // = 128 bits) and `xchg rbx, rbx` changes nothing, so the only effect is
    // on the flags, which asm! assumes clobbered. Under valgrind the
    // sequence reads the six words at rax (alive for the whole block: asm!
    // may read memory) and writes the answer to rdx. No stack is used.
    unsafe {
        std::arch::asm!(
            "rol rdi, 3",
            "rol rdi, 13",
            "rol rdi, 61",
            "rol rdi, 51",
            "xchg rbx, rbx",
            inout("rdx") default => result,
            in("rax") args.as_ptr(),
            options(nostack),
        );
    }
    result
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn client_request(default: usize, _args: [usize; 6]) -> usize {
    default
}

fn usable(stack: &GoroutineStack) -> (usize, usize) {
    let bottom = stack.slot_base + page_size();
    (bottom, stack.top - bottom)
}

/// A goroutine gets `stack`: register it, and mark its memory addressable
/// but undefined (whatever an earlier goroutine left there is garbage; the
/// coroutine's first frame is written at its top before the switch).
pub(super) fn stack_taken(mut stack: GoroutineStack) -> GoroutineStack {
    let (bottom, len) = usable(&stack);
    client_request(0, [MAKE_MEM_UNDEFINED, bottom, len, 0, 0, 0]);
    stack.valgrind_id = client_request(0, [STACK_REGISTER, bottom, bottom + len, 0, 0, 0]);
    stack
}

/// `stack` is back in a pool: no longer a stack, and nothing may read it.
pub(super) fn stack_returned(stack: &GoroutineStack) {
    client_request(0, [STACK_DEREGISTER, stack.valgrind_id, 0, 0, 0, 0]);
    let (bottom, len) = usable(stack);
    client_request(0, [MAKE_MEM_NOACCESS, bottom, len, 0, 0, 0]);
}

/// The pool is about to read the word at `addr` of a finished goroutine's
/// stack on purpose (its went-deep probe): memcheck marked it dead when the
/// frame that wrote it returned. Its bytes are real memory we own.
pub(super) fn reading_dead_stack(addr: usize, len: usize) {
    client_request(0, [MAKE_MEM_DEFINED, addr, len, 0, 0, 0]);
}
