//! Go's fatal errors, checked in child processes: the test binary re-runs
//! itself for one test (`--exact <name>`) with `GORU_CHILD=<scenario>` set;
//! the test body then runs the scenario instead of asserting, and the parent
//! checks the exit status and what the child printed.
//!
//! Scenarios: a deadlock, a panic in a `go` goroutine, a goroutine stack
//! overflow, running out of memory maps with mprotect guard pages, and a few
//! around them (panics that must *not* be fatal, deadlocks that must still be
//! reported when plain threads use channels).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::time::Duration;

use common::{ChildOutput, rerun_test, run_guarded};
use goru::time::secs;
use goru::{Chan, GuardPages};

const CHILD_ENV: &str = "GORU_CHILD";
/// Deadlock guard for a child: far more than any scenario needs.
const CHILD_GUARD: Duration = Duration::from_secs(60);
/// The scenarios with plain threads report within about a second when
/// correct; a shorter guard keeps a regression from slowing the suite.
const THREAD_CHILD_GUARD: Duration = Duration::from_secs(10);

/// In the child: whether this process runs `scenario`.
fn is_child(scenario: &str) -> bool {
    std::env::var(CHILD_ENV).is_ok_and(|s| s == scenario)
}

/// In the parent: true (do nothing) when this is a child for another scenario.
fn is_other_child() -> bool {
    std::env::var_os(CHILD_ENV).is_some()
}

/// Re-runs this test binary for `test` with `GORU_CHILD=scenario`.
fn run_child(test: &str, scenario: &str, guard: Duration) -> ChildOutput {
    run_guarded(rerun_test(test).env(CHILD_ENV, scenario), guard)
}

#[track_caller]
fn assert_contains(out: &ChildOutput, needle: &str) {
    assert!(
        out.stderr.contains(needle),
        "child's stderr lacks {needle:?}\n{}",
        out.describe()
    );
}

/// `goru::run` as a program's main would call it, except that the libtest
/// harness's own threads (which never touch these channels) do not hold off
/// the deadlock report: with its default settings goru assumes a thread it
/// did not start may still send.
fn run_in_harness<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    goru::Builder::new()
        .foreign_threads_can_wake(false)
        .build()
        .block_on(f)
}

#[track_caller]
fn assert_exit_2(out: &ChildOutput) {
    assert!(!out.hung, "child hung\n{}", out.describe());
    assert_eq!(
        out.signal,
        None,
        "child died of a signal instead of exiting 2\n{}",
        out.describe()
    );
    assert_eq!(out.code, Some(2), "child's exit code\n{}", out.describe());
}

// ------------------------------------------------------------- deadlock

#[test]
fn deadlock_exits_2_with_go_message() {
    if is_child("deadlock") {
        run_in_harness(|| {
            let c = Chan::<i32>::new(0);
            c.recv();
        });
        return;
    }
    if is_other_child() {
        return;
    }
    let out = run_child("deadlock_exits_2_with_go_message", "deadlock", CHILD_GUARD);
    assert_exit_2(&out);
    assert_contains(&out, "fatal error: all goroutines are asleep - deadlock!");
    assert_contains(&out, "goroutine 1 [chan receive]:");
    assert_contains(&out, "fatal.rs");
}

// ------------------------------------------------------- goroutine panic

#[test]
fn go_panic_exits_2_with_go_message() {
    if is_child("go-panic") {
        goru::run(|| {
            goru::go(|| panic!("boom"));
            goru::time::sleep(secs(30));
        });
        return;
    }
    if is_other_child() {
        return;
    }
    let out = run_child("go_panic_exits_2_with_go_message", "go-panic", CHILD_GUARD);
    assert_exit_2(&out);
    assert_contains(&out, "panic: boom");
    assert_contains(&out, "goroutine ");
    assert_contains(&out, "[running]");
    assert!(
        !out.stderr.contains("deadlock"),
        "a panic is not a deadlock\n{}",
        out.describe()
    );
}

#[test]
fn main_goroutine_panic_exits_2() {
    if is_child("main-panic") {
        goru::run(|| panic!("main boom"));
        return;
    }
    if is_other_child() {
        return;
    }
    let out = run_child("main_goroutine_panic_exits_2", "main-panic", CHILD_GUARD);
    assert_exit_2(&out);
    assert_contains(&out, "panic: main boom");
    assert_contains(&out, "goroutine 1 [running]");
}

