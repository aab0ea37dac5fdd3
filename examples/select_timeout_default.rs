//! `select` waits on several channel operations at once and runs the first
//! that can proceed. With a `time.After` case it gives up after a timeout;
//! with a `default` case it never waits at all.
//!
//! Coming from JavaScript: `select` with a timeout is
//! `Promise.race([work, timeout(ms)])`, except that the losing operations
//! are cancelled cleanly: nothing was received from them.
//!
//! ```go
//! func main() {
//!     c1 := make(chan string, 1)
//!     go func() {
//!         time.Sleep(200 * time.Millisecond)
//!         c1 <- "result 1"
//!     }()
//!     select {
//!     case res := <-c1:
//!         fmt.Println(res)
//!     case <-time.After(10 * time.Millisecond):
//!         fmt.Println("timeout 1")
//!     }
//!
//!     c2 := make(chan string, 1)
//!     go func() {
//!         time.Sleep(5 * time.Millisecond)
//!         c2 <- "result 2"
//!     }()
//!     select {
//!     case res := <-c2:
//!         fmt.Println(res)
//!     case <-time.After(250 * time.Millisecond):
//!         fmt.Println("timeout 2")
//!     }
//!
//!     messages := make(chan string)
//!     select {
//!     case msg := <-messages:
//!         fmt.Println("received message", msg)
//!     default:
//!         fmt.Println("no message received")
//!     }
//! }
//! ```

use goru::prelude::*;

goru! {
    // ANCHOR: slow
    fn slow(reply: &'static str, delay: std::time::Duration) -> Receiver<String> {
        let c = chan![String; 1];               // buffered: the late sender never blocks
        let tx = c.sender();
        go! {
            time::sleep(delay);
            tx <- reply.to_string();
        };
        c.receiver()
    }
    // ANCHOR_END: slow

    #[goru::main]
    fn main() {
        // ANCHOR: timeout
        let c1 = slow("result 1", ms(200));
        select! {
            res = <-c1 => { println!("{}", res.unwrap()); }
            <-time::after(ms(10)) => { println!("timeout 1"); }
        }

        let c2 = slow("result 2", ms(5));
        select! {
            res = <-c2 => { println!("{}", res.unwrap()); }
            <-time::after(ms(250)) => { println!("timeout 2"); }
        }
        // ANCHOR_END: timeout

        // ANCHOR: default
        let messages = chan![String];
        select! {
            msg = <-messages => { println!("received message {}", msg.unwrap()); }
            default => { println!("no message received"); }   // nothing ready: don't wait
        }
        // ANCHOR_END: default

        // ANCHOR: deadline
        // One deadline for a whole loop: a timer channel made once, outside.
        let ticks = time::tick(ms(2));
        let deadline = time::after(ms(250));
        let mut count = 0;
        loop {
            select! {
                <-ticks => { count += 1; if count == 3 { println!("3 ticks before the deadline"); break; } }
                <-deadline => { println!("deadline reached after {count} ticks"); break; }
            }
        }
        // ANCHOR_END: deadline
    }
}
