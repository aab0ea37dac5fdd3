//! The token-bucket limiter: the burst first, then the configured rate.
//! Deterministic where the API takes the time as an argument; elsewhere only
//! lower bounds on elapsed time (a timer never fires early), never upper.

use std::time::{Duration, Instant};

use goru::context;
use goru::prelude::*;
use goru::rate::{self, Limiter};

#[test]
fn burst_then_the_rate_on_a_virtual_clock() {
    let limiter = Limiter::new(10.0, 3); // 10/s, bursts of 3
    let t0 = Instant::now();
    assert!(limiter.allow_n_at(t0, 3), "the burst is available at once");
    assert!(!limiter.allow_n_at(t0, 1), "then nothing");
    let t1 = t0 + Duration::from_millis(100);
    assert!(limiter.allow_n_at(t1, 1), "one token per 100 ms");
    assert!(!limiter.allow_n_at(t1, 1));
    // A long pause refills only up to the burst.
    let t2 = t1 + Duration::from_secs(60);
    assert!((limiter.tokens_at(t2) - 3.0).abs() < 1e-9);
    assert!(!limiter.allow_n_at(t2, 4));
    assert!(limiter.allow_n_at(t2, 3));
}

#[test]
fn every_converts_an_interval() {
    assert!((rate::every(Duration::from_millis(250)) - 4.0).abs() < 1e-9);
    assert!(rate::every(Duration::ZERO).is_infinite());
    let unlimited = Limiter::new(rate::every(Duration::ZERO), 0);
    assert!((0..1000).all(|_| unlimited.allow()));
}

goru! {
    #[goru::test]
    fn wait_admits_the_burst_then_paces() {
        let limiter = Limiter::new(100.0, 5); // 100/s after a burst of 5
        let start = Instant::now();
        for _ in 0..5 {
            limiter.wait();
        }
        for _ in 0..10 {
            limiter.wait();
        }
        // 10 tokens beyond the burst at 100/s: at least ~100 ms.
        assert!(start.elapsed() >= Duration::from_millis(95), "{:?}", start.elapsed());
    }

    #[goru::test]
    fn concurrent_waiters_share_the_rate() {
        let limiter = std::sync::Arc::new(Limiter::new(200.0, 1));
        let wg = WaitGroup::new();
        let start = Instant::now();
        for _ in 0..20 {
            wg.add(1);
            let (limiter, wg) = (limiter.clone(), wg.clone());
            go! {
                limiter.wait();
                wg.done();
            };
        }
        wg.wait();
        // 19 tokens beyond the burst at 200/s: at least ~95 ms.
        assert!(start.elapsed() >= Duration::from_millis(90), "{:?}", start.elapsed());
    }

    #[goru::test]
    fn wait_ctx_gives_up_before_a_deadline_it_cannot_meet() {
        let limiter = Limiter::new(1.0, 1); // one a second
        assert!(limiter.allow());
        let (ctx, _cancel) = context::with_timeout(&context::background(), ms(50));
        // The next token is ~1 s away, past the deadline: fail at once,
        // and leave the token for others.
        assert_eq!(limiter.wait_ctx(&ctx), Err(context::ContextError::DeadlineExceeded));
        assert!(limiter.tokens_at(Instant::now()) < 1.0);
        assert!(limiter.tokens_at(Instant::now()) > -0.5, "the reservation was returned");
    }

    #[goru::test]
    fn wait_ctx_returns_when_cancelled() {
        let limiter = std::sync::Arc::new(Limiter::new(0.5, 1)); // one per 2 s
        assert!(limiter.allow());
        let (ctx, cancel) = context::with_cancel(&context::background());
        let result = chan![Result<(), context::ContextError>; 1];
        let (l, c, r) = (limiter.clone(), ctx.clone(), result.sender());
        go! { r <- l.wait_ctx(&c); };
        cancel.cancel();
        assert_eq!(<-result, Some(Err(context::ContextError::Canceled)));
    }

    #[goru::test]
    fn a_ticker_paces_too() {
        // Go by Example's basic rate limiting: one request per tick.
        let requests = chan![u32; 5];
        for i in 1..=5 {
            requests <- i;
        }
        requests.close();
        let limiter = time::tick(ms(10));
        let start = Instant::now();
        let mut served = Vec::new();
        for req in &requests {
            <-limiter;
            served.push(req);
        }
        assert_eq!(served, [1, 2, 3, 4, 5]);
        assert!(start.elapsed() >= Duration::from_millis(45));
    }
}
