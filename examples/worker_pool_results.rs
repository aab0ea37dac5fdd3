//! A worker pool: N goroutines take jobs from one channel and send results
//! to another, so at most N jobs run at once however many are queued; the
//! caller collects exactly one result per job.
//!
//! Coming from JavaScript: this is `p-limit` (or `p-map` with
//! `{ concurrency: 3 }`): ten tasks, never more than three in flight. The
//! jobs channel is the queue and the worker count is the limit.
//!
//! ```go
//! type result struct{ job, value int }
//!
//! func worker(jobs <-chan int, results chan<- result) {
//!     for j := range jobs {
//!         time.Sleep(time.Millisecond) // the work
//!         results <- result{j, j * j}
//!     }
//! }
//!
//! func main() {
//!     const numJobs, numWorkers = 10, 3
//!     jobs := make(chan int, numJobs)
//!     results := make(chan result, numJobs)
//!     for w := 1; w <= numWorkers; w++ {
//!         go worker(jobs, results)
//!     }
//!     for j := 1; j <= numJobs; j++ {
//!         jobs <- j
//!     }
//!     close(jobs)
//!     out := make([]int, numJobs+1)
//!     for a := 1; a <= numJobs; a++ {
//!         r := <-results
//!         out[r.job] = r.value
//!     }
//!     fmt.Println(out[1:])
//! }
//! ```

use goru::prelude::*;
use goru::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

const NUM_JOBS: usize = 10;
const NUM_WORKERS: usize = 3;

/// One finished job.
#[derive(Debug)]
struct JobResult {
    job: usize,
    value: usize,
}

/// How many jobs are running right now, and the most there ever were.
#[derive(Default)]
struct InFlight {
    now: AtomicUsize,
    max: AtomicUsize,
}

goru! {
    // ANCHOR: worker
    fn worker(jobs: Receiver<usize>, results: Sender<JobResult>, stats: Arc<InFlight>) {
        for j in &jobs {                        // until jobs is closed and drained
            let running = stats.now.fetch_add(1, SeqCst) + 1;
            stats.max.fetch_max(running, SeqCst);
            time::sleep(ms(1));                 // the work
            stats.now.fetch_sub(1, SeqCst);
            results <- JobResult { job: j, value: j * j };
        }
    }
    // ANCHOR_END: worker

    // ANCHOR: main
    #[goru::main]
    fn main() {
        let jobs = chan![usize; NUM_JOBS];
        let results = chan![JobResult; NUM_JOBS];
        let stats = Arc::new(InFlight::default());
        for _ in 0..NUM_WORKERS {               // the concurrency limit
            go!(worker(jobs.receiver(), results.sender(), stats.clone()));
        }
        for j in 1..=NUM_JOBS {
            jobs <- j;                          // queue every job up front
        }
        jobs.close();

        let mut out = [0; NUM_JOBS + 1];
        for _ in 0..NUM_JOBS {                  // exactly one result per job
            let r = (<-results).unwrap();
            out[r.job] = r.value;
        }
        println!("{:?}", &out[1..]);
        let max = stats.max.load(SeqCst);
        println!("never more than {NUM_WORKERS} in flight: {}", max <= NUM_WORKERS);
    }
    // ANCHOR_END: main
}
