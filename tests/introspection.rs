//! Go's `runtime` package: `GOMAXPROCS(n)` (set_gomaxprocs), `Stack`
//! (stack) and the goroutine dump on SIGQUIT. SIGQUIT ends the process, so
//! those scenarios run in a child: the test binary re-runs itself for one
//! test with `GORU_INTROSPECTION_CHILD=<scenario>` set.

mod common;

use std::collections::HashSet;
use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{ChildOutput, HANG_GUARD, rerun_test, run, run_guarded, wait_parked};
use goru::Chan;
use goru::runtime::{gomaxprocs, set_gomaxprocs, stack};

// ------------------------------------------------------------- GOMAXPROCS

#[test]
fn set_gomaxprocs_round_trips_and_caps_at_the_worker_count() {
    run(2, || {
        assert_eq!(gomaxprocs(), 2);
        assert_eq!(set_gomaxprocs(0), 2, "0 reads the setting");
        assert_eq!(gomaxprocs(), 2, "0 does not change it");
        assert_eq!(set_gomaxprocs(1), 2, "returns the previous setting");
        assert_eq!(gomaxprocs(), 1);
        assert_eq!(set_gomaxprocs(1), 1);
        assert_eq!(set_gomaxprocs(64), 1);
        assert_eq!(gomaxprocs(), 2, "capped at the runtime's worker count");
        assert_eq!(set_gomaxprocs(2), 2);
    });
}

/// Goroutines started while one worker is allowed, each reporting the
/// thread it runs on; they pass a token round a ring so they depend on each
/// other, and the token's hop count is checked.
fn ring_on_threads(goroutines: usize, rounds: usize) -> HashSet<std::thread::ThreadId> {
    let threads = Chan::<std::thread::ThreadId>::new(goroutines);
    let first = Chan::<usize>::new(0);
    let mut prev = first.clone();
    for _ in 0..goroutines {
        let next = Chan::<usize>::new(0);
        let (rx, tx, th) = (prev.clone(), next.clone(), threads.clone());
        goru::go(move || {
            th.send(std::thread::current().id()).unwrap();
            while let Some(hops) = rx.recv() {
                tx.send(hops + 1).unwrap();
            }
            tx.close();
        });
        prev = next;
    }
    let last = prev;
    let mut hops = 0;
    for _ in 0..rounds {
        first.send(hops).unwrap();
        hops = last.recv().unwrap();
    }
    first.close();
    assert_eq!(last.recv(), None, "the ring closes behind the token");
    assert_eq!(hops, goroutines * rounds, "every hop counted");
    (0..goroutines).map(|_| threads.recv().unwrap()).collect()
}

#[test]
fn work_completes_with_one_worker_allowed_and_new_goroutines_start_there() {
    run(2, || {
        assert_eq!(set_gomaxprocs(1), 2);
        // Whichever worker main runs on, every goroutine started from now on
        // starts on the one allowed worker (started ones never move).
        let threads = ring_on_threads(100, 50);
        assert_eq!(
            threads.len(),
            1,
            "with GOMAXPROCS=1, new goroutines all start on one worker"
        );
        // Spawned from a goroutine that itself runs on the allowed worker.
        let nested = goru::spawn(|| ring_on_threads(50, 20)).join().unwrap();
        assert_eq!(nested, threads, "the same single worker");
        // A burst of short goroutines with a checked total.
        let done = Chan::<u64>::new(0);
        for i in 0..1000u64 {
            let d = done.clone();
            goru::go(move || d.send(i).unwrap());
        }
        let sum: u64 = (0..1000).map(|_| done.recv().unwrap()).sum();
        assert_eq!(sum, 999 * 1000 / 2);
        // Allowed again, both workers take work; the program still completes.
        assert_eq!(set_gomaxprocs(2), 1);
        let threads = ring_on_threads(100, 50);
        assert!(!threads.is_empty());
    });
}

#[test]
fn lowering_gomaxprocs_hands_queued_goroutines_on() {
    run(2, || {
        // Goroutines queued on whichever worker main is on, then that worker
        // may be shut out: they must still run.
        let done = Chan::<usize>::new(0);
        for i in 0..64 {
            let d = done.clone();
            goru::go(move || d.send(i).unwrap());
        }
        set_gomaxprocs(1);
        let sum: usize = (0..64).map(|_| done.recv().unwrap()).sum();
        assert_eq!(sum, 63 * 64 / 2);
        set_gomaxprocs(2);
    });
}

// ------------------------------------------------------------- stack()

