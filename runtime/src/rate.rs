//! Rate limiting, like golang.org/x/time/rate: a token bucket that refills
//! at `rate` tokens per second up to `burst`. `allow()` asks without
//! waiting; `wait()` parks the goroutine until a token is due;
//! `wait_ctx()` also gives up when a context is done.
//!
//! For a fixed pace without bursts, Go programs also use a ticker
//! (`for range time.Tick(d)`); [`crate::time::tick`] does the same here.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::context::{Context, ContextError};
use crate::time;

/// Tokens per second, from an interval between events (Go's `rate.Every`).
///
/// A zero interval means no limit (infinite rate).
///
/// ```
/// use std::time::Duration;
/// use goru::rate;
/// use goru::time::ms;
///
/// assert_eq!(rate::every(ms(100)), 10.0);   // rate.Every(100 * time.Millisecond)
/// assert_eq!(rate::every(Duration::ZERO), f64::INFINITY);
/// ```
pub fn every(interval: Duration) -> f64 {
    if interval.is_zero() {
        f64::INFINITY
    } else {
        1.0 / interval.as_secs_f64()
    }
}

struct Bucket {
    tokens: f64,
    last: Instant,
}

/// A token-bucket rate limiter (Go's `rate.Limiter`): up to `burst` events
/// at once, then `rate` events per second on average.
///
/// ```
/// use goru::rate::{self, Limiter};
/// use goru::time::ms;
///
/// goru::run(|| {
///     // 10 requests a second, bursts of 3 (rate.NewLimiter(10, 3)).
///     let limiter = Limiter::new(rate::every(ms(100)), 3);
///     let admitted = (0..5).filter(|_| limiter.allow()).count();
///     assert_eq!(admitted, 3);          // the burst, then "not yet"
///     limiter.wait();                   // parks until the next token
/// });
/// ```
pub struct Limiter {
    rate: f64,
    burst: u32,
    bucket: Mutex<Bucket>,
}

impl fmt::Debug for Limiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Limiter")
            .field("rate", &self.rate)
            .field("burst", &self.burst)
            .finish()
    }
}

impl Limiter {
    /// A limiter refilling `rate` tokens per second, holding at most
    /// `burst`; it starts full (Go's `NewLimiter(r, b)`).
    ///
    /// ```
    /// use goru::rate::Limiter;
    ///
    /// let limiter = Limiter::new(5.0, 2);   // rate.NewLimiter(5, 2)
    /// assert!(limiter.allow());
    /// assert!(limiter.allow());             // starts full: the burst of 2
    /// ```
    pub fn new(rate: f64, burst: u32) -> Self {
        assert!(rate >= 0.0, "rate: negative rate {rate}");
        Limiter {
            rate,
            burst,
            bucket: Mutex::new(Bucket {
                tokens: f64::from(burst),
                last: Instant::now(),
            }),
        }
    }

    /// Tokens per second.
    ///
    /// Go: `lim.Limit()`.
    ///
    /// ```
    /// use goru::rate::{self, Limiter};
    /// use goru::time::ms;
    ///
    /// let limiter = Limiter::new(rate::every(ms(250)), 1);
    /// assert_eq!(limiter.rate(), 4.0);
    /// ```
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// The largest number of events allowed at once.
    ///
    /// Go: `lim.Burst()`.
    ///
    /// ```
    /// use goru::rate::Limiter;
    ///
    /// let limiter = Limiter::new(10.0, 3);
    /// assert_eq!(limiter.burst(), 3);
    /// ```
    pub fn burst(&self) -> u32 {
        self.burst
    }

    /// Whether an event may happen now; takes a token if so (Go's `Allow`).
    ///
    /// ```
    /// use goru::rate::Limiter;
    /// use goru::time::secs;
    ///
    /// let limiter = Limiter::new(goru::rate::every(secs(60)), 1);
    /// assert!(limiter.allow());             // lim.Allow(): the one token
    /// assert!(!limiter.allow());            // next one due in a minute: drop it
    /// ```
    pub fn allow(&self) -> bool {
        self.allow_n_at(Instant::now(), 1)
    }

    /// Whether `n` events may happen at `now`; takes `n` tokens if so (Go's
    /// `AllowN`). Taking `now` as an argument makes the limiter testable
    /// without sleeping.
    ///
    /// ```
    /// use std::time::Instant;
    /// use goru::rate::Limiter;
    /// use goru::time::ms;
    ///
    /// let limiter = Limiter::new(10.0, 5);  // 10 tokens a second, up to 5
    /// let t0 = Instant::now();
    /// assert!(limiter.allow_n_at(t0, 5));   // lim.AllowN(t0, 5): the whole burst
    /// assert!(!limiter.allow_n_at(t0, 1));  // empty at t0
    /// assert!(limiter.allow_n_at(t0 + ms(200), 2));   // 2 tokens refilled by then
    /// ```
    pub fn allow_n_at(&self, now: Instant, n: u32) -> bool {
        if self.rate.is_infinite() {
            return true;
        }
        let mut b = self.lock();
        self.refill(&mut b, now);
        if b.tokens >= f64::from(n) {
            b.tokens -= f64::from(n);
            true
        } else {
            false
        }
    }

