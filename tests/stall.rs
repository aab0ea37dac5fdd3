//! The stall monitor, checked in child processes since it reports on stderr:
//! the test binary re-runs itself for one test (`--exact <name>`) with
//! `GORU_STALL_CHILD=<scenario>` set, the child runs the scenario and prints
//! what it saw on stdout, and the parent checks that and the child's stderr.
//!
//! The scenario: with GOMAXPROCS=2, a goroutine spawns a few goroutines and
//! then blocks its OS thread (`std::thread::sleep`, no yield point). The
//! goroutines queued behind it have not started, so they must run on the
//! other worker while it still holds its own: it keeps blocking (never
//! yielding) until it sees them all done, so their having run before it
//! returns is an ordering fact, not a timing guess. The monitor must report
//! it once, with its id, spawn site, how long and what to do.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::{Duration, Instant};

use common::{ChildOutput, HANG_GUARD, rerun_test, run_guarded};

const CHILD_ENV: &str = "GORU_STALL_CHILD";
/// Deadlock guard for a child: far more than any scenario needs.
const CHILD_GUARD: Duration = Duration::from_secs(60);
/// What every report starts with (then the goroutine's id).
const REPORT: &str = "goru: goroutine ";

fn is_child(scenario: &str) -> bool {
    std::env::var(CHILD_ENV).is_ok_and(|s| s == scenario)
}

fn is_other_child() -> bool {
    std::env::var_os(CHILD_ENV).is_some()
}

impl ChildOutput {
    /// The `key=value` fields of the child's `RESULT` line.
    fn result(&self, key: &str) -> String {
        // libtest's "test name ... " may precede it on its line.
        let line = self
            .stdout
            .lines()
            .find_map(|l| l.find("RESULT ").map(|at| &l[at..]))
            .unwrap_or_else(|| panic!("no RESULT line\n{}", self.describe()));
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
            .unwrap_or_else(|| panic!("no {key}= in {line:?}\n{}", self.describe()))
            .to_string()
    }

    fn assert_ok(&self) {
        assert!(!self.hung, "child hung\n{}", self.describe());
        assert_eq!(
            self.signal,
            None,
            "child died of a signal\n{}",
            self.describe()
        );
        assert_eq!(self.code, Some(0), "child's exit code\n{}", self.describe());
    }
}

/// Re-runs this test binary for `test` as `scenario`, with `env` set (a
/// value of `None` removes the variable).
fn run_child(test: &str, scenario: &str, env: &[(&str, Option<&str>)]) -> ChildOutput {
    let mut cmd = rerun_test(test);
    cmd.env(CHILD_ENV, scenario);
    for (k, v) in env {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    run_guarded(&mut cmd, CHILD_GUARD)
}

/// Goroutines the blocking goroutine spawns before it blocks.
const QUEUED: usize = 4;

/// In the child: the blocking goroutine and those queued behind it, on a
/// runtime built by `builder` (GOMAXPROCS from the environment). Prints
/// `RESULT` with the goroutine's id and spawn line, how many queued
/// goroutines ran while it held its worker, and on how many other threads.
fn blocking_goroutine_scenario(builder: goru::Builder, block: Duration) {
    let rt = builder.foreign_threads_can_wake(false).build();
    rt.block_on(move || {
        let workers = goru::runtime::gomaxprocs();
        let ran = Arc::new(AtomicUsize::new(0));
        let elsewhere = Arc::new(AtomicUsize::new(0));
        let (r, e) = (Arc::clone(&ran), Arc::clone(&elsewhere));
        let line = line!() + 1;
        let blocker = goru::spawn(move || {
            let me = std::thread::current().id();
            for _ in 0..QUEUED {
                let (r, e) = (Arc::clone(&r), Arc::clone(&e));
                goru::go(move || {
                    if std::thread::current().id() != me {
                        e.fetch_add(1, SeqCst);
                    }
                    r.fetch_add(1, SeqCst);
                });
            }
            // Blocks the OS thread: no yield point.
            std::thread::sleep(block);
            // Still no yield point: whatever runs now runs elsewhere.
            let deadline = Instant::now() + HANG_GUARD;
            while r.load(SeqCst) < QUEUED && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            (r.load(SeqCst), e.load(SeqCst))
        });
        let id = blocker.id();
        let (ran_before_return, ran_elsewhere) = blocker.join().unwrap();
        println!(
            "RESULT id={id} line={line} workers={workers} ran={ran_before_return} \
             elsewhere={ran_elsewhere} total={}",
            ran.load(SeqCst)
        );
    });
}

/// The reports on `stderr`.
fn reports(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.starts_with(REPORT)).collect()
}

