//! SIGQUIT (Ctrl-\ in a terminal, `kill -QUIT`) prints every goroutine and
//! exits with status 2, as a Go program does: the way to see where a hung
//! program's goroutines wait.
//!
//! The handler is installed while at least one runtime runs, and only over
//! the default disposition: a program that handles or ignores SIGQUIT itself
//! keeps its choice. The handler does the one async-signal-safe thing it
//! needs, a write(2) of one byte to a pipe; a dedicated thread reads the
//! pipe, builds the dump (which takes locks and allocates, neither allowed
//! in a signal handler) and exits.

use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI32, Ordering};

use super::fatal::{self, KnownThread};
use super::runtime::Shared;

/// The pipe's write end, for the handler; -1 until the reader runs.
static WRITE_FD: AtomicI32 = AtomicI32::new(-1);

struct State {
    /// Runtimes started and not stopped: what a dump shows.
    running: Vec<&'static Shared>,
    /// The disposition our handler replaced, while ours is installed.
    previous: Option<libc::sigaction>,
    reader_started: bool,
}

static STATE: Mutex<State> = Mutex::new(State {
    running: Vec::new(),
    previous: None,
    reader_started: false,
});

fn state() -> std::sync::MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|e| e.into_inner())
}

/// A runtime started: the first one installs the handler.
pub(crate) fn runtime_started(shared: &'static Shared) {
    let mut s = state();
    s.running.push(shared);
    if s.running.len() == 1 {
        install(&mut s);
    }
}

/// A runtime stopped: after the last one, SIGQUIT does what it did before.
pub(crate) fn runtime_stopped(shared: &'static Shared) {
    let mut s = state();
    if let Some(pos) = s.running.iter().position(|r| std::ptr::eq(*r, shared)) {
        s.running.swap_remove(pos);
    }
    if s.running.is_empty() {
        uninstall(&mut s);
    }
}

fn handler_address() -> libc::sighandler_t {
    on_sigquit as extern "C" fn(libc::c_int) as libc::sighandler_t
}

fn install(s: &mut State) {
    if !s.reader_started {
        if !start_reader() {
            return;
        }
        s.reader_started = true;
    }
    // SAFETY: sigaction with valid pointers to initialised structs; the
    // handler is async-signal-safe (see `on_sigquit`).
    unsafe {
        let mut current: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(libc::SIGQUIT, std::ptr::null(), &mut current) != 0
            || current.sa_sigaction != libc::SIG_DFL
        {
            // The program handles or ignores SIGQUIT itself: leave it be.
            return;
        }
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = handler_address();
        action.sa_flags = libc::SA_ONSTACK | libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        if libc::sigaction(libc::SIGQUIT, &action, &mut current) == 0 {
            s.previous = Some(current);
        }
    }
}

fn uninstall(s: &mut State) {
    let Some(previous) = s.previous.take() else {
        return;
    };
    // SAFETY: sigaction with valid pointers to initialised structs.
    unsafe {
        let mut current: libc::sigaction = std::mem::zeroed();
        // Only if ours is still the one installed: a handler the program set
        // since then stays.
        if libc::sigaction(libc::SIGQUIT, std::ptr::null(), &mut current) == 0
            && current.sa_sigaction == handler_address()
        {
            libc::sigaction(libc::SIGQUIT, &previous, std::ptr::null_mut());
        }
    }
}

/// The signal handler: one write(2) to a non-blocking pipe, errno kept.
/// Both are async-signal-safe, and so is the lock-free atomic load.
extern "C" fn on_sigquit(_signal: libc::c_int) {
    let fd = WRITE_FD.load(Ordering::Relaxed);
    if fd < 0 {
        return;
    }
    // SAFETY: __errno_location returns this thread's errno slot; write(2)
    // gets a valid one-byte buffer; a full pipe fails with EAGAIN instead of
    // blocking (a report is on its way then anyway).
    unsafe {
        let errno = libc::__errno_location();
        let saved = *errno;
        let byte = 1u8;
        libc::write(fd, (&raw const byte).cast(), 1);
        *errno = saved;
    }
}

/// Creates the pipe and the thread that reads it (once per process; it
/// lives as long as the process and costs nothing while it waits).
fn start_reader() -> bool {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe2 writes two descriptors into `fds`; fcntl and close act
    // on the descriptors just created.
    unsafe {
        if libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) != 0 {
            return false;
        }
        libc::fcntl(fds[1], libc::F_SETFL, libc::O_NONBLOCK);
    }
    let read_fd = fds[0];
    let spawned = std::thread::Builder::new()
        .name("goru-sigquit".into())
        .spawn(move || read_signals(read_fd));
    if spawned.is_err() {
        // SAFETY: both descriptors are ours and unused.
        unsafe {
            libc::close(fds[0]);
            libc::close(fds[1]);
        }
        return false;
    }
    WRITE_FD.store(fds[1], Ordering::SeqCst);
    true
}

fn read_signals(fd: libc::c_int) {
    // goru's own thread: it never wakes a goroutine, so it must not hold
    // off deadlock reports as a thread of the program would.
    let _known = KnownThread::enter();
    loop {
        let mut byte = 0u8;
        // SAFETY: reads at most one byte into a live local.
        let n = unsafe { libc::read(fd, (&raw mut byte).cast(), 1) };
        if n == 1 {
            quit();
        }
        if n == 0 || std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            return;
        }
    }
}

/// Go's SIGQUIT: "SIGQUIT: quit", every goroutine, exit status 2.
fn quit() -> ! {
    let running = state().running.clone();
    let mut out = String::from("SIGQUIT: quit\n\n");
    for (k, shared) in running.iter().enumerate() {
        if running.len() > 1 {
            let _ = writeln!(
                out,
                "runtime {} of {} ({} workers):\n",
                k + 1,
                running.len(),
                shared.workers.len()
            );
        }
        out.push_str(&fatal::dump(shared));
    }
    fatal::exit_with(&out)
}
