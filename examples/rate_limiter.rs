//! Rate limiting two ways. A ticker paces requests evenly: each waits for
//! the next tick. A token bucket (`rate::Limiter`, Go's
//! `golang.org/x/time/rate`) lets a burst through at once, then refills at a
//! steady rate: `allow()` drops what is over the limit, `wait()` parks the
//! goroutine until its token is due. The program prints the order and the
//! counts, not wall-clock times, so its output is the same on every run.
//!
//! ```go
//! requests := make(chan int, 5)
//! for i := 1; i <= 5; i++ { requests <- i }
//! close(requests)
//! limiter := time.Tick(5 * time.Millisecond)
//! for req := range requests {
//!     <-limiter                                  // one request per tick
//!     fmt.Println("request", req)
//! }
//!
//! bucket := rate.NewLimiter(rate.Every(50*time.Millisecond), 3)
//! for i := 1; i <= 5; i++ {
//!     if bucket.Allow() {
//!         fmt.Println("request", i, "served from the burst")
//!     } else {
//!         bucket.Wait(context.Background())
//!         fmt.Println("request", i, "waited for a token")
//!     }
//! }
//! ```

use std::time::Instant;

use goru::prelude::*;
use goru::rate::{self, Limiter};

goru! {
    // ANCHOR: ticker
    fn paced_by_ticker() {
        let requests = chan![u32; 5];
        for i in 1..=5 {
            requests <- i;
        }
        requests.close();

        let start = Instant::now();
        let limiter = time::tick(ms(5));            // limiter := time.Tick(5ms)
        for req in &requests {
            <-limiter;                              // wait for the next tick
            println!("ticker: request {req}");
        }
        // Five ticks 5 ms apart: at least 25 ms, however fast the machine.
        println!("ticker: 5 requests took >= 25ms: {}", start.elapsed() >= ms(25));
    }
    // ANCHOR_END: ticker

    // ANCHOR: bucket
    fn bursty_with_bucket() {
        let start = Instant::now();
        // 20 tokens a second (one per 50 ms), bursts of up to 3.
        let bucket = Limiter::new(rate::every(ms(50)), 3);
        for i in 1..=5 {
            if bucket.allow() {                     // a token is there: go now
                println!("bucket: request {i} served from the burst");
            } else {
                bucket.wait();                      // park until the next token
                println!("bucket: request {i} waited for a token");
            }
        }
        // Two requests past the burst, 50 ms apart: about 100 ms in all.
        println!("bucket: 5 requests took >= 95ms: {}", start.elapsed() >= ms(95));
    }
    // ANCHOR_END: bucket

    // ANCHOR: drop
    fn drop_over_limit() {
        let bucket = Limiter::new(rate::every(secs(1)), 3);
        let served = (1..=10).filter(|_| bucket.allow()).count();
        println!("drop: 10 requests at once, {served} served, {} dropped", 10 - served);
    }
    // ANCHOR_END: drop

    #[goru::main]
    fn main() {
        paced_by_ticker();
        bursty_with_bucket();
        drop_over_limit();
    }
}
