//! Bounding concurrency with a semaphore: ten jobs start at once, but a
//! `sync::Semaphore` of 3 lets only three run at a time (say, three
//! database connections). Each job counts how many run alongside it; the
//! program prints the largest count seen, which is the semaphore's size.
//!
//! Coming from JavaScript: like `p-limit(3)` around each task.
//!
//! ```go
//! sem := semaphore.NewWeighted(3)
//! var running, maxRunning atomic.Int32
//! var wg sync.WaitGroup
//! for i := 0; i < 10; i++ {
//!     wg.Add(1)
//!     go func() {
//!         defer wg.Done()
//!         sem.Acquire(ctx, 1)
//!         defer sem.Release(1)
//!         n := running.Add(1)
//!         // ... record max(n) ...
//!         time.Sleep(2 * time.Millisecond)
//!         running.Add(-1)
//!     }()
//! }
//! wg.Wait()
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use goru::prelude::*;
use goru::sync::Semaphore;

static RUNNING: AtomicU32 = AtomicU32::new(0);
static MAX_RUNNING: AtomicU32 = AtomicU32::new(0);
static DONE: AtomicU32 = AtomicU32::new(0);

goru! {
    // ANCHOR: job
    fn job(sem: Arc<Semaphore>, wg: WaitGroup) {
        defer!(wg.done());
        sem.acquire(1);                             // parks while 3 are running
        defer!(sem.release(1));
        let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
        MAX_RUNNING.fetch_max(now, Ordering::SeqCst);
        time::sleep(ms(2));                         // the limited work
        RUNNING.fetch_sub(1, Ordering::SeqCst);
        DONE.fetch_add(1, Ordering::SeqCst);
    }
    // ANCHOR_END: job

    // ANCHOR: main
    #[goru::main]
    fn main() {
        let sem = Arc::new(Semaphore::new(3));      // semaphore.NewWeighted(3)
        let wg = WaitGroup::new();
        for _ in 0..10 {
            wg.add(1);
            go!(job(sem.clone(), wg.clone()));
        }
        wg.wait();
        println!("jobs done: {}", DONE.load(Ordering::SeqCst));
        println!("max concurrency observed: {}", MAX_RUNNING.load(Ordering::SeqCst));
    }
    // ANCHOR_END: main
}
