//! Go's fatal errors: an unrecovered goroutine panic (`panic: ...`,
//! `goroutine N [running]`, exit 2), "all goroutines are asleep -
//! deadlock!" with a goroutine dump, and running out of stacks; and the
//! goroutine dump itself (Go's `runtime.Stack(buf, true)`).

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::Write as _;
use std::panic::Location;
use std::sync::Arc;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use super::context;
use super::parking::EXTERNAL_ACTIVE;
use super::runtime::{Outcome, PanicMode, Shared};
use super::task::{Task, WaitReason};
use crate::stack::StackError;
use crate::util::clock;

/// What the panic hook saw of the last panic on this thread.
pub(crate) struct PanicRecord {
    pub(crate) message: String,
    pub(crate) location: Option<String>,
    /// Captured but not resolved: resolving symbols takes tens of
    /// milliseconds (the first time, loading debug info), which only a
    /// fatal report should pay, not every recovered panic.
    pub(crate) backtrace: Option<std::backtrace::Backtrace>,
}

thread_local! {
    static LAST_PANIC: RefCell<Option<PanicRecord>> = const { RefCell::new(None) };
}

/// Wraps the process's panic hook: panics inside goroutines are recorded, not
/// printed, because whether and how they are reported is decided where the
/// goroutine's panic is caught (Go prints nothing for a recovered panic).
pub(crate) fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = payload_message(info.payload());
            // What `recover()` reports while this panic unwinds.
            super::locals::with_locals(|l| {
                l.panic_seq.set(l.panic_seq.get().wrapping_add(1));
                *l.panic_message.borrow_mut() = Some(message.clone());
            });
            if context::current_task().is_none() {
                return previous(info);
            }
            let location = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
            let backtrace = std::env::var_os("RUST_BACKTRACE")
                .filter(|v| v != "0")
                .map(|_| std::backtrace::Backtrace::force_capture());
            LAST_PANIC.with(|p| {
                *p.borrow_mut() = Some(PanicRecord {
                    message,
                    location,
                    backtrace,
                })
            });
        }));
    });
}

/// Takes the record of the panic being handled on this thread.
pub(crate) fn take_panic_record() -> Option<PanicRecord> {
    LAST_PANIC.with(|p| p.borrow_mut().take())
}

pub(crate) fn payload_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".to_string()
    }
}

/// An unrecovered panic ended goroutine `task` (Go: the program crashes).
pub(crate) fn goroutine_panicked(task: &Task, payload: Box<dyn std::any::Any + Send>) {
    if task.cancelled.get() {
        std::panic::resume_unwind(payload);
    }
    let record = take_panic_record();
    let mut out = String::new();
    let message = record
        .as_ref()
        .map_or_else(|| payload_message(&*payload), |r| r.message.clone());
    let _ = writeln!(out, "panic: {message}\n\ngoroutine {} [running]:", task.id);
    if let Some(loc) = record.as_ref().and_then(|r| r.location.as_ref()) {
        let _ = writeln!(out, "\t{loc}");
    }
    let _ = writeln!(out, "created at {}", fmt_location(task.spawn_site));
    if let Some(bt) = record.as_ref().and_then(|r| r.backtrace.as_ref()) {
        let _ = writeln!(out, "\n{bt}");
    }
    match task.shared.config.panic_mode {
        PanicMode::Exit => exit_with(&out),
        PanicMode::Propagate => {
            eprint!("{out}");
            task.shared.set_outcome(Outcome::Panicked(payload));
        }
    }
}

/// A panic in a goroutine started with `spawn`: reported like a thread's
/// panic and handed to whoever joins it.
pub(crate) fn spawned_panicked(task: &Task, payload: &(dyn std::any::Any + Send)) {
    let record = take_panic_record();
    let message = record
        .as_ref()
        .map_or_else(|| payload_message(payload), |r| r.message.clone());
    let at = record
        .as_ref()
        .and_then(|r| r.location.clone())
        .unwrap_or_default();
    eprintln!("goroutine {} panicked at {at}:\n{message}", task.id);
}

/// No stack could be had for a goroutine: Go's "fatal error", exit 2.
pub(crate) fn stack_exhausted(err: &StackError) -> ! {
    exit_with(&format!("fatal error: goru: {err}\n"))
}

/// Prints `report` on stderr and exits with status 2, Go's fatal exit.
pub(crate) fn exit_with(report: &str) -> ! {
    let _ = std::io::stdout().flush();
    let stderr = std::io::stderr();
    let mut e = stderr.lock();
    let _ = e.write_all(report.as_bytes());
    let _ = e.flush();
    std::process::exit(2)
}