#[test]
fn spawn_panic_is_delivered_to_join_not_fatal() {
    if is_child("spawn-panic") {
        let ok = goru::run(|| {
            let r = goru::spawn(|| -> u8 { panic!("caught by join") }).join();
            r.is_err()
        });
        println!("survived: {ok}");
        return;
    }
    if is_other_child() {
        return;
    }
    let out = run_child(
        "spawn_panic_is_delivered_to_join_not_fatal",
        "spawn-panic",
        CHILD_GUARD,
    );
    assert_eq!(
        out.code,
        Some(0),
        "a spawn() panic must not end the program\n{}",
        out.describe()
    );
    assert!(out.stdout.contains("survived: true"), "{}", out.describe());
}

// -------------------------------------------------------- stack overflow

#[inline(never)]
fn recurse(depth: u64) -> u64 {
    let mut buf = [0u8; 2048];
    buf[(depth % 2048) as usize] = depth as u8;
    let buf = std::hint::black_box(buf);
    if depth == u64::MAX {
        return 0;
    }
    u64::from(buf[(depth.wrapping_mul(7) % 2048) as usize]) + recurse(depth + 1)
}

/// The child side of the overflow tests: a goroutine recursing without end
/// on 64 KiB stacks guarded the given way.
fn overflow_a_goroutine(guard: GuardPages) {
    goru::Builder::new()
        .stack_size(64 * 1024)
        .guard_pages(guard)
        .build()
        .block_on(|| {
            goru::go(|| {
                std::hint::black_box(recurse(0));
            });
            goru::time::sleep(secs(30));
        });
}

#[test]
fn stack_overflow_is_reported_like_go() {
    if is_child("stack-overflow") {
        overflow_a_goroutine(GuardPages::Auto);
        return;
    }
    if is_other_child() {
        return;
    }
    let out = run_child(
        "stack_overflow_is_reported_like_go",
        "stack-overflow",
        CHILD_GUARD,
    );
    assert_exit_2(&out);
    assert_contains(&out, "fatal error: stack overflow");
    assert_contains(&out, "goroutine ");
    assert_contains(&out, "fatal.rs"); // the spawn site of the overflowing goroutine
}

#[test]
fn stack_overflow_is_reported_with_mprotect_guards_too() {
    if is_child("stack-overflow-mprotect") {
        overflow_a_goroutine(GuardPages::Mprotect);
        return;
    }
    if is_other_child() {
        return;
    }
    let out = run_child(
        "stack_overflow_is_reported_with_mprotect_guards_too",
        "stack-overflow-mprotect",
        CHILD_GUARD,
    );
    assert_exit_2(&out);
    assert_contains(&out, "fatal error: stack overflow");
    assert_contains(&out, "fatal.rs");
}

// ------------------------------------------------------------ map limit

fn max_map_count() -> Option<u64> {
    std::fs::read_to_string("/proc/sys/vm/max_map_count")
        .ok()?
        .trim()
        .parse()
        .ok()
}

#[test]
fn map_limit_with_mprotect_guards_names_the_sysctl() {
    let Some(limit) = max_map_count() else {
        eprintln!("skipped: /proc/sys/vm/max_map_count unreadable");
        return;
    };
    if limit > 200_000 {
        eprintln!("skipped: vm.max_map_count = {limit} is too high to reach quickly");
        return;
    }
    let target = limit / 2 + 5_000;
    if is_child("map-limit") {
        goru::Builder::new()
            .guard_pages(GuardPages::Mprotect)
            .build()
            .block_on(move || {
                let c = Chan::<()>::new(0);
                for _ in 0..target {
                    let c = c.clone();
                    goru::go(move || {
                        c.recv(); // parked forever: its stack stays in use
                    });
                }
                goru::time::sleep(secs(30));
                println!("spawned {target} goroutines without running out of maps");
            });
        return;
    }
    if is_other_child() {
        return;
    }
    let out = run_child(
        "map_limit_with_mprotect_guards_names_the_sysctl",
        "map-limit",
        CHILD_GUARD,
    );
    assert_exit_2(&out);
    assert_contains(&out, "vm.max_map_count");
    assert_contains(&out, "sysctl");
}

