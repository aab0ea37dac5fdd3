//! The stall monitor: goru's answer to Go's preemption.
//!
//! goru is cooperative, and a started goroutine never leaves its worker
//! thread (that is what keeps thread-locals, `!Send` values and OS locks on
//! its stack sound). So a goroutine that blocks its thread (`std::thread::
//! sleep`, a blocking syscall, a std lock) or computes for long without a
//! yield point holds up every goroutine that started on the same worker.
//! Go's sysmon would preempt it after 10 ms; goru cannot, so one monitor
//! thread per runtime watches for it instead:
//!
//! - Each worker publishes a scheduling counter (`tick`, bumped every time
//!   it looks for work) and the id of the goroutine it runs (0 between
//!   goroutines). If both are unchanged between two looks of the monitor,
//!   one goroutine has held the worker all along, since the first look —
//!   Go's sysmon uses the same `schedtick` trick, and it costs the hot path
//!   only the id stores around each resume.
//! - A stuck worker is acted on only once the kernel shows its thread
//!   blocked (asleep in a syscall) or burning CPU (from /proc). A thread
//!   that merely waits for a CPU on a loaded machine is not stuck: moving
//!   goroutines away from it would split goroutines that talk to each other
//!   across threads for life (they cannot move back), and reporting it would
//!   blame the goroutine for the machine's load.
//! - A really stuck worker has its unstarted runnext moved to the global
//!   injector and an idle worker woken, so goroutines queued behind the
//!   stuck one and not started yet run elsewhere (its stealable queue is
//!   open to idle workers anyway). Started goroutines cannot move. This
//!   runs whether or not stalls are reported.
//! - A worker really stuck past the threshold is reported once on stderr:
//!   the goroutine, where it was created, for how long, how many goroutines
//!   wait for it, and what to do. Only if other goroutines started on that
//!   worker: if none did, the stall holds nobody up (a main goroutine
//!   spawning a million goroutines, which other workers start, say). A
//!   goroutine already reported on a worker is not reported again there (a
//!   worker-pool goroutine running one long job after another would
//!   otherwise report every job).
//!
//! The monitor sleeps while every worker sleeps, and wakes with the first
//! worker that wakes.

use std::fmt::Write as _;
use std::io::Write as _;
use std::panic::Location;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::util::prim::AtomicU32;
use std::time::Duration;

use super::fatal::{KnownThread, fmt_duration, fmt_location};
use super::runtime::{Shared, WorkerShared};
use super::task::Task;
use super::worker::take_unstarted_runnext;
use crate::util::{clock, futex};

/// How often the monitor looks at the workers while the runtime is busy.
const PERIOD: Duration = Duration::from_millis(10);

const AWAKE: u32 = 0;
const PARKED: u32 = 1;
const STOPPED: u32 = 2;

/// Where the monitor thread sleeps: a futex word that workers waking up and
/// the runtime's shutdown flip.
#[derive(Debug)]
pub(crate) struct MonitorSignal {
    word: AtomicU32,
}

impl MonitorSignal {
    pub(crate) fn new() -> Self {
        MonitorSignal {
            word: AtomicU32::new(AWAKE),
        }
    }

    /// A worker stopped sleeping: if the monitor sleeps because every
    /// worker did, wake it. Called after the worker left the sleepers count,
    /// which the monitor reads after announcing it parks (both SeqCst), so
    /// one of the two sees the other.
    #[inline]
    pub(crate) fn wake_if_parked(&self) {
        if self.word.load(Ordering::SeqCst) == PARKED
            && self
                .word
                .compare_exchange(PARKED, AWAKE, Ordering::SeqCst, Ordering::Relaxed)
                .is_ok()
        {
            futex::wake(&self.word, 1);
        }
    }

    /// The runtime shuts down: the monitor exits.
    pub(crate) fn stop(&self) {
        self.word.store(STOPPED, Ordering::SeqCst);
        futex::wake(&self.word, 1);
    }

    fn stopped(&self) -> bool {
        self.word.load(Ordering::SeqCst) == STOPPED
    }

    /// Sleeps until a worker wakes, if `idle` still holds once parked.
    fn park(&self, idle: impl Fn() -> bool) {
        if self
            .word
            .compare_exchange(AWAKE, PARKED, Ordering::SeqCst, Ordering::Relaxed)
            .is_err()
        {
            return;
        }
        if idle() {
            while self.word.load(Ordering::SeqCst) == PARKED {
                futex::wait(&self.word, PARKED, None);
            }
        }
        let _ = self
            .word
            .compare_exchange(PARKED, AWAKE, Ordering::SeqCst, Ordering::Relaxed);
    }

    /// Sleeps for `d`, or until stopped.
    fn nap(&self, d: Duration) {
        futex::wait(&self.word, AWAKE, Some(d));
    }
}

