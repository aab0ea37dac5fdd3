//! Closing a channel says "no more values": receivers drain what is
//! buffered, then get the zero value with `ok == false` (goru: `None`).
//! `for v := range ch` receives until the channel is closed and drained.
//!
//! Coming from JavaScript: `for v := range ch` is like
//! `for await (const v of asyncIterable)`; closing the channel is the
//! iterator returning `{ done: true }`.
//!
//! ```go
//! func main() {
//!     jobs := make(chan int, 5)
//!     done := make(chan bool)
//!     go func() {
//!         for {
//!             j, more := <-jobs
//!             if more {
//!                 fmt.Println("received job", j)
//!             } else {
//!                 fmt.Println("received all jobs")
//!                 done <- true
//!                 return
//!             }
//!         }
//!     }()
//!     for j := 1; j <= 3; j++ {
//!         jobs <- j
//!         fmt.Println("sent job", j)
//!     }
//!     close(jobs)
//!     fmt.Println("sent all jobs")
//!     <-done
//!     _, ok := <-jobs
//!     fmt.Println("received more jobs:", ok)
//!
//!     queue := make(chan string, 2)
//!     queue <- "one"
//!     queue <- "two"
//!     close(queue)
//!     for elem := range queue {
//!         fmt.Println(elem)
//!     }
//! }
//! ```
//!
//! Go's version interleaves the two goroutines' prints racily; here the
//! worker reports what it received to `main`, which prints it.

use goru::prelude::*;

goru! {
    #[goru::main]
    fn main() {
        // ANCHOR: close
        let jobs = chan![i32; 5];
        let done = chan![Vec<i32>];
        let (rx, report) = (jobs.receiver(), done.sender());
        go! {
            let mut received = Vec::new();
            loop {
                match <-rx {                    // j, more := <-jobs
                    Some(j) => received.push(j),
                    None => {                   // closed and drained
                        report <- received;
                        return;
                    }
                }
            }
        };

        for j in 1..=3 {
            jobs <- j;
            println!("sent job {j}");
        }
        jobs.close();                           // close(jobs)
        println!("sent all jobs");

        for j in (<-done).unwrap() {
            println!("received job {j}");
        }
        println!("received all jobs");

        let more = <-jobs;                      // _, ok := <-jobs
        println!("received more jobs: {}", more.is_some());
        // ANCHOR_END: close

        // ANCHOR: range
        let queue = chan![&str; 2];
        queue <- "one";
        queue <- "two";
        queue.close();                          // buffered values stay readable
        for elem in &queue {                    // for elem := range queue
            println!("{elem}");
        }
        // ANCHOR_END: range
    }
}
