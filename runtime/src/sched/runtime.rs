//! A runtime: its workers' shared state, the builder, starting and stopping,
//! and the lazily started global runtime used from plain threads.

use std::panic::Location;
use std::sync::atomic::{
    AtomicBool, AtomicI32, AtomicI64, AtomicPtr, AtomicU64, AtomicUsize, Ordering,
};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::Duration;

use crossbeam_deque::{Injector, Stealer};
use crossbeam_utils::CachePadded;

use super::idle::Idle;
use super::inbox::Inbox;
use super::monitor::{self, MonitorSignal};
use super::netpoll::NetPoller;
use super::task::{Task, TaskRef};
use super::timers::TimerHeap;
use super::worker::{self, WorkerContext};
use super::{context, fatal, sigquit};
use crate::stack::{GuardPages, StackAllocator};
use crate::util::lock::RawLock;

/// What an unrecovered panic in a goroutine does.
///
/// Go equivalent: none to choose; Go always does what [`PanicMode::Exit`]
/// does. [`PanicMode::Propagate`] is for tests that expect a panic.
///
/// ```
/// use goru::PanicMode;
///
/// let rt = goru::Builder::new().panic_mode(PanicMode::Propagate).build();
/// let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
///     rt.block_on(|| {
///         goru::go(|| panic!("boom"));
///         goru::time::sleep(goru::time::secs(60)); // the panic ends this
///     })
/// }));
/// assert!(result.is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanicMode {
    /// Print `panic: ...` with the goroutine and exit with status 2, as Go does.
    Exit,
    /// Stop the runtime and re-raise the panic from `block_on` (for tests).
    Propagate,
}

#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) workers: usize,
    pub(crate) panic_mode: PanicMode,
    pub(crate) detect_deadlock: bool,
    pub(crate) foreign_threads_can_wake: bool,
    /// How long a goroutine may hold its worker without yielding before the
    /// stall monitor reports it; `None`: no reports (the monitor still hands
    /// a stuck worker's unstarted goroutines on).
    pub(crate) stall_threshold: Option<Duration>,
}

/// Builds a runtime: worker count, stack size and guard pages, panic and
/// deadlock behaviour.
///
/// Go equivalent: none in code; a Go program's runtime is configured by
/// environment variables (`GOMAXPROCS`, `GODEBUG`) before `main` starts.
///
/// ```
/// let rt = goru::Builder::new()
///     .workers(2)
///     .stack_size(128 * 1024)
///     .build();
/// assert_eq!(rt.block_on(|| goru::spawn(|| 6 * 7).join().unwrap()), 42);
/// ```
#[derive(Clone, Debug)]
pub struct Builder {
    workers: Option<usize>,
    stack_size: Option<usize>,
    guard_pages: GuardPages,
    panic_mode: PanicMode,
    detect_deadlock: bool,
    foreign_threads_can_wake: bool,
    /// `None`: not set, GORU_STALL_MS or the default decides.
    stall_threshold: Option<Option<Duration>>,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

/// Default stack size: generous, since Rust frames are larger than Go's and
/// stacks do not grow; only touched pages cost memory. Go has no such
/// setting (its stacks start at 8 KiB and grow); set goru's with the
/// `GORU_STACK_SIZE` environment variable or [`Builder::stack_size`].
///
/// ```
/// // Twice the default for a program with deep recursion.
/// let runtime = goru::Builder::new()
///     .stack_size(2 * goru::DEFAULT_STACK_SIZE)
///     .build();
/// assert_eq!(runtime.block_on(|| 6 * 7), 42);
/// ```
pub const DEFAULT_STACK_SIZE: usize = 256 * 1024;

/// Default stall threshold: a goroutine that holds its worker this long
/// without reaching a yield point is reported (see [`Builder::stall_threshold`]).
const DEFAULT_STALL_THRESHOLD: Duration = Duration::from_millis(100);

impl Builder {
    /// Defaults: GOMAXPROCS workers (else one per CPU), GORU_STACK_SIZE
    /// (else 256 KiB), guard pages the best way the kernel has, Go's panic
    /// behaviour and deadlock detection, and the stall monitor at
    /// GORU_STALL_MS (else 100 ms).
    ///
    /// Go equivalent: the settings a Go program starts with when no
    /// `GOMAXPROCS` / `GODEBUG` is set.
    ///
    /// ```
    /// let rt = goru::Builder::new().build();
    /// assert!(rt.workers() >= 1);
    /// assert_eq!(rt.block_on(|| 1 + 1), 2);
    /// ```
    pub fn new() -> Self {
        Builder {
            workers: None,
            stack_size: None,
            guard_pages: GuardPages::Auto,
            panic_mode: PanicMode::Exit,
            detect_deadlock: true,
            foreign_threads_can_wake: true,
            stall_threshold: None,
        }
    }

