//! Pitfall: sending on an unbuffered channel with no receiver. A send on
//! `make(chan T)` waits until another goroutine receives; if the only
//! goroutine that would receive is the one sending, it waits forever, and
//! the runtime reports "fatal error: all goroutines are asleep - deadlock!"
//! (goru too: exit code 2, with a goroutine dump).
//!
//! ```go
//! func main() {
//!     ch := make(chan string)
//!     ch <- "hello"                          // blocks: nobody is receiving yet
//!     fmt.Println(<-ch)
//! }
//! ```
//!
//! Two fixes: send from another goroutine (`go func() { ch <- "hello" }()`),
//! or give the channel room for the value (`make(chan string, 1)`).
//!
//! Coming from JavaScript: there is no equivalent; a Go channel without a
//! buffer is a hand-off, both sides must be there at once.
//!
//! Run with the argument `wrong` to see the deadlock report.

use goru::prelude::*;

goru! {
    // ANCHOR: wrong
    fn wrong() {
        let ch = chan![String];                     // make(chan string)
        ch <- "hello".to_string();                  // nobody can receive: deadlock
        println!("{}", (<-ch).unwrap());
    }
    // ANCHOR_END: wrong

    // ANCHOR: right
    fn with_goroutine() {
        let ch = chan![String];
        let tx = ch.sender();
        go! { tx <- "hello from a goroutine".to_string(); };
        println!("{}", (<-ch).unwrap());            // the receive meets the send
    }

    fn with_buffer() {
        let ch = chan![String; 1];                  // make(chan string, 1)
        ch <- "hello from the buffer".to_string();  // fits: does not wait
        println!("{}", (<-ch).unwrap());
    }
    // ANCHOR_END: right

    #[goru::main]
    fn main() {
        if std::env::args().nth(1).as_deref() == Some("wrong") {
            wrong();
        }
        with_goroutine();
        with_buffer();
    }
}
