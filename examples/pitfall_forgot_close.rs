//! Pitfall: ranging over a channel nobody closes. `for v := range ch` ends
//! only when `ch` is closed; if the producer forgets `close(ch)`, the loop
//! waits forever after the last value. When nothing else can run, Go's
//! runtime stops the program with "fatal error: all goroutines are asleep -
//! deadlock!", and so does goru (exit code 2, with a goroutine dump).
//!
//! ```go
//! func produce(ch chan<- int) {
//!     for i := 1; i <= 3; i++ {
//!         ch <- i
//!     }
//!     // forgot: close(ch)
//! }
//!
//! func main() {
//!     ch := make(chan int)
//!     go produce(ch)
//!     for v := range ch {                    // never ends
//!         fmt.Println(v)
//!     }
//! }
//! ```
//!
//! The fix: the producer closes the channel when it is done, best with
//! `defer close(ch)` so every return path closes it.
//!
//! Coming from JavaScript: like `for await` over an async iterator that
//! never returns `{ done: true }` — except that Go and goru notice.
//!
//! Run with the argument `wrong` to see the deadlock report.

use goru::prelude::*;

goru! {
    // ANCHOR: wrong
    fn produce_wrong(ch: Sender<i32>) {
        for i in 1..=3 {
            ch <- i;
        }
        // forgot: ch.close()
    }
    // ANCHOR_END: wrong

    // ANCHOR: right
    fn produce(ch: Sender<i32>) {
        defer!(ch.close());                         // defer close(ch)
        for i in 1..=3 {
            ch <- i;
        }
    }
    // ANCHOR_END: right

    #[goru::main]
    fn main() {
        let wrong = std::env::args().nth(1).as_deref() == Some("wrong");
        let ch = chan![i32];
        if wrong {
            go!(produce_wrong(ch.sender()));
        } else {
            go!(produce(ch.sender()));
        }
        for v in &ch {                              // ends when ch is closed
            println!("received {v}");
        }
        println!("channel closed, done");
    }
}
