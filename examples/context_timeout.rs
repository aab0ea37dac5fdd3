//! A tree of workers under one timeout, written as the Go program it ports:
//! main gives the whole job 50 ms; each team derives its own cancellable
//! context from main's and starts two workers under it. The computing
//! worker finishes; the fetching worker waits for a reply that would take an
//! hour, under its own 1-hour timeout, and is stopped when main's deadline
//! (the earlier one) passes: every goroutine in the tree hears of it
//! through `ctx.done()`.
//!
//! ```go
//! func fetch(ctx context.Context, name string, report chan<- string) {
//!     ctx, cancel := context.WithTimeout(ctx, time.Hour)
//!     defer cancel()
//!     select {
//!     case <-time.After(time.Hour):
//!         report <- name + ": reply received"
//!     case <-ctx.Done():
//!         report <- name + ": stopped: " + ctx.Err().Error()
//!     }
//! }
//!
//! func team(ctx context.Context, id int, report chan<- string) {
//!     ctx, cancel := context.WithCancel(ctx)
//!     defer cancel()
//!     // ... start compute and fetch, forward their reports in order
//! }
//!
//! func main() {
//!     ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
//!     defer cancel()
//!     // ... start two teams, print their reports in order, then ctx.Err()
//! }
//! ```

use goru::context::Context;
use goru::prelude::*;

goru! {
    // ANCHOR: workers
    fn compute(name: String, n: u64, report: Sender<String>) {
        let sum: u64 = (1..=n).sum();
        report <- format!("{name}: sum = {sum}");
    }

    fn fetch(ctx: Context, name: String, report: Sender<String>) {
        let (ctx, cancel) = context::with_timeout(&ctx, secs(3600));
        defer!(cancel.cancel());
        select! {
            <-time::after(secs(3600)) => { report <- format!("{name}: reply received"); }
            <-ctx.done() => {
                report <- format!("{name}: stopped: {}", ctx.err().unwrap());
            }
        }
    }
    // ANCHOR_END: workers

    // ANCHOR: team
    fn team(ctx: Context, id: u64, report: Sender<String>) {
        let (ctx, cancel) = context::with_cancel(&ctx); // the team's own subtree
        defer!(cancel.cancel());                        // defer cancel()

        let computed = chan![String; 1];
        let fetched = chan![String; 1];
        go!(compute(format!("team {id} compute"), id * 100, computed.sender()));
        go!(fetch(ctx.clone(), format!("team {id} fetch"), fetched.sender()));
        // Forward in a fixed order, so the output does not depend on timing.
        report <- (<-computed).unwrap();
        report <- (<-fetched).unwrap();
        report.close();
    }
    // ANCHOR_END: team

    // ANCHOR: main
    #[goru::main]
    fn main() {
        let (ctx, cancel) = context::with_timeout(&context::background(), ms(50));
        defer!(cancel.cancel());

        let reports: Vec<Chan<String>> = (1..=2).map(|_| chan![String; 2]).collect();
        for (id, report) in (1..).zip(&reports) {
            go!(team(ctx.clone(), id, report.sender()));
        }
        for report in &reports {
            for line in report {
                println!("{line}");
            }
        }
        println!("main: {}", ctx.err().unwrap());
    }
    // ANCHOR_END: main
}
