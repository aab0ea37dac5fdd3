//! Producer and consumer, with shutdown: the producer sends until told to
//! quit (a `quit` channel it selects on), and each side signals on a `done`
//! channel when it has finished, so `main` knows both have stopped.
//!
//! Coming from JavaScript: `quit` plays the part of an `AbortSignal` that
//! the producer checks on every step, and the `done` channels are the
//! Promises `main` awaits.
//!
//! ```go
//! func producer(items chan<- int, quit <-chan struct{}, done chan<- int) {
//!     n := 0
//!     for {
//!         select {
//!         case items <- n:
//!             n++
//!         case <-quit:
//!             fmt.Println("producer: told to quit")
//!             close(items)
//!             done <- n
//!             return
//!         }
//!     }
//! }
//!
//! func consumer(items <-chan int, quit chan<- struct{}, done chan<- bool) {
//!     sum := 0
//!     for i := 0; i < 5; i++ {
//!         n := <-items
//!         fmt.Println("consumed", n)
//!         sum += n
//!     }
//!     fmt.Println("consumer: sum", sum)
//!     close(quit) // enough: stop the producer
//!     done <- true
//! }
//!
//! func main() {
//!     items := make(chan int)
//!     quit := make(chan struct{})
//!     produced := make(chan int)
//!     consumed := make(chan bool)
//!     go producer(items, quit, produced)
//!     go consumer(items, quit, consumed)
//!     <-consumed
//!     fmt.Println("main: producer sent", <-produced, "items")
//! }
//! ```

use goru::prelude::*;

goru! {
    // ANCHOR: producer
    fn producer(items: Sender<i32>, quit: Receiver<()>, done: Sender<i32>) {
        let mut n = 0;
        loop {
            select! {
                items <- n => { n += 1; }       // a consumer took n
                <-quit => {                     // closed: stop producing
                    println!("producer: told to quit");
                    items.close();
                    done <- n;
                    return;
                }
            }
        }
    }
    // ANCHOR_END: producer

    // ANCHOR: consumer
    fn consumer(items: Receiver<i32>, quit: Chan<()>, done: Sender<bool>) {
        let mut sum = 0;
        for _ in 0..5 {
            let n = (<-items).unwrap();
            println!("consumed {n}");
            sum += n;
        }
        println!("consumer: sum {sum}");
        quit.close();                           // close(quit): wakes every listener
        done <- true;
    }
    // ANCHOR_END: consumer

    // ANCHOR: main
    #[goru::main]
    fn main() {
        let items = chan![i32];                 // unbuffered: one item at a time
        let quit = chan![()];
        let produced = chan![i32];
        let consumed = chan![bool];
        go!(producer(items.sender(), quit.receiver(), produced.sender()));
        go!(consumer(items.receiver(), quit.clone(), consumed.sender()));
        <-consumed;
        println!("main: producer sent {} items", (<-produced).unwrap());
        println!("main: items closed: {}", (<-items).is_none());
    }
    // ANCHOR_END: main
}
