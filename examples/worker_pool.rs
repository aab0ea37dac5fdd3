//! A worker pool, written as the Go program it ports: three goroutines take
//! jobs from one channel and send results to another; a select per job
//! gives up on a slow consumer; the last worker to finish closes `results`.
//!
//! ```go
//! func worker(id int, jobs <-chan int, results chan<- int, done chan<- bool) {
//!     defer func() { done <- true }()
//!     for j := range jobs {
//!         select {
//!         case results <- j * 2:
//!         case <-time.After(500 * time.Millisecond):
//!             fmt.Printf("worker %d: slow consumer\n", id)
//!         }
//!     }
//! }
//! ```

use goru::prelude::*;

goru! {
    // ANCHOR: worker
    fn worker(id: i32, jobs: Receiver<i32>, results: Sender<i32>, done: Sender<bool>) {
        defer! { done <- true; }            // runs when worker returns
        for j in &jobs {                    // range until closed and drained
            select! {
                results <- j * 2 => {}
                <-time::after(ms(500)) => { println!("worker {id}: slow consumer"); }
            }
        }
    }
    // ANCHOR_END: worker

    // ANCHOR: main
    #[goru::main]                           // main runs as goroutine 1
    fn main() {
        let jobs = chan![i32; 100];         // make(chan int, 100)
        let results = chan![i32];           // make(chan int)
        let done = chan![bool];

        for w in 1..=3 {
            go!(worker(w, jobs.receiver(), results.sender(), done.sender()));
        }
        go! {                               // a block: captures by move
            for j in 1..=9 {
                jobs <- j;
            }
            jobs.close();
        };
        let closer = results.sender();
        go! {
            for _ in 1..=3 {
                <-done;
            }
            closer.close();
        };

        let mut all = Vec::new();
        for r in &results {
            all.push(r);
        }
        all.sort_unstable();
        println!("{all:?}");
    }
    // ANCHOR_END: main
}