pub(crate) fn fmt_location(l: &Location<'_>) -> String {
    format!("{}:{}:{}", l.file(), l.line(), l.column())
}

/// A duration the way Go's `time.Duration` prints, to the millisecond:
/// `350ms`, `1.5s`, `2m3.25s`, `1h0m5s`.
pub(crate) fn fmt_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let (secs, frac) = (ms / 1000, ms % 1000);
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    if h > 0 {
        let _ = write!(out, "{h}h");
    }
    if h > 0 || m > 0 {
        let _ = write!(out, "{m}m");
    }
    if frac == 0 {
        let _ = write!(out, "{s}s");
    } else {
        let frac = format!("{frac:03}");
        let _ = write!(out, "{s}.{}s", frac.trim_end_matches('0'));
    }
    out
}

/// Called by a worker about to sleep: if every worker sleeps and nothing can
/// wake a goroutine (no runnable goroutine, timer, blocking job, or plain
/// thread inside a goru operation), the program is deadlocked.
pub(crate) fn check_deadlock(shared: &'static Shared) -> bool {
    // A worker registered as a sleeper consumes nothing until it takes the
    // sleepers lock to unregister, so with the lock held and every worker
    // registered, all runnable work is visible in the shared queues. The
    // snapshot is confirmed after a pause with no wake-up in between, which
    // also covers a worker that registered with a task it readied itself.
    let epoch = match quiet_snapshot(shared) {
        Snapshot::Busy => return false,
        Snapshot::Undecided => return true,
        Snapshot::Quiet(epoch) => epoch,
    };
    std::thread::sleep(std::time::Duration::from_millis(5));
    match quiet_snapshot(shared) {
        Snapshot::Quiet(e) if e == epoch => {}
        Snapshot::Undecided => return true,
        _ => return false,
    }
    if shared
        .outcome
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .is_some()
    {
        return false;
    }
    static REPORTED: AtomicBool = AtomicBool::new(false);
    let report = format!(
        "fatal error: all goroutines are asleep - deadlock!\n\n{}",
        dump(shared)
    );
    match shared.config.panic_mode {
        PanicMode::Exit => {
            if !REPORTED.swap(true, Ordering::SeqCst) {
                exit_with(&report)
            }
        }
        PanicMode::Propagate => shared.set_outcome(Outcome::Deadlock(report)),
    }
    false
}

enum Snapshot {
    /// Some worker or queue has work, or a timer is pending.
    Busy,
    /// Nothing runs, but something goru cannot see into may still wake a
    /// goroutine: a blocking job, a plain thread inside a goru operation, or
    /// (outside tests) a thread goru did not start.
    Undecided,
    /// Deadlocked, as of this wake epoch.
    Quiet(u64),
}

fn quiet_snapshot(shared: &Shared) -> Snapshot {
    let sleepers = shared.idle.lock_sleepers();
    let idle = sleepers.len() == shared.workers.len()
        && !shared.shutdown.load(Ordering::SeqCst)
        && shared.injector.is_empty()
        && shared.live_goroutines() > 0
        && shared.workers.iter().all(|w| {
            w.inbox.is_empty()
                && w.stealer.is_empty()
                && w.runnext.load(Ordering::SeqCst).is_null()
                && !w.timers.has_live_entries()
        });
    if !idle {
        return Snapshot::Busy;
    }
    // Go's rule: goroutines blocked on the network can still be woken by
    // it, so a program blocked only there is not deadlocked.
    if shared.netpoll.get().is_some_and(|np| np.waiters() > 0) {
        return Snapshot::Busy;
    }
    let foreign_threads_matter = shared.config.foreign_threads_can_wake;
    if EXTERNAL_ACTIVE.load(Ordering::SeqCst) != 0
        || shared.blocking_in_flight.load(Ordering::SeqCst) != 0
        || (foreign_threads_matter && foreign_threads() > 0)
    {
        return Snapshot::Undecided;
    }
    Snapshot::Quiet(shared.idle.wake_epoch())
}

/// Threads goru runs or waits in: workers of every runtime, blocking-pool
/// threads and callers waiting in `block_on`.
static KNOWN_THREADS: AtomicUsize = AtomicUsize::new(0);

/// Counts the current thread as one of goru's own while alive.
pub(crate) struct KnownThread(());

impl KnownThread {
    pub(crate) fn enter() -> KnownThread {
        KNOWN_THREADS.fetch_add(1, Ordering::SeqCst);
        KnownThread(())
    }
}

