//! Three goroutines work on parts of one task under an `errgroup` made
//! with `with_context`: the first one to fail cancels the group's context,
//! the others see `ctx.done()` and stop early instead of finishing work
//! nobody will use, and `wait()` returns that first error.
//!
//! Coming from JavaScript: `Promise.all` rejects on the first error, but
//! the other promises keep running; here they are told to stop (like
//! passing one `AbortController`'s signal to every task).
//!
//! ```go
//! g, ctx := errgroup.WithContext(context.Background())
//! g.Go(func() error { return step(ctx, "thumbnails", 10*time.Millisecond, false) })
//! g.Go(func() error { return step(ctx, "virus scan", 30*time.Millisecond, true) })
//! g.Go(func() error { return step(ctx, "transcode", time.Hour, false) })
//! if err := g.Wait(); err != nil {
//!     fmt.Println("upload failed:", err)
//! }
//!
//! func step(ctx context.Context, name string, d time.Duration, fail bool) error {
//!     select {
//!     case <-time.After(d):
//!         if fail {
//!             return fmt.Errorf("%s: file is infected", name)
//!         }
//!         return nil
//!     case <-ctx.Done():
//!         return ctx.Err()
//!     }
//! }
//! ```

use std::time::Duration;

use goru::context::Context;
use goru::errgroup::Group;
use goru::prelude::*;

goru! {
    // ANCHOR: step
    fn step(ctx: Context, name: &str, work: Duration, fail: bool, report: Sender<String>)
        -> Result<(), String>
    {
        select! {
            <-time::after(work) => {
                if fail {
                    report <- format!("{name}: failed");
                    return Err(format!("{name}: file is infected"));
                }
                report <- format!("{name}: done");
                Ok(())
            }
            <-ctx.done() => {                       // someone else failed
                report <- format!("{name}: stopped: {}", ctx.err().unwrap());
                Err(ctx.err().unwrap().to_string())
            }
        }
    }
    // ANCHOR_END: step

    // ANCHOR: main
    #[goru::main]
    fn main() {
        let (g, ctx) = Group::<String>::with_context(&context::background());
        let steps = [
            ("thumbnails", ms(10), false),
            ("virus scan", ms(30), true),           // fails first
            ("transcode", secs(3600), false),       // would take an hour
        ];
        let reports: Vec<Chan<String>> = steps.iter().map(|_| chan![String; 1]).collect();
        for (&(name, work, fail), report) in steps.iter().zip(&reports) {
            let (ctx, report) = (ctx.clone(), report.sender());
            g.go(move || step(ctx, name, work, fail, report));
        }
        let result = g.wait();                      // waits for all three
        for report in &reports {
            println!("{}", (<-report).unwrap());
        }
        match result {
            Ok(()) => println!("upload ok"),
            Err(e) => println!("upload failed: {e}"),  // the first error only
        }
    }
    // ANCHOR_END: main
}
