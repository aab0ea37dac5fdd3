//! A pipeline: stages connected by channels, each stage a goroutine that
//! receives from upstream, works, sends downstream, and closes its output
//! when its input is exhausted, so the close ripples to the end.
//!
//! Coming from JavaScript: like chaining async generators,
//! `for await (const x of evens(squares(generate(1, 10))))`, except that every
//! stage runs concurrently with the others.
//!
//! ```go
//! func generate(nums ...int) <-chan int {
//!     out := make(chan int)
//!     go func() {
//!         for _, n := range nums {
//!             out <- n
//!         }
//!         close(out)
//!     }()
//!     return out
//! }
//!
//! func sq(in <-chan int) <-chan int {
//!     out := make(chan int)
//!     go func() {
//!         for n := range in {
//!             out <- n * n
//!         }
//!         close(out)
//!     }()
//!     return out
//! }
//!
//! func evens(in <-chan int) <-chan int { /* like sq, keeping n%2 == 0 */ }
//!
//! func main() {
//!     for n := range evens(sq(generate(1, 2, 3, 4, 5, 6, 7, 8, 9, 10))) {
//!         fmt.Println(n)
//!     }
//! }
//! ```

use goru::prelude::*;

goru! {
    // ANCHOR: stages
    fn generate(nums: Vec<i32>) -> Receiver<i32> {
        let out = chan![i32];
        let tx = out.sender();
        go! {
            for n in nums {
                tx <- n;
            }
            tx.close();                         // no more numbers
        };
        out.receiver()
    }

    fn sq(input: Receiver<i32>) -> Receiver<i32> {
        let out = chan![i32];
        let tx = out.sender();
        go! {
            for n in &input {                   // until generate closes
                tx <- n * n;
            }
            tx.close();
        };
        out.receiver()
    }

    fn evens(input: Receiver<i32>) -> Receiver<i32> {
        let out = chan![i32];
        let tx = out.sender();
        go! {
            for n in &input {
                if n % 2 == 0 {
                    tx <- n;
                }
            }
            tx.close();
        };
        out.receiver()
    }
    // ANCHOR_END: stages

    // ANCHOR: main
    #[goru::main]
    fn main() {
        for n in &evens(sq(generate((1..=10).collect()))) {
            println!("{n}");
        }
        println!("pipeline drained");
    }
    // ANCHOR_END: main
}
