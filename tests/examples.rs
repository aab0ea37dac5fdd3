//! Runs the programs in examples/ (built by `cargo test` with the tests)
//! and checks their output, so every example the book includes works.

use std::path::PathBuf;
use std::process::Command;

fn example(name: &str) -> PathBuf {
    // target/<profile>/deps/<this test> -> target/<profile>/examples/<name>
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    dir.join("examples").join(name)
}

fn run(name: &str) -> String {
    let path = example(name);
    let out = Command::new(&path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e} (built by cargo test)", path.display()));
    assert!(
        out.status.success(),
        "{name} failed: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

#[test]
fn worker_pool() {
    assert_eq!(run("worker_pool"), "[2, 4, 6, 8, 10, 12, 14, 16, 18]\n");
}

#[test]
fn syntax_tour() {
    let expected = "\
first = Some(1), then Some(2)
after close: None
comparison: false
hello, gopher
from a block
received Some(42)
timed out
would block
body done
deferred 3
deferred 2
deferred 1
Ok(3)
Err(\"recovered: attempt to divide by zero\")
Some('x')
";
    assert_eq!(run("syntax_tour"), expected);
}

#[test]
fn context_timeout() {
    let expected = "\
team 1 compute: sum = 5050
team 1 fetch: stopped: context deadline exceeded
team 2 compute: sum = 20100
team 2 fetch: stopped: context deadline exceeded
main: context deadline exceeded
";
    assert_eq!(run("context_timeout"), expected);
}