    /// Tokens available at `now` (Go's `TokensAt`).
    ///
    /// ```
    /// use std::time::Instant;
    /// use goru::rate::Limiter;
    /// use goru::time::ms;
    ///
    /// let limiter = Limiter::new(10.0, 5);
    /// let t0 = Instant::now();
    /// assert!(limiter.allow_n_at(t0, 5));
    /// assert_eq!(limiter.tokens_at(t0), 0.0);                    // lim.TokensAt(t0)
    /// assert!((limiter.tokens_at(t0 + ms(100)) - 1.0).abs() < 1e-9);
    /// assert_eq!(limiter.tokens_at(t0 + ms(10_000)), 5.0);       // capped at burst
    /// ```
    pub fn tokens_at(&self, now: Instant) -> f64 {
        let mut b = self.lock();
        self.refill(&mut b, now);
        b.tokens
    }

    /// Parks until an event may happen, then takes its token (Go's `Wait`
    /// with a background context).
    ///
    /// ```
    /// use goru::rate::{self, Limiter};
    /// use goru::time::ms;
    ///
    /// goru::run(|| {
    ///     // One event per millisecond, one at a time.
    ///     let limiter = Limiter::new(rate::every(ms(1)), 1);
    ///     for _ in 0..3 {
    ///         limiter.wait();               // lim.Wait(context.Background())
    ///         // ... send one request ...
    ///     }
    /// });
    /// ```
    #[track_caller]
    pub fn wait(&self) {
        let delay = self.reserve(Instant::now(), 1);
        if !delay.is_zero() {
            time::sleep(delay);
        }
    }

    /// Like [`wait`](Self::wait), but gives up when `ctx` is done, or at once
    /// when the token would come after `ctx`'s deadline; the token is then
    /// not taken (Go's `Wait(ctx)`).
    ///
    /// ```
    /// use goru::context::{self, ContextError};
    /// use goru::rate::{self, Limiter};
    /// use goru::time::{ms, secs};
    ///
    /// goru::run(|| {
    ///     let limiter = Limiter::new(rate::every(secs(10)), 1);
    ///     // A token is there: no wait.
    ///     assert_eq!(limiter.wait_ctx(&context::background()), Ok(()));
    ///
    ///     // The next token is 10 s away, past this 5 ms deadline: fails at once.
    ///     let (ctx, _cancel) = context::with_timeout(&context::background(), ms(5));
    ///     assert_eq!(limiter.wait_ctx(&ctx), Err(ContextError::DeadlineExceeded));
    ///
    ///     // An already cancelled context fails too (err := lim.Wait(ctx)).
    ///     let (ctx, cancel) = context::with_cancel(&context::background());
    ///     cancel.cancel();
    ///     assert_eq!(limiter.wait_ctx(&ctx), Err(ContextError::Canceled));
    /// });
    /// ```
    #[track_caller]
    pub fn wait_ctx(&self, ctx: &Context) -> Result<(), ContextError> {
        if let Some(err) = ctx.err() {
            return Err(err);
        }
        let now = Instant::now();
        let delay = self.reserve(now, 1);
        if delay.is_zero() {
            return Ok(());
        }
        if ctx.deadline().is_some_and(|d| d < now + delay) {
            self.unreserve(1);
            return Err(ContextError::DeadlineExceeded);
        }
        let done = ctx.done();
        let timer = time::after(delay);
        let mut on_done = crate::select::RecvCase::new(done.raw());
        let mut on_time = crate::select::RecvCase::new(timer.raw());
        match crate::select::select(&mut [on_done.case(), on_time.case()], false) {
            Some(1) => Ok(()),
            _ => {
                self.unreserve(1);
                Err(ctx.err().unwrap_or(ContextError::Canceled))
            }
        }
    }

    /// Takes `n` tokens, possibly going into debt; returns how long until
    /// the debt is paid (the caller waits that long).
    fn reserve(&self, now: Instant, n: u32) -> Duration {
        if self.rate.is_infinite() {
            return Duration::ZERO;
        }
        assert!(
            n <= self.burst,
            "rate: waiting for {n} tokens exceeds the limiter's burst {}",
            self.burst
        );
        let mut b = self.lock();
        self.refill(&mut b, now);
        b.tokens -= f64::from(n);
        if b.tokens >= 0.0 {
            Duration::ZERO
        } else if self.rate == 0.0 {
            // Never refills: Go's Wait fails; without a context this parks
            // for good, which the deadlock detector reports.
            Duration::MAX
        } else {
            Duration::from_secs_f64(-b.tokens / self.rate)
        }
    }

    fn unreserve(&self, n: u32) {
        let mut b = self.lock();
        b.tokens = (b.tokens + f64::from(n)).min(f64::from(self.burst));
    }

    fn refill(&self, b: &mut Bucket, now: Instant) {
        if now > b.last {
            let elapsed = now.duration_since(b.last).as_secs_f64();
            b.tokens = (b.tokens + elapsed * self.rate).min(f64::from(self.burst));
            b.last = now;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Bucket> {
        // Held for a few arithmetic operations only, never across a park.
        self.bucket.lock().unwrap_or_else(|e| e.into_inner())
    }
}
