//! The inputs of the macro crate's expansion snapshots
//! (`macros/core/snapshots/`), compiled for real with warnings denied, so
//! `cargo clippy --all-targets -- -D warnings` checks that what the macros
//! generate is lint-clean; and run, so the snapshots show working code.

#![deny(warnings, clippy::all)]

use goru::prelude::*;

goru! {
    fn worker(jobs: Receiver<i32>, results: Sender<i32>, done: Sender<()>) {
        defer!(done.close());
        for j in &jobs {
            results <- j * 2;
        }
        println!("{:?}", <-jobs);
    }

    fn parse(s: &str) -> Result<i32, String> {
        defer! {
            if let Some(r) = recover() {
                return Err(format!("recovered: {r}"));
            }
        }
        for i in 0..2 {
            defer!(println!("deferred {}", i));
        }
        Ok(s.parse::<i32>().unwrap())
    }

    fn select_once(rx: &Chan<i32>, tx: &Chan<i32>) -> &'static str {
        let mut polls = 0;
        loop {
            select! {
                v = <-rx => { println!("{v:?}"); return "received"; }
                tx <- 1 => { return "sent"; }
                <-time::after(ms(10)) => return "timeout",
                default => {
                    polls += 1;
                    if polls == 2 {
                        break;
                    }
                }
            }
        }
        "default"
    }

    #[goru::test]
    fn snapshot_programs_run() {
        let jobs = chan![i32; 4];
        let results = chan![i32; 4];
        let done = chan![()];
        for j in 1..=3 {
            jobs <- j;
        }
        jobs.close();
        go!(worker(jobs.receiver(), results.sender(), done.sender()));
        let closer = results.sender();
        go! {
            defer!(closer.close());
            <-done;
        };
        let mut got = Vec::new();
        for r in &results {
            got.push(r);
        }
        assert_eq!(got, [2, 4, 6]);

        assert_eq!(parse("7"), Ok(7));
        assert!(parse("x").unwrap_err().starts_with("recovered: "));

        let rx = chan![i32; 1];
        let tx = chan![i32];
        assert_eq!(select_once(&rx, &tx), "default");
        rx <- 5;
        assert_eq!(select_once(&rx, &tx), "received");
    }
}

#[goru::main(crate = "goru")]
fn entry_point_outside_goru_block() {
    defer!(println!("bye"));
    println!("hi");
}

#[test]
fn main_entry_compiles() {
    // Running it would exit the test process (Go's main does); it is
    // enough that it compiles lint-clean. Its behaviour is checked by the
    // Go-port suite.
    let _ = entry_point_outside_goru_block as fn() -> std::process::ExitCode;
}
