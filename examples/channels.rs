//! Channels connect goroutines: one sends a value, another receives it. An
//! unbuffered channel makes the sender wait for a receiver (a rendezvous);
//! a buffered one accepts up to its capacity without a receiver.
//!
//! Coming from JavaScript: an unbuffered channel is a one-shot handshake
//! like awaiting a Promise that another task resolves, but it can be used
//! again and again, and the resolver also waits until someone takes the
//! value.
//!
//! ```go
//! func main() {
//!     messages := make(chan string)
//!     go func() { messages <- "ping" }()
//!     msg := <-messages
//!     fmt.Println(msg)
//!
//!     buffered := make(chan string, 2)
//!     buffered <- "buffered"
//!     buffered <- "channel"
//!     fmt.Println(len(buffered), cap(buffered))
//!     fmt.Println(<-buffered)
//!     fmt.Println(<-buffered)
//! }
//! ```

use goru::prelude::*;

goru! {
    #[goru::main]
    fn main() {
        // ANCHOR: unbuffered
        let messages = chan![String];           // make(chan string)
        let tx = messages.sender();
        go! {
            tx <- "ping".to_string();           // waits until main receives
        };
        let msg = <-messages;                   // Option<String>: Some while open
        println!("{}", msg.unwrap());
        // ANCHOR_END: unbuffered

        // ANCHOR: buffered
        let buffered = chan![&str; 2];          // make(chan string, 2)
        buffered <- "buffered";                 // no receiver needed:
        buffered <- "channel";                  // both fit in the buffer
        println!("len {} cap {}", buffered.len(), buffered.cap());
        println!("{}", (<-buffered).unwrap());  // FIFO order
        println!("{}", (<-buffered).unwrap());
        // ANCHOR_END: buffered

        // ANCHOR: sync
        // An unbuffered channel also synchronises: `done` is received only
        // after the worker has finished its work.
        let done = chan![bool];
        let finished = done.sender();
        go! {
            println!("working...");
            time::sleep(ms(2));
            println!("done working");
            finished <- true;
        };
        <-done;
        println!("main: worker finished");
        // ANCHOR_END: sync
    }
}