    /// Number of worker threads (Go's GOMAXPROCS).
    ///
    /// ```
    /// let rt = goru::Builder::new().workers(2).build();
    /// assert_eq!(rt.workers(), 2);
    /// assert_eq!(rt.block_on(goru::runtime::gomaxprocs), 2);
    /// ```
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = Some(n.max(1));
        self
    }

    /// Bytes of each goroutine stack (rounded up to pages, at least 16 KiB).
    ///
    /// Go equivalent: none; Go's stacks start small and grow (the closest
    /// knob is `debug.SetMaxStack`, a cap on that growth). goru's stacks are
    /// fixed, so this is the most a goroutine may use.
    ///
    /// ```
    /// let rt = goru::Builder::new().stack_size(64 * 1024).build();
    /// let sum = rt.block_on(|| {
    ///     let buf = [1u8; 16 * 1024]; // fits on a 64 KiB stack
    ///     std::hint::black_box(&buf).iter().map(|&b| u32::from(b)).sum::<u32>()
    /// });
    /// assert_eq!(sum, 16 * 1024);
    /// ```
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = Some(bytes);
        self
    }

    /// How guard pages are made; `GuardPages::Mprotect` forces the fallback
    /// used on kernels older than 6.13.
    ///
    /// Go equivalent: none; Go checks stack bounds in each function's
    /// prologue instead of guarding stacks with pages.
    ///
    /// ```
    /// use goru::GuardPages;
    ///
    /// let rt = goru::Builder::new().guard_pages(GuardPages::Mprotect).build();
    /// assert_eq!(rt.block_on(|| goru::spawn(|| 6 * 7).join().unwrap()), 42);
    /// ```
    pub fn guard_pages(mut self, mode: GuardPages) -> Self {
        self.guard_pages = mode;
        self
    }

    /// What an unrecovered goroutine panic does (default: exit 2, like Go).
    ///
    /// Go equivalent: none to set; Go always prints `panic: ...` and exits
    /// with status 2.
    ///
    /// ```
    /// let rt = goru::Builder::new()
    ///     .panic_mode(goru::PanicMode::Propagate)
    ///     .build();
    /// let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
    ///     rt.block_on(|| panic!("boom"))
    /// }));
    /// assert!(result.is_err()); // re-raised from `block_on`, not exit 2
    /// ```
    pub fn panic_mode(mut self, mode: PanicMode) -> Self {
        self.panic_mode = mode;
        self
    }

    /// Whether `block_on` reports "all goroutines are asleep - deadlock!"
    /// (default on).
    ///
    /// Go equivalent: Go's `fatal error: all goroutines are asleep -
    /// deadlock!`, which is always on.
    ///
    /// ```
    /// let rt = goru::Builder::new()
    ///     .panic_mode(goru::PanicMode::Propagate)
    ///     .foreign_threads_can_wake(false)
    ///     .detect_deadlock(true)
    ///     .build();
    /// let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
    ///     rt.block_on(|| {
    ///         let c = goru::Chan::<i32>::new(0);
    ///         c.recv(); // nobody will ever send
    ///     })
    /// }));
    /// let report = result.unwrap_err();
    /// let msg = report.downcast_ref::<String>().unwrap();
    /// assert!(msg.contains("all goroutines are asleep - deadlock!"));
    /// ```
    pub fn detect_deadlock(mut self, on: bool) -> Self {
        self.detect_deadlock = on;
        self
    }

    /// Whether threads goru did not start (a stdin reader, a signal-handler
    /// thread, a library's callback thread) may wake a goroutine. While one
    /// exists, a runtime whose goroutines all wait is not reported as
    /// deadlocked, since that thread may yet send on a channel. Default on.
    /// Turn it off where only goroutines talk to each other but other
    /// threads exist, as in a test harness.
    ///
    /// Go equivalent: none; a Go program has no threads of its own, so Go
    /// always behaves as if this were off.
    ///
    /// ```
    /// let rt = goru::Builder::new().foreign_threads_can_wake(false).build();
    /// let n = rt.block_on(|| {
    ///     let c = goru::chan![i32; 1];
    ///     c.send(7).unwrap();
    ///     c.recv()
    /// });
    /// assert_eq!(n, Some(7));
    /// ```
    pub fn foreign_threads_can_wake(mut self, yes: bool) -> Self {
        self.foreign_threads_can_wake = yes;
        self
    }

    /// The stall monitor, goru's stand-in for Go's preemption: a goroutine
    /// that holds its worker thread longer than `threshold` without reaching
    /// a yield point (a channel operation, `select`, a sleep, a lock that
    /// parks, `gosched`), while other goroutines started on that worker, is
    /// reported once on stderr, with its id, where it was created, and what
    /// to do about it. Go preempts such a goroutine after 10 ms; goru cannot
    /// move or interrupt a started goroutine, so it tells you instead, and
    /// meanwhile hands the worker's goroutines that have not started yet to
    /// other workers.
    ///
    /// `None` (or a zero duration) turns the report off; goroutines not
    /// started yet still move off a stuck worker. The default is the
    /// `GORU_STALL_MS` environment variable in milliseconds (0 = off), else
    /// 100 ms.
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = goru::Builder::new()
    ///     .stall_threshold(Some(Duration::from_millis(500)))
    ///     .build();
    /// assert_eq!(rt.block_on(|| 6 * 7), 42);
    /// ```
    pub fn stall_threshold(mut self, threshold: Option<Duration>) -> Self {
        self.stall_threshold = Some(threshold.filter(|d| !d.is_zero()));
        self
    }

    /// Starts the worker threads.
    ///
    /// Go equivalent: none; Go's runtime starts before `main`.
    ///
    /// ```
    /// let rt = goru::Builder::new().workers(2).build();
    /// assert_eq!(rt.block_on(|| "hello from goroutine 1"), "hello from goroutine 1");
    /// drop(rt); // stops the workers
    /// ```
    pub fn build(self) -> Runtime {
        let workers = self.workers.unwrap_or_else(default_workers);
        let stack_size = self.stack_size.unwrap_or_else(default_stack_size);
        let config = Config {
            workers,
            panic_mode: self.panic_mode,
            detect_deadlock: self.detect_deadlock,
            foreign_threads_can_wake: self.foreign_threads_can_wake,
            stall_threshold: self.stall_threshold.unwrap_or_else(default_stall_threshold),
        };
        Runtime::start(
            config,
            StackAllocator::get(stack_size, self.guard_pages),
            false,
        )
    }
}

