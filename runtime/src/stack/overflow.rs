//! Turning a stack overflow into a report: a SIGSEGV/SIGBUS handler, running on
//! an alternate signal stack, that recognises a fault in a goroutine's guard
//! page and prints which goroutine overflowed and where it was spawned, then
//! exits with status 2 like Go's "fatal error: stack overflow". Faults that are
//! not ours go to the handler that was installed before (Rust's own stack
//! overflow report for threads, or the default action).

use std::cell::Cell;
use std::panic::Location;
use std::sync::Once;

use super::{page_size, region};

const ALT_STACK_SIZE: usize = 64 * 1024;

thread_local! {
    /// The goroutine running on this thread: (id, spawn site), or (0, null).
    /// Const-initialised without a destructor, so reading it from the signal
    /// handler is a plain TLS load.
    static RUNNING: Cell<(u64, *const Location<'static>)> =
        const { Cell::new((0, std::ptr::null())) };
    static ALT_STACK_READY: Cell<bool> = const { Cell::new(false) };
}

/// Marks `id` (spawned at `site`) as the goroutine running on this thread.
#[inline]
pub(crate) fn enter_goroutine(id: u64, site: &'static Location<'static>) {
    RUNNING.with(|r| r.set((id, site)));
}

#[inline]
pub(crate) fn leave_goroutine() {
    RUNNING.with(|r| r.set((0, std::ptr::null())));
}

static mut PREVIOUS_SEGV: Option<libc::sigaction> = None;
static mut PREVIOUS_BUS: Option<libc::sigaction> = None;

/// Installs the process-wide handler once, and an alternate signal stack on
/// the calling thread (each worker thread calls this when it starts).
pub(crate) fn install_overflow_handler() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // SAFETY: runs once, before any worker runs a goroutine; the statics
        // are written here only and read by the handler afterwards.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = handler as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut action.sa_mask);
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGSEGV, &action, &mut old) == 0 {
                PREVIOUS_SEGV = Some(old);
            }
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGBUS, &action, &mut old) == 0 {
                PREVIOUS_BUS = Some(old);
            }
        }
    });
    ensure_alt_stack();
}

fn ensure_alt_stack() {
    if ALT_STACK_READY.with(Cell::get) {
        return;
    }
    // SAFETY: querying the current alternate stack writes only into `current`.
    unsafe {
        let mut current: libc::stack_t = std::mem::zeroed();
        libc::sigaltstack(std::ptr::null(), &mut current);
        if current.ss_flags & libc::SS_DISABLE == 0 && current.ss_size >= ALT_STACK_SIZE / 2 {
            ALT_STACK_READY.with(|r| r.set(true));
            return;
        }
    }
    let page = page_size();
    // SAFETY: a fresh anonymous mapping; the lowest page becomes its guard.
    // The mapping lives as long as the thread (it is never unmapped: worker
    // threads are few and a handler may run until the thread's last moment).
    unsafe {
        let ptr = libc::mmap(
            std::ptr::null_mut(),
            ALT_STACK_SIZE + page,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        if ptr == libc::MAP_FAILED {
            return;
        }
        libc::mprotect(ptr, page, libc::PROT_NONE);
        let stack = libc::stack_t {
            ss_sp: (ptr as usize + page) as *mut libc::c_void,
            ss_flags: 0,
            ss_size: ALT_STACK_SIZE,
        };
        if libc::sigaltstack(&stack, std::ptr::null_mut()) == 0 {
            ALT_STACK_READY.with(|r| r.set(true));
        }
    }
}

extern "C" fn handler(signum: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers.
    let addr = unsafe { (*info).si_addr() } as usize;
    if let Some(slot_size) = region::guard_hit(addr, page_size()) {
        report_overflow(slot_size - page_size());
    }
    // Not a goroutine guard page: hand over to whoever handled it before us.
    // SAFETY: the statics were written once before this handler was installed.
    let previous = unsafe {
        if signum == libc::SIGBUS {
            PREVIOUS_BUS
        } else {
            PREVIOUS_SEGV
        }
    };
    // SAFETY: restoring or calling the previous disposition is what the
    // process would have done without us.
    unsafe {
        match previous {
            Some(prev)
                if prev.sa_sigaction != libc::SIG_DFL && prev.sa_sigaction != libc::SIG_IGN =>
            {
                if prev.sa_flags & libc::SA_SIGINFO != 0 {
                    let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                        std::mem::transmute(prev.sa_sigaction);
                    f(signum, info, context);
                } else {
                    let f: extern "C" fn(libc::c_int) = std::mem::transmute(prev.sa_sigaction);
                    f(signum);
                }
            }
            _ => {
                // Re-raise with the default action once we return.
                let mut dfl: libc::sigaction = std::mem::zeroed();
                dfl.sa_sigaction = libc::SIG_DFL;
                libc::sigaction(signum, &dfl, std::ptr::null_mut());
            }
        }
    }
}

/// Prints the report with async-signal-safe writes only, then `_exit(2)`.
fn report_overflow(stack_size: usize) -> ! {
    let (id, site) = RUNNING.with(Cell::get);
    let mut out = SignalWriter::default();
    out.str("runtime: goroutine stack exceeds ");
    out.num(stack_size as u64);
    out.str("-byte limit\nfatal error: stack overflow\n\ngoroutine ");
    out.num(id);
    out.str(" [running]:\n");
    if !site.is_null() {
        // SAFETY: `site` came from a `&'static Location`.
        let site = unsafe { &*site };
        out.str("created at ");
        out.str(site.file());
        out.str(":");
        out.num(u64::from(site.line()));
        out.str(":");
        out.num(u64::from(site.column()));
        out.str("\n");
    }
    out.str(
        "\nhint: goroutine stacks have a fixed size (no growth as in Go); raise it with \
             GORU_STACK_SIZE or Builder::stack_size, or move deep recursion to a thread\n",
    );
    out.flush();
    // SAFETY: _exit is async-signal-safe and ends the process at once.
    unsafe { libc::_exit(2) }
}

/// A fixed buffer flushed with write(2): no allocation, no locks.
struct SignalWriter {
    buf: [u8; 1024],
    len: usize,
}

impl Default for SignalWriter {
    fn default() -> Self {
        SignalWriter {
            buf: [0; 1024],
            len: 0,
        }
    }
}

impl SignalWriter {
    fn str(&mut self, s: &str) {
        for &b in s.as_bytes() {
            if self.len == self.buf.len() {
                self.flush();
            }
            self.buf[self.len] = b;
            self.len += 1;
        }
    }
    fn num(&mut self, mut n: u64) {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        for &d in &digits[i..] {
            self.str(std::str::from_utf8(&[d]).unwrap_or("?"));
        }
    }
    fn flush(&mut self) {
        let mut off = 0;
        while off < self.len {
            // SAFETY: writing initialised bytes of our buffer to stderr.
            let n = unsafe { libc::write(2, self.buf[off..].as_ptr().cast(), self.len - off) };
            if n <= 0 {
                break;
            }
            off += n as usize;
        }
        self.len = 0;
    }
}