impl Drop for KnownThread {
    fn drop(&mut self) {
        KNOWN_THREADS.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Threads in this process that goru did not start and that are not waiting
/// in `block_on`: one of them may be about to send on a channel (a thread
/// reading stdin, say), so while any exists a quiet runtime is not declared
/// deadlocked. Go has no such threads; see "Differences from Go".
fn foreign_threads() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let threads = status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    threads.saturating_sub(KNOWN_THREADS.load(Ordering::SeqCst))
}

/// Every started goroutine of `shared`, like Go's goroutine dump
/// (`runtime.Stack(buf, true)`, SIGQUIT, a deadlock): per goroutine its id
/// and state, with Go's `, N minutes` once it has waited a minute; where it
/// waits and for how long, more precisely than Go; where it was created.
/// A goroutine the stall monitor saw holding its worker says for how long.
/// Goroutines not started yet sit in run queues that cannot be walked:
/// they are counted at the end.
///
/// ```text
/// goroutine 7 [chan receive]:
///     src/main.rs:12:20 (blocked for 1.25s)
/// created at src/main.rs:10:5
/// ```
pub(crate) fn dump(shared: &Shared) -> String {
    let mut tasks: Vec<Arc<Task>> = Vec::new();
    for w in shared.workers.iter() {
        w.registry_lock.lock();
        // SAFETY: registry lock held.
        unsafe {
            tasks.extend((*w.registry.get()).iter().cloned());
            w.registry_lock.unlock();
        }
    }
    let not_started = shared.live_goroutines() - tasks.len() as i64;
    tasks.sort_by_key(|t| t.id);
    let now = clock::now();
    clock::refresh_coarse(now);
    let mut out = String::new();
    for t in &tasks {
        let reason = t.wait_reason();
        let waiting = !matches!(reason, WaitReason::Running | WaitReason::Runnable);
        let parked_since = t.parked_since.load(Ordering::Relaxed);
        let waited = (waiting && parked_since != 0)
            .then(|| Duration::from_nanos(now.saturating_sub(parked_since)));
        let mut state = reason.as_str().to_string();
        if let Some(minutes) = waited.map(|d| d.as_secs() / 60).filter(|&m| m >= 1) {
            let _ = write!(state, ", {minutes} minutes");
        }
        let _ = writeln!(out, "goroutine {} [{state}]:", t.id);
        if let Some(at) = t.blocked_at().filter(|_| waiting) {
            let _ = write!(out, "\t{}", fmt_location(at));
            if let Some(d) = waited {
                let _ = write!(out, " (blocked for {})", fmt_duration(d));
            }
            out.push('\n');
        }
        if reason == WaitReason::Running
            && let Some(d) = stalled_for(shared, t, now)
        {
            let _ = writeln!(
                out,
                "\t(holding its worker without yielding for {})",
                fmt_duration(d)
            );
        }
        let _ = writeln!(out, "created at {}\n", fmt_location(t.spawn_site));
    }
    if not_started > 0 {
        let _ = writeln!(
            out,
            "{not_started} goroutine(s) created and not started yet (runnable, not listed)\n"
        );
    }
    out
}

/// How long the stall monitor has seen `t` hold its worker without
/// yielding, if it has.
fn stalled_for(shared: &Shared, t: &Task, now: u64) -> Option<Duration> {
    let activity = &shared.workers.get(t.home.load(Ordering::Relaxed))?.activity;
    let since = activity.stalled_since.load(Ordering::Relaxed);
    (since != 0
        && activity.stalled_goroutine.load(Ordering::Relaxed) == t.id
        && activity.goroutine.load(Ordering::Relaxed) == t.id)
        .then(|| Duration::from_nanos(now.saturating_sub(since)))
}

#[cfg(test)]
mod tests {
    use super::fmt_duration;
    use std::time::Duration;

    #[test]
    fn durations_print_like_go() {
        let ms = Duration::from_millis;
        assert_eq!(fmt_duration(ms(0)), "0ms");
        assert_eq!(fmt_duration(ms(350)), "350ms");
        assert_eq!(fmt_duration(ms(1000)), "1s");
        assert_eq!(fmt_duration(ms(1500)), "1.5s");
        assert_eq!(fmt_duration(ms(1250)), "1.25s");
        assert_eq!(fmt_duration(ms(123_250)), "2m3.25s");
        assert_eq!(fmt_duration(ms(3_605_000)), "1h0m5s");
    }
}