fn default_workers() -> usize {
    std::env::var("GOMAXPROCS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Parses GORU_STACK_SIZE: bytes, or a number with a K, M or G suffix.
pub(crate) fn parse_size(s: &str) -> Option<usize> {
    let s = s.trim();
    let (digits, mult) = match s.char_indices().last()? {
        (i, 'k' | 'K') => (&s[..i], 1024),
        (i, 'm' | 'M') => (&s[..i], 1024 * 1024),
        (i, 'g' | 'G') => (&s[..i], 1024 * 1024 * 1024),
        _ => (s, 1),
    };
    digits.trim().parse::<usize>().ok()?.checked_mul(mult)
}

/// GORU_STALL_MS: milliseconds, 0 turns the stall monitor off; unset or
/// unparsable: the default.
fn default_stall_threshold() -> Option<Duration> {
    match std::env::var("GORU_STALL_MS") {
        Ok(v) => match v.trim().parse::<u64>() {
            Ok(0) => None,
            Ok(ms) => Some(Duration::from_millis(ms)),
            Err(_) => Some(DEFAULT_STALL_THRESHOLD),
        },
        Err(_) => Some(DEFAULT_STALL_THRESHOLD),
    }
}

fn default_stack_size() -> usize {
    std::env::var("GORU_STACK_SIZE")
        .ok()
        .and_then(|v| parse_size(&v))
        .unwrap_or(DEFAULT_STACK_SIZE)
}

/// A worker's state that other threads touch.
pub(crate) struct WorkerShared {
    pub(crate) inbox: Inbox,
    /// Finished goroutines spawned here, sent back by the worker that ran
    /// them so their records are freed by the thread that allocated them
    /// (cross-thread frees contend on the allocator's arena lock).
    pub(crate) graveyard: Inbox,
    pub(crate) stealer: Stealer<TaskRef>,
    /// Go's runnext: the task to run next. Low bit set = not started yet
    /// (then other workers may steal it after a short grace period).
    pub(crate) runnext: AtomicPtr<Task>,
    /// What the worker runs, for runnext stealers and the stall monitor.
    pub(crate) activity: Activity,
    pub(crate) timers: TimerHeap,
    /// Started tasks homed here (Go's allgs, per worker): owns parked tasks.
    pub(crate) registry_lock: RawLock,
    pub(crate) registry: std::cell::UnsafeCell<Vec<TaskRef>>,
    /// Goroutines started minus finished here (plus spawned, for shard 0).
    pub(crate) live: CachePadded<AtomicI64>,
}

// SAFETY: `registry` is only touched with `registry_lock` held; the rest is
// atomic or internally synchronised.
unsafe impl Sync for WorkerShared {}

/// What a worker is doing, published with relaxed stores: the owner writes
/// `tick` and `goroutine` as it schedules (the only cost the stall monitor
/// adds to the hot path is the `goroutine` stores around each resume); other
/// threads read them to tell a worker stuck in one goroutine from a busy one.
/// Kept together so they share a cache line.
pub(crate) struct Activity {
    /// The owner's scheduling counter, bumped each time it looks for work:
    /// unchanged between two looks means one goroutine has run all along.
    pub(crate) tick: AtomicU64,
    /// Id of the goroutine the worker is running; 0 between goroutines.
    pub(crate) goroutine: AtomicU64,
    /// Kernel thread id of the worker (for /proc), set when it starts.
    pub(crate) tid: AtomicI32,
    /// Written by the stall monitor: runtime clock reading since which the
    /// goroutine `stalled_goroutine` has held this worker without yielding
    /// (0: no stall seen). For goroutine dumps.
    pub(crate) stalled_since: AtomicU64,
    pub(crate) stalled_goroutine: AtomicU64,
}

impl Activity {
    fn new() -> Self {
        Activity {
            tick: AtomicU64::new(0),
            goroutine: AtomicU64::new(0),
            tid: AtomicI32::new(0),
            stalled_since: AtomicU64::new(0),
            stalled_goroutine: AtomicU64::new(0),
        }
    }
}

pub(crate) enum Outcome {
    MainReturned,
    Panicked(Box<dyn std::any::Any + Send>),
    Deadlock(String),
}

/// State shared by all workers of one runtime. Leaked on purpose: it must
/// outlive every task and waker that may still point at it, and runtimes are
/// few (one per `block_on` in tests, one global).
pub(crate) struct Shared {
    pub(crate) workers: Box<[WorkerShared]>,
    pub(crate) injector: Injector<TaskRef>,
    pub(crate) config: Config,
    pub(crate) stacks: &'static StackAllocator,
    /// Sleeping and spinning workers, and waking them.
    pub(crate) idle: Idle,
    /// The network poller, made with the first socket wait.
    pub(crate) netpoll: OnceLock<NetPoller>,
    pub(crate) next_id: AtomicU64,
    pub(crate) blocking_in_flight: AtomicUsize,
    /// Go's GOMAXPROCS: workers `0..active_workers` may start goroutines;
    /// the others only run goroutines they started before (those cannot
    /// move) and hand new ones on. Between 1 and `workers.len()`.
    pub(crate) active_workers: AtomicUsize,
    /// Where the stall monitor sleeps (while every worker sleeps).
    pub(crate) monitor: MonitorSignal,
    pub(crate) shutdown: AtomicBool,
    /// Runs goroutine 1 and wants deadlock reports (`block_on`).
    pub(crate) has_main: AtomicBool,
    pub(crate) outcome: Mutex<Option<Outcome>>,
    pub(crate) outcome_ready: Condvar,
    pub(crate) workers_exited: Mutex<usize>,
    pub(crate) workers_exited_cv: Condvar,
}

impl Shared {
    #[inline]
    pub(crate) fn is_current(&'static self) -> bool {
        context::with_worker(|w| std::ptr::eq(w.shared, self)).unwrap_or(false)
    }

    pub(crate) fn live_goroutines(&self) -> i64 {
        self.workers
            .iter()
            .map(|w| w.live.load(Ordering::Relaxed))
            .sum()
    }

    /// Queues `task` on worker `home` (a goroutine made ready from
    /// elsewhere) and wakes that worker if it sleeps.
    #[inline]
    pub(crate) fn push_inbox(&self, home: usize, task: TaskRef) {
        self.workers[home].inbox.push(task);
        self.idle.notify(home);
    }

    /// Wakes a sleeping worker if none is spinning: new stealable work.
    #[inline]
    pub(crate) fn wake_idle(&self) {
        self.idle
            .wake_if_idle(self.active_workers.load(Ordering::SeqCst));
    }

    /// Wakes a sleeping worker that may start goroutines (one below the
    /// GOMAXPROCS limit): the work it is woken for is shared, and a worker
    /// above the limit would not take it.
    #[cold]
    pub(crate) fn wake_one_sleeper(&self) {
        self.idle
            .wake_one(self.active_workers.load(Ordering::SeqCst));
    }

    /// Whether worker `index` may start goroutines (GOMAXPROCS).
    #[inline]
    pub(crate) fn may_start_goroutines(&self, index: usize) -> bool {
        index < self.active_workers.load(Ordering::Relaxed)
    }

    /// Go's `runtime.GOMAXPROCS(n)`: allows `n` workers (capped at the
    /// runtime's worker count) to start goroutines; returns the previous
    /// limit. `n == 0` only reads it.
    pub(crate) fn set_gomaxprocs(&self, n: usize) -> usize {
        if n == 0 {
            return self.active_workers.load(Ordering::SeqCst);
        }
        let n = n.min(self.workers.len());
        let previous = self.active_workers.swap(n, Ordering::SeqCst);
        // Workers crossing the limit either way must look again: one let in
        // may have slept past shared work, one shut out hands its queued
        // new goroutines on.
        let (lo, hi) = (n.min(previous), n.max(previous));
        for i in lo..hi {
            self.idle.notify(i);
        }
        previous
    }

    /// The heap a timer armed now goes on: this worker's, or worker 0's from
    /// other threads.
    pub(crate) fn timer_heap_for_current(&'static self) -> &'static TimerHeap {
        let i = context::with_worker(|w| std::ptr::eq(w.shared, self).then_some(w.index)).flatten();
        &self.workers[i.unwrap_or(0)].timers
    }

    /// A timer was armed: a sleeping worker must recompute its timeout.
    pub(crate) fn timer_armed(&'static self) {
        if !self.is_current() {
            self.idle.notify(0);
            if self.idle.num_sleeping() > 0 {
                self.wake_one_sleeper();
            }
        }
    }

    pub(crate) fn set_outcome(&self, o: Outcome) {
        let mut g = self.outcome.lock().unwrap_or_else(|e| e.into_inner());
        if g.is_none() {
            *g = Some(o);
        }
        self.outcome_ready.notify_all();
    }

    pub(crate) fn begin_shutdown(&self) {
        self.shutdown.store(true, Ordering::SeqCst);
        for i in 0..self.workers.len() {
            self.idle.notify(i);
        }
        self.monitor.stop();
    }
}

/// A goru runtime: N worker threads running goroutines.
///
/// Dropping it stops the workers; goroutines still parked are unwound on
/// their workers (their destructors run), as in a process exit Go would not.
///
/// Go equivalent: the runtime of a Go process, which runs `main` and all
/// its goroutines.
///
/// ```
/// let rt = goru::Builder::new().workers(2).build();
/// let first = rt.block_on(|| 1);
/// let second = rt.block_on(|| goru::spawn(|| 2).join().unwrap());
/// assert_eq!(first + second, 3);
/// ```
#[derive(Debug)]
pub struct Runtime {
    shared: &'static Shared,
    threads: Vec<std::thread::JoinHandle<()>>,
    monitor: Option<std::thread::JoinHandle<()>>,
    global: bool,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("workers", &self.workers.len())
            .finish()
    }
}

impl Runtime {
    fn start(config: Config, stacks: &'static StackAllocator, global: bool) -> Runtime {
        fatal::install_panic_hook();
        let n = config.workers;
        let locals: Vec<crossbeam_deque::Worker<TaskRef>> = (0..n)
            .map(|_| crossbeam_deque::Worker::new_fifo())
            .collect();
        let workers: Box<[WorkerShared]> = locals
            .iter()
            .map(|l| WorkerShared {
                inbox: Inbox::new(),
                graveyard: Inbox::new(),
                stealer: l.stealer(),
                runnext: AtomicPtr::new(std::ptr::null_mut()),
                activity: Activity::new(),
                timers: TimerHeap::new(),
                registry_lock: RawLock::new(),
                registry: std::cell::UnsafeCell::new(Vec::new()),
                live: CachePadded::new(AtomicI64::new(0)),
            })
            .collect();
        let shared: &'static Shared = Box::leak(Box::new(Shared {
            workers,
            injector: Injector::new(),
            config,
            stacks,
            idle: Idle::new(n),
            netpoll: OnceLock::new(),
            next_id: AtomicU64::new(1),
            blocking_in_flight: AtomicUsize::new(0),
            active_workers: AtomicUsize::new(n),
            monitor: MonitorSignal::new(),
            shutdown: AtomicBool::new(false),
            has_main: AtomicBool::new(false),
            outcome: Mutex::new(None),
            outcome_ready: Condvar::new(),
            workers_exited: Mutex::new(0),
            workers_exited_cv: Condvar::new(),
        }));
        // Every runtime's shared state stays reachable from here for the
        // life of the process (late wakers may still point at it).
        static ALL_RUNTIMES: Mutex<Vec<&'static Shared>> = Mutex::new(Vec::new());
        ALL_RUNTIMES
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(shared);
        // The helper threads first: starting threads while the workers come
        // up would shift how the first goroutines are spread over them.
        let threshold = shared.config.stall_threshold;
        let monitor = std::thread::Builder::new()
            .name("goru-monitor".into())
            .spawn(move || monitor::run_monitor(shared, threshold))
            .expect("goru: cannot start the stall monitor thread");
        sigquit::runtime_started(shared);
        let threads = locals
            .into_iter()
            .enumerate()
            .map(|(i, fresh)| {
                std::thread::Builder::new()
                    .name(format!("goru-worker-{i}"))
                    .spawn(move || worker::run_worker(WorkerContext::new(shared, i, fresh)))
                    .expect("goru: cannot start a worker thread")
            })
            .collect();
        Runtime {
            shared,
            threads,
            monitor: Some(monitor),
            global,
        }
    }

    /// Runs `f` as goroutine 1 of this runtime and returns its result, the
    /// way a Go program's main runs. Fails like Go when every goroutine is
    /// asleep (deadlock) or one panics, per the builder's settings.
    ///
    /// Go equivalent: `func main()` of a Go program.
    ///
    /// ```
    /// use goru::prelude::*;
    ///
    /// let rt = goru::Builder::new().workers(2).build();
    /// let total = rt.block_on(|| {
    ///     let results = chan![i32];
    ///     for n in 1..=3 {
    ///         let tx = results.sender();
    ///         go! { tx.send(n * n).unwrap(); }
    ///     }
    ///     (0..3).map(|_| results.recv().unwrap()).sum::<i32>()
    /// });
    /// assert_eq!(total, 1 + 4 + 9);
    /// ```
    #[track_caller]
    pub fn block_on<T, F>(&self, f: F) -> T
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        assert!(
            context::current_task().is_none(),
            "goru: run/block_on called from inside a goroutine; it would block a worker thread. \
             Call the function directly, or start a goroutine with goru::go/goru::spawn"
        );
        let shared = self.shared;
        let slot: Arc<Mutex<Option<T>>> = Arc::new(Mutex::new(None));
        let out = Arc::clone(&slot);
        shared
            .has_main
            .store(shared.config.detect_deadlock, Ordering::SeqCst);
        let entry = super::spawn::go_entry(move || {
            let v = f();
            *out.lock().unwrap_or_else(|e| e.into_inner()) = Some(v);
            shared.set_outcome(Outcome::MainReturned);
        });
        super::spawn::spawn_on(shared, entry, Location::caller());
        let _known = fatal::KnownThread::enter();
        let mut outcome = shared.outcome.lock().unwrap_or_else(|e| e.into_inner());
        while outcome.is_none() {
            outcome = shared
                .outcome_ready
                .wait(outcome)
                .unwrap_or_else(|e| e.into_inner());
        }
        match outcome.take().expect("checked above") {
            Outcome::MainReturned => {
                drop(outcome);
                slot.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take()
                    .expect("main goroutine stored its result")
            }
            Outcome::Panicked(p) => {
                drop(outcome);
                std::panic::resume_unwind(p)
            }
            Outcome::Deadlock(report) => {
                drop(outcome);
                panic!("{report}")
            }
        }
    }

    /// Number of worker threads: the most [`crate::runtime::set_gomaxprocs`]
    /// can allow.
    ///
    /// Go equivalent: the `GOMAXPROCS` a Go program started with
    /// (`runtime.GOMAXPROCS(0)` before any change).
    ///
    /// ```
    /// let rt = goru::Builder::new().workers(3).build();
    /// assert_eq!(rt.workers(), 3);
    /// ```
    pub fn workers(&self) -> usize {
        self.shared.workers.len()
    }

    /// After `block_on` returned: waits up to `grace` for the runtime's other
    /// goroutines to finish; if some are still alive, their count and dump.
    pub(crate) fn leaked_goroutines(&self, grace: Duration) -> Option<(i64, String)> {
        let deadline = std::time::Instant::now() + grace;
        loop {
            let live = self.shared.live_goroutines();
            if live <= 0 {
                return None;
            }
            if std::time::Instant::now() >= deadline {
                return Some((live, fatal::dump(self.shared)));
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if self.global {
            return;
        }
        sigquit::runtime_stopped(self.shared);
        self.shared.begin_shutdown();
        if let Some(m) = self.monitor.take() {
            // It never runs user code and was told to stop: it exits at once.
            let _ = m.join();
        }
        // Wait for workers to unwind their goroutines, but never hang on a
        // goroutine that does not yield (Go would simply exit): detach then.
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        let mut exited = self
            .shared
            .workers_exited
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        while *exited < self.threads.len() {
            let now = std::time::Instant::now();
            if now >= deadline {
                return;
            }
            exited = self
                .shared
                .workers_exited_cv
                .wait_timeout(exited, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        drop(exited);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
        while !matches!(self.shared.injector.steal(), crossbeam_deque::Steal::Empty) {}
    }
}

/// The runtime of the current goroutine, else the global one (started on
/// first use with the default builder settings, deadlock detection off since
/// plain threads may wake goroutines at any time).
pub(crate) fn current_or_global() -> &'static Shared {
    if let Some(s) = context::with_worker(|w| w.shared) {
        return s;
    }
    global()
}

pub(crate) fn global() -> &'static Shared {
    static GLOBAL: OnceLock<Runtime> = OnceLock::new();
    GLOBAL
        .get_or_init(|| {
            let config = Config {
                workers: default_workers(),
                panic_mode: PanicMode::Exit,
                detect_deadlock: false,
                foreign_threads_can_wake: true,
                stall_threshold: default_stall_threshold(),
            };
            Runtime::start(
                config,
                StackAllocator::get(default_stack_size(), GuardPages::Auto),
                true,
            )
        })
        .shared
}

/// Runs `f` as the main goroutine of a new runtime built with the default
/// settings (GOMAXPROCS workers), then stops it: Go's program model.
///
/// Go equivalent: `func main()`; the closure is its body.
///
/// ```
/// use goru::prelude::*;
///
/// let answer = goru::run(|| {
///     let c = chan![i32];
///     let tx = c.sender();
///     go! { tx.send(42).unwrap(); }
///     c.recv().unwrap()
/// });
/// assert_eq!(answer, 42);
/// ```
#[track_caller]
pub fn run<T, F>(f: F) -> T
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    Builder::new().build().block_on(f)
}
