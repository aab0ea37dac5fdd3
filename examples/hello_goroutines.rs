//! Goroutines: `go f(x)` runs `f(x)` concurrently with the caller, in a
//! lightweight thread that the runtime multiplexes onto a few OS threads.
//!
//! Coming from JavaScript: a goroutine is like calling an `async` function
//! without awaiting it, except that it may run in parallel and blocks only
//! itself (no `await` colouring); a channel replaces the returned Promise.
//!
//! ```go
//! func f(from string) {
//!     for i := 0; i < 3; i++ {
//!         fmt.Println(from, ":", i)
//!     }
//! }
//!
//! func main() {
//!     f("direct")
//!     go f("goroutine")
//!     go func(msg string) {
//!         fmt.Println(msg)
//!     }("going")
//!     time.Sleep(time.Second)
//!     fmt.Println("done")
//! }
//! ```
//!
//! Go's version prints the goroutines' lines in a racy order and waits with
//! a sleep; this port has the goroutines send their lines to `main`, which
//! waits for exactly as many as were promised and prints them sorted.

use goru::prelude::*;

goru! {
    // ANCHOR: f
    fn f(from: &str) {
        for i in 0..3 {
            println!("{from} : {i}");
        }
    }

    fn f_concurrent(from: &'static str, out: Sender<String>) {
        for i in 0..3 {
            out <- format!("{from} : {i}");
        }
    }
    // ANCHOR_END: f

    // ANCHOR: main
    #[goru::main]
    fn main() {
        f("direct");                            // an ordinary, blocking call

        let lines = chan![String];
        go!(f_concurrent("goroutine", lines.sender()));   // runs concurrently
        let tx = lines.sender();
        go! {                                   // go func(msg string) { .. }("going")
            let msg = "going";
            tx <- msg.to_string();
        };

        let mut got = Vec::new();
        for _ in 0..4 {                         // 3 lines + 1 line promised
            got.push((<-lines).unwrap());
        }
        got.sort();                             // goroutines interleave freely
        for line in got {
            println!("{line}");
        }
        println!("done");
    }
    // ANCHOR_END: main
}