/// What the monitor last saw of one worker.
#[derive(Clone, Copy, Default)]
struct Sighting {
    tick: u64,
    goroutine: u64,
    /// Runtime clock at the first look that saw this tick and goroutine: the
    /// goroutine has held the worker at least since then.
    since: u64,
    /// The thread's CPU time (clock ticks) and when it was read, once the
    /// worker has been seen stuck; for telling a busy thread from one that
    /// waits for a CPU.
    cpu: Option<(u64, u64)>,
    reported: bool,
}

/// The monitor thread's body. `threshold`: report stalls this long, or
/// never.
pub(crate) fn run_monitor(shared: &'static Shared, threshold: Option<Duration>) {
    let _known = KnownThread::enter();
    let n = shared.workers.len();
    // Look often enough to report within a fraction of the threshold.
    let period = threshold.map_or(PERIOD, |t| PERIOD.min(t / 2).max(Duration::from_millis(1)));
    let mut seen = vec![Sighting::default(); n];
    let mut last_reported = vec![0u64; n];
    let all_asleep = || shared.idle.num_sleeping() == n;
    while !shared.monitor.stopped() {
        if all_asleep() {
            shared
                .monitor
                .park(|| all_asleep() && !shared.monitor.stopped());
            continue;
        }
        shared.monitor.nap(period);
        if shared.monitor.stopped() {
            break;
        }
        let now = clock::now();
        // Timestamps of parked goroutines read this clock: while anything
        // runs, it lags by at most a period.
        clock::refresh_coarse(now);
        for (i, w) in shared.workers.iter().enumerate() {
            look_at(
                shared,
                i,
                w,
                &mut seen[i],
                &mut last_reported[i],
                now,
                threshold,
            );
        }
    }
}

fn look_at(
    shared: &'static Shared,
    index: usize,
    w: &WorkerShared,
    seen: &mut Sighting,
    last_reported: &mut u64,
    now: u64,
    threshold: Option<Duration>,
) {
    let activity = &w.activity;
    let same_goroutine_as = |seen: &Sighting| {
        let tick = activity.tick.load(Ordering::Relaxed);
        let goroutine = activity.goroutine.load(Ordering::Relaxed);
        (
            goroutine != 0 && tick == seen.tick && goroutine == seen.goroutine,
            tick,
            goroutine,
        )
    };
    let (stuck, tick, goroutine) = same_goroutine_as(seen);
    if !stuck {
        *seen = Sighting {
            tick,
            goroutine,
            since: now,
            cpu: None,
            reported: false,
        };
        if activity.stalled_since.load(Ordering::Relaxed) != 0 {
            activity.stalled_since.store(0, Ordering::Relaxed);
        }
        return;
    }
    // The same goroutine has held the worker since `seen.since`.
    let tid = activity.tid.load(Ordering::Relaxed);
    let stat = thread_stat(tid);
    // At the first look at this stall, the CPU time to measure from.
    let (cpu_then, cpu_at) = *seen
        .cpu
        .get_or_insert_with(|| (stat.as_ref().map_or(0, |s| s.cpu_ticks), now));
    let measured = now > cpu_at;
    let really_stuck = match stat {
        // Asleep in the kernel (S), in uninterruptible I/O (D), stopped...
        Some(stat) if stat.state != b'R' => true,
        // Runnable: on a CPU, or waiting for one?
        Some(stat) => measured && busy(stat.cpu_ticks, cpu_then, now - cpu_at),
        // No /proc: trust the counters, from the second look on.
        None => measured,
    };
    // The thread may have left the goroutine while /proc was read (and be
    // asleep in the scheduler, not in the goroutine).
    if !really_stuck || !same_goroutine_as(seen).0 {
        return;
    }
    if activity.stalled_since.load(Ordering::Relaxed) == 0 {
        activity
            .stalled_goroutine
            .store(goroutine, Ordering::Relaxed);
        activity.stalled_since.store(seen.since, Ordering::Relaxed);
    }
    hand_off_unstarted(shared, w);
    let Some(threshold) = threshold else { return };
    let stalled = Duration::from_nanos(now.saturating_sub(seen.since));
    if seen.reported || stalled < threshold || *last_reported == goroutine {
        return;
    }
    // Settled for this stall either way: while the worker is stuck, no
    // goroutine starts on it.
    seen.reported = true;
    let Some((site, others)) = registry_lookup(shared, index, goroutine) else {
        return;
    };
    if others == 0 {
        return;
    }
    *last_reported = goroutine;
    report(goroutine, site, others, stalled, threshold);
}

/// Goroutines queued on a stuck worker that have not started yet go where
/// an idle worker will take them: its runnext (which idle workers never
/// take themselves) to the injector; its stealable queue is open to them
/// already. An idle worker is woken for either.
fn hand_off_unstarted(shared: &Shared, w: &WorkerShared) {
    let moved = match take_unstarted_runnext(w) {
        Some(task) => {
            shared.injector.push(task);
            true
        }
        None => false,
    };
    if moved || !w.stealer.is_empty() {
        shared.wake_idle();
    }
}

