//! A generator: a goroutine that produces values on a channel for as long
//! as someone wants them, and stops cleanly when told to through a `quit`
//! channel (instead of being left blocked forever on its next send).
//!
//! Coming from JavaScript: like a `function*` generator, but running
//! concurrently with its consumer; closing `quit` is calling
//! `generator.return()`.
//!
//! ```go
//! func fibonacci(c, quit chan int) {
//!     x, y := 0, 1
//!     for {
//!         select {
//!         case c <- x:
//!             x, y = y, x+y
//!         case <-quit:
//!             fmt.Println("quit")
//!             return
//!         }
//!     }
//! }
//!
//! func main() {
//!     c := make(chan int)
//!     quit := make(chan int)
//!     go func() {
//!         for i := 0; i < 10; i++ {
//!             fmt.Println(<-c)
//!         }
//!         quit <- 0
//!     }()
//!     fibonacci(c, quit)
//! }
//! ```

use goru::prelude::*;

goru! {
    // ANCHOR: tour
    fn fibonacci(c: Sender<u64>, quit: Receiver<i32>) {
        let (mut x, mut y) = (0, 1);
        loop {
            select! {
                c <- x => { (x, y) = (y, x + y); }
                <-quit => {
                    println!("quit");
                    return;
                }
            }
        }
    }
    // ANCHOR_END: tour

    // ANCHOR: generator
    /// The same generator, returning its channel: it closes the channel
    /// when it stops, so a consumer's `range` ends too.
    fn fib_gen(quit: Receiver<()>) -> Receiver<u64> {
        let c = chan![u64];
        let out = c.sender();
        go! {
            defer! { out.close(); }             // however the loop ends
            let (mut x, mut y) = (0u64, 1u64);
            loop {
                select! {
                    out <- x => { (x, y) = (y, x + y); }
                    <-quit => { return; }
                }
            }
        };
        c.receiver()
    }
    // ANCHOR_END: generator

    #[goru::main]
    fn main() {
        // ANCHOR: main
        let c = chan![u64];
        let quit = chan![i32];
        let (rx, stop) = (c.receiver(), quit.sender());
        go! {
            for _ in 0..10 {
                println!("{}", (<-rx).unwrap());
            }
            stop <- 0;
        };
        fibonacci(c.sender(), quit.receiver());
        // ANCHOR_END: main

        // ANCHOR: use_generator
        let quit = chan![()];
        let fib = fib_gen(quit.receiver());
        let first: Vec<u64> = (0..15).map(|_| fib.recv().unwrap()).collect();
        println!("{first:?}");
        quit.close();                           // stop the generator
        for _ in &fib {}                        // ends once it has closed fib
        println!("generator stopped");
        // ANCHOR_END: use_generator
    }
}