#[test]
fn stack_lists_goroutines_with_state_place_duration_and_spawn_site() {
    let (dump, id, go_line, recv_line) = run(2, || {
        let c = Chan::<()>::new(0);
        let c2 = c.clone();
        let lines = Chan::<u32>::new(1);
        let l = lines.clone();
        let go_line = line!() + 1;
        let h = goru::spawn(move || {
            l.send(line!() + 1).unwrap();
            c2.recv();
        });
        wait_parked("chan receive", 1);
        let dump = stack();
        let recv_line = lines.recv().unwrap();
        let id = h.id();
        c.close();
        h.join().unwrap();
        (dump, id, go_line, recv_line)
    });
    let file = file!();
    assert!(dump.starts_with("goroutine 1 [running]:\n"), "{dump}");
    let entry = format!("goroutine {id} [chan receive]:\n\t{file}:{recv_line}:",);
    let at = dump
        .find(&entry)
        .unwrap_or_else(|| panic!("{entry:?} in\n{dump}"));
    let rest = &dump[at + entry.len()..];
    let mut lines = rest.lines();
    let blocked_line = lines.next().unwrap();
    assert!(
        blocked_line.contains(" (blocked for ") && blocked_line.ends_with(')'),
        "how long it has been blocked: {blocked_line:?}\n{dump}"
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with(&format!("created at {file}:{go_line}:")),
        "{dump}"
    );
}

// ------------------------------------------------------------- SIGQUIT

const CHILD_ENV: &str = "GORU_INTROSPECTION_CHILD";

fn is_child(scenario: &str) -> bool {
    std::env::var(CHILD_ENV).is_ok_and(|s| s == scenario)
}

fn is_other_child() -> bool {
    std::env::var_os(CHILD_ENV).is_some()
}

impl ChildOutput {
    fn field(&self, key: &str) -> String {
        self.stdout
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
            .unwrap_or_else(|| panic!("no {key}= on stdout\n{}", self.describe()))
            .to_string()
    }
}

/// Re-runs this test binary for `test` as `scenario`, with core dumps off
/// (a SIGQUIT that is not handled dumps core).
fn run_child(test: &str, scenario: &str) -> ChildOutput {
    let rerun = rerun_test(test);
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "ulimit -c 0; exec \"$0\" \"$@\""])
        .arg(rerun.get_program())
        .args(rerun.get_args())
        .env(CHILD_ENV, scenario)
        .env_remove("RUST_BACKTRACE");
    run_guarded(&mut cmd, Duration::from_secs(60))
}

/// Sends SIGQUIT to this process (through the shell's `kill`: the test has
/// no libc of its own).
fn sigquit_myself() {
    let status = Command::new("sh")
        .args(["-c", &format!("kill -QUIT {}", std::process::id())])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -QUIT failed: {status}");
}

#[test]
fn sigquit_prints_every_goroutine_and_exits_2() {
    const NAME: &str = "sigquit_prints_every_goroutine_and_exits_2";
    if is_child("sigquit") {
        goru::Builder::new().workers(2).build().block_on(|| {
            let c = Chan::<()>::new(0);
            let c2 = c.clone();
            let lines = Chan::<u32>::new(1);
            let l = lines.clone();
            let go_line = line!() + 1;
            let h = goru::spawn(move || {
                l.send(line!() + 1).unwrap();
                c2.recv();
            });
            wait_parked("chan receive", 1);
            println!(
                "id={} go_line={go_line} recv_line={}",
                h.id(),
                lines.recv().unwrap()
            );
            std::io::stdout().flush().unwrap();
            goru::blocking(sigquit_myself);
            // The dump and exit come from goru's signal thread; main waits
            // on a timer meanwhile (so this is no deadlock).
            let deadline = Instant::now() + HANG_GUARD;
            while Instant::now() < deadline {
                goru::time::sleep(Duration::from_millis(10));
            }
            println!("SIGQUIT did not end the process");
            c.close();
        });
        return;
    }
    if is_other_child() {
        return;
    }
    let out = run_child(NAME, "sigquit");
    assert!(!out.hung, "child hung\n{}", out.describe());
    assert_eq!(out.signal, None, "goru handles SIGQUIT\n{}", out.describe());
    assert_eq!(out.code, Some(2), "Go's exit status\n{}", out.describe());
    let (id, go_line, recv_line) = (
        out.field("id"),
        out.field("go_line"),
        out.field("recv_line"),
    );
    let file = file!();
    assert!(
        out.stderr.starts_with("SIGQUIT: quit\n\n"),
        "Go's first line\n{}",
        out.describe()
    );
    for want in [
        format!("goroutine {id} [chan receive]:\n\t{file}:{recv_line}:"),
        format!("created at {file}:{go_line}:"),
        "goroutine 1 [".to_string(),
    ] {
        assert!(
            out.stderr.contains(&want),
            "dump lacks {want:?}\n{}",
            out.describe()
        );
    }
}

#[test]
fn sigquit_is_left_alone_when_no_runtime_runs() {
    const NAME: &str = "sigquit_is_left_alone_when_no_runtime_runs";
    if is_child("no-runtime") {
        let v = goru::Builder::new().workers(2).build().block_on(|| 7);
        assert_eq!(v, 7);
        // The runtime has stopped: SIGQUIT does what it did before (kill).
        sigquit_myself();
        std::thread::sleep(HANG_GUARD);
        println!("SIGQUIT did not end the process");
        return;
    }
    if is_other_child() {
        return;
    }
    let out = run_child(NAME, "no-runtime");
    assert!(!out.hung, "child hung\n{}", out.describe());
    assert_eq!(
        out.signal,
        Some(3),
        "killed by SIGQUIT, the default action\n{}",
        out.describe()
    );
    assert!(!out.stderr.contains("SIGQUIT: quit"), "{}", out.describe());
}