// ------------------------------------- deadlocks next to plain threads

/// A plain thread blocked forever in Go's `select {}` (no cases), or in a
/// select over nil channels only, can never wake a goroutine, so it must not
/// stop a deadlock report.
#[test]
fn deadlock_reported_while_a_plain_thread_blocks_forever_in_select() {
    if is_child("thread-empty-select") || is_child("thread-nil-select") {
        let nil_only = is_child("thread-nil-select");
        std::thread::spawn(move || {
            let nil = Chan::<i32>::nil();
            let mut r = goru::select::RecvCase::new(nil.raw());
            if nil_only {
                goru::select::select(&mut [r.case()], false);
            } else {
                goru::select::select(&mut [], false);
            }
        });
        std::thread::sleep(Duration::from_millis(50));
        run_in_harness(|| {
            Chan::<i32>::new(0).recv();
        });
        return;
    }
    if is_other_child() {
        return;
    }
    let test = "deadlock_reported_while_a_plain_thread_blocks_forever_in_select";
    let (empty, nil) = std::thread::scope(|s| {
        let e = s.spawn(|| run_child(test, "thread-empty-select", THREAD_CHILD_GUARD));
        let n = s.spawn(|| run_child(test, "thread-nil-select", THREAD_CHILD_GUARD));
        (e.join().unwrap(), n.join().unwrap())
    });
    for out in [&empty, &nil] {
        assert_exit_2(out);
        assert_contains(out, "fatal error: all goroutines are asleep - deadlock!");
    }
}

/// A plain thread that is inside a channel operation when the program
/// deadlocks (here: made long by a slow panic hook while it closes a closed
/// channel) may delay the report, but once it has left the operation the
/// deadlock must still be reported (Go reports every deadlock).
#[test]
fn deadlock_reported_after_a_plain_threads_operation_ends() {
    if is_child("thread-slow-op") {
        // Start (and stop) one runtime first: goru installs its panic hook
        // on the first start, and that must not wait for our slow hook.
        goru::run(|| ());
        let in_hook = Arc::new(AtomicBool::new(false));
        let flag = in_hook.clone();
        std::panic::set_hook(Box::new(move |_| {
            flag.store(true, SeqCst);
            std::thread::sleep(Duration::from_millis(500));
        }));
        let c = Chan::<i32>::new(0);
        c.close();
        std::thread::spawn(move || {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| c.close()));
        });
        while !in_hook.load(SeqCst) {
            std::thread::yield_now();
        }
        // The thread is now inside close() for ~500 ms; the program below
        // deadlocks at once.
        run_in_harness(|| {
            Chan::<i32>::new(0).recv();
        });
        return;
    }
    if is_other_child() {
        return;
    }
    let out = run_child(
        "deadlock_reported_after_a_plain_threads_operation_ends",
        "thread-slow-op",
        THREAD_CHILD_GUARD,
    );
    assert_exit_2(&out);
    assert_contains(&out, "fatal error: all goroutines are asleep - deadlock!");
}

/// A goroutine waiting for a value that a plain thread sends a moment later
/// is not deadlocked: the program completes. (Go does not report a deadlock
/// while threads from outside its scheduler may still call in: its checkdead
/// counts cgo's extra Ms as running.)
#[test]
fn waiting_for_a_plain_thread_is_not_a_deadlock() {
    if is_child("thread-sends-later") {
        let v = goru::run(|| {
            let c = Chan::<u8>::new(0);
            let c2 = c.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(100));
                c2.send(1).unwrap();
            });
            c.recv()
        });
        println!("received {v:?}");
        return;
    }
    if is_other_child() {
        return;
    }
    let out = run_child(
        "waiting_for_a_plain_thread_is_not_a_deadlock",
        "thread-sends-later",
        THREAD_CHILD_GUARD,
    );
    assert_eq!(
        out.code,
        Some(0),
        "a program whose main goroutine waits for a plain thread was killed\n{}",
        out.describe()
    );
    assert!(
        out.stdout.contains("received Some(1)"),
        "{}",
        out.describe()
    );
}
