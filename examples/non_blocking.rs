//! Non-blocking channel operations: a `select` with a `default` case tries
//! its sends and receives and, if none is ready right now, runs `default`
//! instead of waiting.
//!
//! Coming from JavaScript: there is no direct analogue, since a Promise
//! cannot be polled; it is like checking a queue's length before shifting.
//!
//! ```go
//! func main() {
//!     messages := make(chan string)
//!     signals := make(chan bool)
//!
//!     select {
//!     case msg := <-messages:
//!         fmt.Println("received message", msg)
//!     default:
//!         fmt.Println("no message received")
//!     }
//!
//!     msg := "hi"
//!     select {
//!     case messages <- msg:
//!         fmt.Println("sent message", msg)
//!     default:
//!         fmt.Println("no message sent")
//!     }
//!
//!     select {
//!     case msg := <-messages:
//!         fmt.Println("received message", msg)
//!     case sig := <-signals:
//!         fmt.Println("received signal", sig)
//!     default:
//!         fmt.Println("no activity")
//!     }
//! }
//! ```

use goru::prelude::*;

goru! {
    #[goru::main]
    fn main() {
        // ANCHOR: main
        let messages = chan![String];           // unbuffered: nobody is receiving
        let signals = chan![bool];

        select! {
            msg = <-messages => { println!("received message {}", msg.unwrap()); }
            default => { println!("no message received"); }
        }

        let msg = "hi";
        select! {
            messages <- msg.to_string() => { println!("sent message {msg}"); }
            default => { println!("no message sent"); }   // no receiver waiting
        }

        select! {
            msg = <-messages => { println!("received message {}", msg.unwrap()); }
            sig = <-signals => { println!("received signal {}", sig.unwrap()); }
            default => { println!("no activity"); }
        }
        // ANCHOR_END: main

        // ANCHOR: buffered
        // With room in a buffer the send succeeds at once, and so does the
        // receive after it.
        let mailbox = chan![String; 1];
        for attempt in 1..=2 {
            select! {
                mailbox <- format!("letter {attempt}") => { println!("posted letter {attempt}"); }
                default => { println!("mailbox full, letter {attempt} not posted"); }
            }
        }
        for _ in 0..2 {
            select! {
                letter = <-mailbox => { println!("took {}", letter.unwrap()); }
                default => { println!("mailbox empty"); }
            }
        }
        // ANCHOR_END: buffered
    }
}