struct ThreadStat {
    state: u8,
    cpu_ticks: u64,
}

/// State and CPU time (user + system, clock ticks) of one of this process's
/// threads, from /proc.
fn thread_stat(tid: i32) -> Option<ThreadStat> {
    if tid <= 0 {
        return None;
    }
    let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields start after
    // the last ')'.
    let mut fields = stat.get(stat.rfind(')')? + 1..)?.split_ascii_whitespace();
    let state = *fields.next()?.as_bytes().first()?;
    // After the state: ppid pgrp session tty_nr tpgid flags minflt cminflt
    // majflt cmajflt, then utime and stime.
    let mut rest = fields.skip(10);
    let utime: u64 = rest.next()?.parse().ok()?;
    let stime: u64 = rest.next()?.parse().ok()?;
    Some(ThreadStat {
        state,
        cpu_ticks: utime + stime,
    })
}

/// Whether a thread that used `cpu_then` clock ticks of CPU `window` ns
/// ago and `cpu_now` now has been running at least half that time.
fn busy(cpu_now: u64, cpu_then: u64, window: u64) -> bool {
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let hz = u64::try_from(hz).ok().filter(|&h| h > 0).unwrap_or(100);
    let busy_ns = cpu_now.saturating_sub(cpu_then) * (1_000_000_000 / hz);
    busy_ns.saturating_mul(2) >= window
}

fn report(
    goroutine: u64,
    site: &'static Location<'static>,
    others: usize,
    stalled: Duration,
    threshold: Duration,
) {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "goru: goroutine {goroutine} has held its worker thread for {} without reaching a yield \
         point (created at {})",
        fmt_duration(stalled),
        fmt_location(site)
    );
    let _ = writeln!(
        out,
        "\t{others} other goroutine(s) started on its worker, and none of them can run until it \
         yields (started goroutines never change threads); goroutines not started yet move to \
         other workers."
    );
    let _ = writeln!(
        out,
        "\tIf it blocks its thread (std::thread::sleep, blocking I/O, a std lock), wrap the call \
         in goru::blocking(|| ...);"
    );
    let _ = writeln!(
        out,
        "\tif it computes for long, call goru::runtime::gosched() now and then in the loop."
    );
    let _ = writeln!(
        out,
        "\t(Reported once per stall past {}; set GORU_STALL_MS or Builder::stall_threshold, 0 \
         turns this off.)",
        fmt_duration(threshold)
    );
    let stderr = std::io::stderr();
    let mut e = stderr.lock();
    let _ = e.write_all(out.as_bytes());
    let _ = e.flush();
}

/// Where goroutine `id`, homed on `worker`, was created, and how many
/// other goroutines started on that worker: looked up in the worker's
/// registry (only when reporting; the hot path publishes the id alone).
fn registry_lookup(
    shared: &Shared,
    worker: usize,
    id: u64,
) -> Option<(&'static Location<'static>, usize)> {
    let w = &shared.workers[worker];
    w.registry_lock.lock();
    // SAFETY: registry lock held.
    unsafe {
        let registry = &*w.registry.get();
        let site = registry
            .iter()
            .find(|t: &&Arc<Task>| t.id == id)
            .map(|t| (t.spawn_site, registry.len() - 1));
        w.registry_lock.unlock();
        site
    }
}

#[cfg(test)]
mod tests {
    use super::{busy, thread_stat};
    use std::time::Duration;

    #[test]
    fn reads_thread_state_from_proc() {
        // SAFETY: gettid has no preconditions.
        let me = unsafe { libc::gettid() };
        let stat = thread_stat(me).expect("/proc/self/task/<tid>/stat");
        assert_eq!(stat.state, b'R', "a thread reading its own stat runs");

        let (tx, rx) = std::sync::mpsc::channel();
        let sleeper = std::thread::spawn(move || {
            // SAFETY: as above.
            tx.send(unsafe { libc::gettid() }).unwrap();
            std::thread::sleep(Duration::from_millis(300));
        });
        let tid = rx.recv().unwrap();
        // The kernel shows a thread in `std::thread::sleep` asleep, not
        // running or waiting for a CPU.
        let mut seen_blocked = false;
        for _ in 0..100 {
            if thread_stat(tid).is_some_and(|s| s.state == b'S') {
                seen_blocked = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(seen_blocked);
        sleeper.join().unwrap();
        assert!(thread_stat(tid).is_none(), "an exited thread has no stat");
    }

    #[test]
    fn busy_means_on_a_cpu_half_the_window() {
        // SAFETY: sysconf has no preconditions.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as u64;
        let tick_ns = 1_000_000_000 / hz;
        assert!(busy(10, 0, 10 * tick_ns), "all the time");
        assert!(busy(5, 0, 10 * tick_ns), "half the time");
        assert!(!busy(4, 0, 10 * tick_ns), "waiting for a CPU most of it");
        assert!(!busy(7, 7, tick_ns), "no CPU at all");
    }
}
