//! Fan-out, fan-in: several goroutines read from the same input channel
//! (fan-out, sharing the work), and `merge` funnels their outputs into one
//! channel that closes once every input has closed (fan-in).
//!
//! Coming from JavaScript: fan-out is running several async consumers over
//! one queue; `merge` is like interleaving several async iterators into
//! one, finishing when all of them have finished.
//!
//! ```go
//! func merge(cs ...<-chan int) <-chan int {
//!     var wg sync.WaitGroup
//!     out := make(chan int)
//!     output := func(c <-chan int) {
//!         for n := range c {
//!             out <- n
//!         }
//!         wg.Done()
//!     }
//!     wg.Add(len(cs))
//!     for _, c := range cs {
//!         go output(c)
//!     }
//!     go func() {
//!         wg.Wait()
//!         close(out)
//!     }()
//!     return out
//! }
//!
//! func main() {
//!     in := generate(1, 2, 3, 4, 5, 6, 7, 8)
//!     c1 := sq(in) // two workers share in
//!     c2 := sq(in)
//!     for n := range merge(c1, c2) {
//!         fmt.Println(n) // in no particular order
//!     }
//! }
//! ```

use goru::prelude::*;

goru! {
    fn generate(nums: Vec<i32>) -> Receiver<i32> {
        let out = chan![i32];
        let tx = out.sender();
        go! {
            for n in nums {
                tx <- n;
            }
            tx.close();
        };
        out.receiver()
    }

    // ANCHOR: sq
    fn sq(input: Receiver<i32>) -> Receiver<i32> {
        let out = chan![i32];
        let tx = out.sender();
        go! {
            for n in &input {                   // competes with the other sq
                tx <- n * n;
            }
            tx.close();
        };
        out.receiver()
    }
    // ANCHOR_END: sq

    // ANCHOR: merge
    fn output(c: Receiver<i32>, out: Sender<i32>, wg: WaitGroup) {
        for n in &c {
            out <- n;
        }
        wg.done();
    }

    fn merge(cs: Vec<Receiver<i32>>) -> Receiver<i32> {
        let wg = WaitGroup::new();
        let out = chan![i32];
        wg.add(cs.len() as isize);
        for c in cs {
            go!(output(c, out.sender(), wg.clone()));
        }
        let tx = out.sender();
        go! {
            wg.wait();                          // every input closed and drained
            tx.close();
        };
        out.receiver()
    }
    // ANCHOR_END: merge

    // ANCHOR: main
    #[goru::main]
    fn main() {
        let input = generate((1..=8).collect());
        let c1 = sq(input.clone());             // fan out: two workers, one input
        let c2 = sq(input);
        let mut all = Vec::new();
        for n in &merge(vec![c1, c2]) {         // fan in
            all.push(n);
        }
        all.sort_unstable();                    // arrival order varies
        println!("{all:?}");
        println!("sum = {}", all.iter().sum::<i32>());
    }
    // ANCHOR_END: main
}
