//! Pitfall: goroutines capturing the loop variable. Before Go 1.22, every
//! iteration of a `for` loop shared one variable `i`, so goroutines started
//! in the loop that read `i` later all saw its final value:
//!
//! ```go
//! for i := 0; i < 3; i++ {
//!     go func() { fmt.Println(i) }()          // Go < 1.22: prints 3 3 3
//! }
//! ```
//!
//! The fix was to pass `i` as an argument, which is evaluated when the `go`
//! statement runs: `go func(i int) { fmt.Println(i) }(i)`. goru's
//! `go!(f(i))` is that form: its arguments are evaluated now, in the loop,
//! and `go! { .. }` blocks capture by move, copying `i` as it is now. So
//! both print 0, 1 and 2. To get Go's bug you must share one variable on
//! purpose (an `Arc<AtomicI32>` here), and then it shows as in Go.
//!
//! Coming from JavaScript: the same bug as `var i` in a loop with
//! `setTimeout(() => console.log(i))`; `let i` is the fix.

use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

use goru::prelude::*;

goru! {
    fn show(i: i32, out: Sender<i32>) {
        out <- i;
    }

    fn collect(results: &Chan<i32>, n: usize) -> Vec<i32> {
        let mut seen: Vec<i32> = (0..n).map(|_| (<-results).unwrap()).collect();
        seen.sort_unstable();                       // goroutines finish in any order
        seen
    }

    #[goru::main]
    fn main() {
        let results = chan![i32; 3];

        // ANCHOR: right
        for i in 0..3 {
            go!(show(i, results.sender()));         // i evaluated now
        }
        println!("go!(show(i)):      {:?}", collect(&results, 3));

        for i in 0..3 {
            let out = results.sender();
            go! { out <- i; };                      // the block owns a copy of i
        }
        println!("go! {{ out <- i }}: {:?}", collect(&results, 3));
        // ANCHOR_END: right

        // ANCHOR: wrong
        // Go's bug, made explicit: one shared variable, read after the loop.
        let i = Arc::new(AtomicI32::new(0));
        let start = chan![()];
        while i.load(Ordering::SeqCst) < 3 {
            let (shared_i, start, out) = (i.clone(), start.clone(), results.sender());
            go! {
                <-start;                            // runs after the loop is over
                out <- shared_i.load(Ordering::SeqCst);
            };
            i.fetch_add(1, Ordering::SeqCst);       // the loop's i++
        }
        start.close();
        println!("one shared i:      {:?}", collect(&results, 3));
        // ANCHOR_END: wrong
    }
}
