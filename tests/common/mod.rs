//! Helpers shared by the integration tests.
//!
//! Nothing here asserts how fast anything is: every bound below is a guard
//! against hangs (a lost wake-up or a missed deadlock would otherwise stall
//! the whole suite), generous enough for a loaded 2-core CI machine.

#![allow(dead_code)]

use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

/// How long any single blocking wait may take before the test is declared
/// hung. A guard only: healthy tests finish orders of magnitude sooner.
pub const HANG_GUARD: Duration = Duration::from_secs(30);

/// A builder for an in-process test runtime: `workers` workers, goroutine
/// panics and deadlocks re-raised from `block_on`. The test harness's own
/// threads never touch the test's channels, so they do not hold off
/// deadlock reports.
pub fn builder(workers: usize) -> goru::Builder {
    goru::Builder::new()
        .workers(workers)
        .panic_mode(goru::PanicMode::Propagate)
        .foreign_threads_can_wake(false)
}

/// Runs `f` as goroutine 1 of a fresh runtime with `workers` workers
/// (propagating panics and deadlocks) and returns its result. Fails the test
/// if the runtime has not finished within [`HANG_GUARD`].
#[track_caller]
pub fn run<T, F>(workers: usize, f: F) -> T
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    run_with(builder(workers), f)
}

/// Like [`run`], with a caller-configured builder.
#[track_caller]
pub fn run_with<T, F>(b: goru::Builder, f: F) -> T
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let caller = std::panic::Location::caller();
    let (tx, rx) = std::sync::mpsc::channel();
    let th = std::thread::Builder::new()
        .name("goru-test-main".into())
        .spawn(move || {
            // The runtime is dropped (workers stopped) before the result is sent.
            let r = std::panic::catch_unwind(AssertUnwindSafe(|| b.build().block_on(f)));
            let _ = tx.send(r);
        })
        .expect("spawn test thread");
    match rx.recv_timeout(HANG_GUARD) {
        Ok(Ok(v)) => {
            let _ = th.join();
            v
        }
        Ok(Err(payload)) => {
            let _ = th.join();
            std::panic::resume_unwind(payload)
        }
        Err(_) => panic!(
            "hang guard: the runtime started at {caller} did not finish within {HANG_GUARD:?} \
             (lost wake-up, missed deadlock report, or livelock)"
        ),
    }
}

/// Polls `cond` (sleeping 1 ms between polls: parks a goroutine, sleeps a
/// thread) until it holds; fails after [`HANG_GUARD`].
#[track_caller]
pub fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + HANG_GUARD;
    while !cond() {
        assert!(
            Instant::now() < deadline,
            "hang guard: `{what}` did not happen within {HANG_GUARD:?}"
        );
        goru::time::sleep(Duration::from_millis(1));
    }
}

/// How many goroutines of the current runtime are parked with this wait
/// reason (as Go's dump names it, e.g. "chan send", "chan receive", "select").
pub fn parked(reason: &str) -> usize {
    goru::runtime::stack_dump()
        .matches(&format!(" [{reason}]:"))
        .count()
}

/// Waits until exactly `n` goroutines are parked with `reason`.
#[track_caller]
pub fn wait_parked(reason: &str, n: usize) {
    wait_until(&format!("{n} goroutine(s) parked in [{reason}]"), || {
        parked(reason) == n
    });
}

/// The text of a panic payload (`&str` or `String`).
pub fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_string()
    }
}

/// Receives from `c`, failing the test if nothing arrives within
/// [`HANG_GUARD`] (a select against a `time::after` guard).
#[track_caller]
pub fn recv_guarded<T: Send>(c: &goru::Receiver<T>, what: &str) -> Option<T> {
    use goru::select::{RecvCase, select};
    let guard = goru::time::after(HANG_GUARD);
    let mut a = RecvCase::new(c.raw());
    let mut g = RecvCase::new(guard.raw());
    let fired = select(&mut [a.case(), g.case()], false);
    match fired {
        Some(0) => a.take(),
        Some(1) => panic!("hang guard: {what}: nothing received within {HANG_GUARD:?}"),
        other => unreachable!("select returned {other:?}"),
    }
}

/// How a child process ended and what it printed.
#[derive(Debug)]
pub struct ChildOutput {
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// Killed after outliving its guard.
    pub hung: bool,
    pub elapsed: Duration,
}

impl ChildOutput {
    /// Everything about the run, for a failure message.
    pub fn describe(&self) -> String {
        format!(
            "exit code {:?}, signal {:?}{}, {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code,
            self.signal,
            if self.hung {
                ", KILLED: did not exit within the guard"
            } else {
                ""
            },
            self.elapsed,
            self.stdout,
            self.stderr
        )
    }
}

/// Runs `cmd` with stdin closed and stdout and stderr captured, killing it
/// if it outlives `guard`. Both pipes are read while it runs, so a child
/// that prints a lot never blocks on a full pipe.
pub fn run_guarded(cmd: &mut std::process::Command, guard: Duration) -> ChildOutput {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;

    fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    }

    let started = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let stdout = drain(child.stdout.take().expect("piped stdout"));
    let stderr = drain(child.stderr.take().expect("piped stderr"));
    let mut hung = false;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for child") {
            break status;
        }
        if started.elapsed() >= guard {
            hung = true;
            let _ = child.kill(); // our own child, by its handle
            break child.wait().expect("wait for killed child");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    ChildOutput {
        code: status.code(),
        signal: status.signal(),
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
        hung,
        elapsed: started.elapsed(),
    }
}

/// This test binary, set to run the single test `test` with its output
/// uncaptured and without backtraces (the child's stderr is checked).
pub fn rerun_test(test: &str) -> std::process::Command {
    let mut cmd = std::process::Command::new(std::env::current_exe().expect("current_exe"));
    cmd.args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env_remove("RUST_BACKTRACE");
    cmd
}

/// Runs the built example `name` with `args` (and `GOMAXPROCS` from the
/// environment). The examples are built by `cargo test` along with the
/// tests, next to them: target/<profile>/examples/<name>. Fails the test if
/// it has not finished within [`HANG_GUARD`].
pub fn run_example(name: &str, args: &[&str]) -> ChildOutput {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let out = run_guarded(
        std::process::Command::new(dir.join("examples").join(name)).args(args),
        HANG_GUARD,
    );
    assert!(
        !out.hung,
        "example {name} {args:?} did not finish within {HANG_GUARD:?}\n{}",
        out.describe()
    );
    out
}

/// Runs the example and returns its stdout, failing unless it exited 0.
pub fn example_stdout(name: &str) -> String {
    let run = run_example(name, &[]);
    assert_eq!(
        run.code,
        Some(0),
        "example {name} failed:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    run.stdout
}