/// Milliseconds in a Go-style duration (`150ms`, `1.2s`).
fn millis(d: &str) -> f64 {
    if let Some(ms) = d.strip_suffix("ms") {
        ms.parse().unwrap()
    } else if let Some(s) = d.strip_suffix('s') {
        s.parse::<f64>().unwrap() * 1000.0
    } else {
        panic!("not a duration: {d:?}")
    }
}

/// The queued goroutines all ran, on the other worker, while the blocking
/// goroutine still held its own.
fn assert_queued_ran_elsewhere(out: &ChildOutput) {
    out.assert_ok();
    assert_eq!(out.result("workers"), "2", "{}", out.describe());
    assert_eq!(
        out.result("ran"),
        QUEUED.to_string(),
        "the goroutines queued behind the blocked one did not all run before it returned\n{}",
        out.describe()
    );
    assert_eq!(
        out.result("elsewhere"),
        QUEUED.to_string(),
        "queued goroutines must run on the other worker's thread\n{}",
        out.describe()
    );
}

#[test]
fn thread_sleep_in_a_goroutine_is_reported_once_and_queued_goroutines_move() {
    const NAME: &str = "thread_sleep_in_a_goroutine_is_reported_once_and_queued_goroutines_move";
    if is_child("report") {
        blocking_goroutine_scenario(goru::Builder::new(), Duration::from_millis(300));
        return;
    }
    if is_other_child() {
        return;
    }
    let out = run_child(
        NAME,
        "report",
        &[("GOMAXPROCS", Some("2")), ("GORU_STALL_MS", None)],
    );
    assert_queued_ran_elsewhere(&out);
    let (id, line) = (out.result("id"), out.result("line"));
    let reports = reports(&out.stderr);
    assert_eq!(reports.len(), 1, "one report per stall\n{}", out.describe());
    let report = reports[0];
    let prefix = format!("{REPORT}{id} has held its worker thread for ");
    let rest = report
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("report names goroutine {id}\n{}", out.describe()));
    let (duration, rest) = rest.split_once(' ').unwrap();
    assert!(
        millis(duration) >= 100.0,
        "reported after {duration}, before the 100 ms default threshold\n{}",
        out.describe()
    );
    assert!(
        rest.contains(&format!("(created at {}:{line}:", file!())),
        "report names the spawn site, line {line}\n{}",
        out.describe()
    );
    for advice in [
        // Goroutine 1 (main, waiting in join) started on the same worker.
        "\t1 other goroutine(s) started on its worker, and none of them can run until it yields",
        "goru::blocking(|| ...)",
        "goru::runtime::gosched()",
        "GORU_STALL_MS",
    ] {
        assert!(
            out.stderr.contains(advice),
            "report lacks {advice:?}\n{}",
            out.describe()
        );
    }
}

#[test]
fn gorustallms_zero_turns_the_report_off() {
    const NAME: &str = "gorustallms_zero_turns_the_report_off";
    if is_child("off") {
        blocking_goroutine_scenario(goru::Builder::new(), Duration::from_millis(300));
        return;
    }
    if is_other_child() {
        return;
    }
    let out = run_child(
        NAME,
        "off",
        &[("GOMAXPROCS", Some("2")), ("GORU_STALL_MS", Some("0"))],
    );
    // Only the report is off: the queued goroutines still move.
    assert_queued_ran_elsewhere(&out);
    assert!(
        reports(&out.stderr).is_empty(),
        "GORU_STALL_MS=0 must turn the report off\n{}",
        out.describe()
    );
}

