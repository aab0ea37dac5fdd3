//! `#[goru::main]` and `#[goru::test]`: the function body runs as goroutine
//! 1 of a fresh runtime, Go's program model.

use std::io::Write as _;
use std::process::{ExitCode, Termination};
use std::time::Duration;

use crate::sched::{Builder, PanicMode};

/// How long `#[goru::test]` waits for the test's goroutines to finish after
/// its body returns before calling them leaked (goleak waits similarly).
const LEAK_GRACE: Duration = Duration::from_millis(500);

/// `#[goru::main]`: runs `main` as goroutine 1 (GOMAXPROCS workers). When it
/// returns, the process exits at once, as a Go program does, even if other
/// goroutines still run; a failing result is reported the way Rust's `main`
/// reports it. A panic or a deadlock ends the program with Go's report and
/// exit status 2.
#[track_caller]
pub fn run_main<F, T>(main: F) -> ExitCode
where
    F: FnOnce() -> T + Send + 'static,
    T: Termination,
{
    let runtime = Builder::new().build();
    let code = runtime.block_on(move || main().report());
    let _ = std::io::stdout().flush();
    if code == ExitCode::SUCCESS {
        std::process::exit(0);
    }
    code
}

/// `#[goru::test]`: runs the test as goroutine 1 of its own runtime. The
/// test fails when any of its goroutines panics, when they deadlock, when
/// it returns an error, and when goroutines it started are still alive at
/// its end (listed with where they wait and where they were started).
#[track_caller]
pub fn run_test<F, T>(test: F)
where
    F: FnOnce() -> T + Send + 'static,
    T: Termination,
{
    let runtime = Builder::new()
        .panic_mode(PanicMode::Propagate)
        // The test harness's own threads never wake goroutines.
        .foreign_threads_can_wake(false)
        .build();
    let code = runtime.block_on(move || test().report());
    assert!(
        code == ExitCode::SUCCESS,
        "the test returned an error (printed above)"
    );
    if let Some((count, dump)) = runtime.leaked_goroutines(LEAK_GRACE) {
        panic!(
            "goru::test: {count} goroutine(s) started by this test are still alive at its end \
             (leaked):\n\n{dump}"
        );
    }
}
