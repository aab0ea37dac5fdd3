//! The concurrent prime sieve from Go's early talks: a generator goroutine
//! emits 2, 3, 4, ...; each prime found adds a filter goroutine to the end
//! of a daisy chain, dropping that prime's multiples.
//!
//! Coming from JavaScript: a chain of async generators, each wrapping the
//! previous one; here every link is a goroutine and runs in parallel.
//!
//! ```go
//! func Generate(ch chan<- int) {
//!     for i := 2; ; i++ {
//!         ch <- i
//!     }
//! }
//!
//! func Filter(in <-chan int, out chan<- int, prime int) {
//!     for {
//!         i := <-in
//!         if i%prime != 0 {
//!             out <- i
//!         }
//!     }
//! }
//!
//! func main() {
//!     ch := make(chan int)
//!     go Generate(ch)
//!     for i := 0; i < 10; i++ {
//!         prime := <-ch
//!         fmt.Println(prime)
//!         ch1 := make(chan int)
//!         go Filter(ch, ch1, prime)
//!         ch = ch1
//!     }
//! }
//! ```

use goru::prelude::*;

goru! {
    // ANCHOR: sieve
    fn generate(ch: Sender<u32>) {
        for i in 2.. {
            ch <- i;
        }
    }

    fn filter(input: Receiver<u32>, out: Sender<u32>, prime: u32) {
        loop {
            let i = (<-input).unwrap();
            if !i.is_multiple_of(prime) {       // i%prime != 0
                out <- i;
            }
        }
    }
    // ANCHOR_END: sieve

    // ANCHOR: main
    #[goru::main]
    fn main() {
        let mut ch = chan![u32];
        go!(generate(ch.sender()));
        for _ in 0..10 {
            let prime = (<-ch).unwrap();
            println!("{prime}");
            let ch1 = chan![u32];
            go!(filter(ch.receiver(), ch1.sender(), prime));
            ch = ch1;                           // the chain grows by one link
        }
        // main returns: the process exits, goroutines and all, as in Go
    }
    // ANCHOR_END: main
}