#[test]
fn builder_threshold_overrides_the_environment() {
    const NAME: &str = "builder_threshold_overrides_the_environment";
    if is_child("builder") {
        let b = goru::Builder::new().stall_threshold(Some(Duration::from_millis(40)));
        blocking_goroutine_scenario(b, Duration::from_millis(150));
        return;
    }
    if is_other_child() {
        return;
    }
    let out = run_child(
        NAME,
        "builder",
        &[("GOMAXPROCS", Some("2")), ("GORU_STALL_MS", Some("0"))],
    );
    assert_queued_ran_elsewhere(&out);
    assert_eq!(
        reports(&out.stderr).len(),
        1,
        "Builder::stall_threshold wins over GORU_STALL_MS\n{}",
        out.describe()
    );
    assert!(
        out.stderr.contains("past 40ms"),
        "report names the threshold\n{}",
        out.describe()
    );
}

#[test]
fn a_goroutine_alone_on_its_worker_is_not_reported() {
    const NAME: &str = "a_goroutine_alone_on_its_worker_is_not_reported";
    if is_child("alone") {
        let rt = goru::Builder::new()
            .workers(2)
            .foreign_threads_can_wake(false)
            .build();
        // Main is the only goroutine: its stall holds nobody up.
        rt.block_on(|| std::thread::sleep(Duration::from_millis(300)));
        println!("RESULT done=1");
        return;
    }
    if is_other_child() {
        return;
    }
    let out = run_child(NAME, "alone", &[("GORU_STALL_MS", None)]);
    out.assert_ok();
    assert!(
        reports(&out.stderr).is_empty(),
        "no goroutine waits for it, so there is nothing to report\n{}",
        out.describe()
    );
}

#[test]
fn a_goroutine_that_yields_is_not_reported() {
    const NAME: &str = "a_goroutine_that_yields_is_not_reported";
    if is_child("yields") {
        let rt = goru::Builder::new()
            .workers(2)
            .stall_threshold(Some(Duration::from_millis(50)))
            .foreign_threads_can_wake(false)
            .build();
        rt.block_on(|| {
            // Longer than the threshold in all, never long between yields.
            let h = goru::spawn(|| {
                let start = Instant::now();
                let mut rounds = 0u64;
                while start.elapsed() < Duration::from_millis(300) {
                    std::thread::sleep(Duration::from_millis(1));
                    goru::runtime::gosched();
                    rounds += 1;
                }
                rounds
            });
            println!("RESULT rounds={}", h.join().unwrap());
        });
        return;
    }
    if is_other_child() {
        return;
    }
    let out = run_child(NAME, "yields", &[("GORU_STALL_MS", None)]);
    out.assert_ok();
    assert!(
        reports(&out.stderr).is_empty(),
        "a goroutine that yields every millisecond is not stalled\n{}",
        out.describe()
    );
}

#[test]
fn dump_shows_how_long_a_goroutine_has_held_its_worker() {
    // In process: the monitor reports on stderr, which the harness captures.
    let dump = common::run_with(
        common::builder(2).stall_threshold(Some(Duration::from_secs(3600))),
        || {
            let h = goru::spawn(|| {
                // Blocks its thread until the monitor has seen it stuck, so
                // the dump it takes of itself shows the stall.
                let deadline = Instant::now() + HANG_GUARD;
                loop {
                    std::thread::sleep(Duration::from_millis(5));
                    let dump = goru::runtime::stack();
                    if dump.contains("holding its worker without yielding for")
                        || Instant::now() >= deadline
                    {
                        return dump;
                    }
                }
            });
            let id = h.id();
            (id, h.join().unwrap())
        },
    );
    let (id, dump) = dump;
    assert!(
        dump.contains(&format!(
            "goroutine {id} [running]:\n\t(holding its worker without yielding for "
        )),
        "{dump}"
    );
}
