//! Runs the programs in examples/ (built by `cargo test` with the tests)
//! and checks their output, so every example the book includes works.

mod common;

use common::example_stdout as run;

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

#[test]
fn taste() {
    // Downloads "take" 10 ms per character of their URL: 60, 90, 130 ms.
    assert_eq!(
        run("taste"),
        "go.dev: ok\ncrates.io: ok\nrust-lang.org: ok\n"
    );
}

#[test]
fn readme_shows_the_taste_as_it_is_in_examples() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let taste = std::fs::read_to_string(root.join("examples/taste.rs")).unwrap();
    let start = taste.find("use goru::prelude::*;").unwrap();
    let end = taste.find("// ANCHOR_END: all").unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(
        readme.contains(&taste[start..end]),
        "README.md's example drifted from examples/taste.rs"
    );
}
