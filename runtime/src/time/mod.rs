//! Go's `time` package for goroutines: `sleep`, `after`, `tick`, `Timer`,
//! `Ticker`, `after_func`, on the workers' timer heaps (no timer thread runs
//! user code), plus Go-like duration helpers.

use std::panic::Location;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::chan::{Chan, Receiver, Sender};
use crate::sched::runtime::current_or_global;
use crate::sched::spawn::{go_entry, spawn_on};
use crate::sched::timers::TimerShared;
use crate::util::clock;

/// Pauses the current goroutine for at least `d` (`time.Sleep`); other
/// goroutines run meanwhile. On a plain thread, sleeps the thread.
///
/// ```
/// use goru::time::{self, ms};
/// use std::time::Instant;
///
/// goru::run(|| {
///     let start = Instant::now();
///     time::sleep(ms(2)); // Go: time.Sleep(2 * time.Millisecond)
///     assert!(time::since(start) >= ms(2));
/// });
/// ```
#[track_caller]
pub fn sleep(d: Duration) {
    crate::sched::sleep(d);
}

/// `n` milliseconds.
///
/// Go equivalent: `n * time.Millisecond` (a `time.Duration`).
///
/// ```
/// use goru::time::{ms, secs};
///
/// assert_eq!(ms(1500), secs(1) + ms(500));
/// assert_eq!(ms(2).as_micros(), 2_000);
/// ```
pub const fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}
/// `n` seconds.
///
/// Go equivalent: `n * time.Second` (a `time.Duration`).
///
/// ```
/// use goru::time::{minutes, secs};
///
/// assert_eq!(secs(120), minutes(2));
/// assert_eq!(secs(3).as_millis(), 3_000);
/// ```
pub const fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}
/// `n` microseconds.
///
/// Go equivalent: `n * time.Microsecond` (a `time.Duration`).
///
/// ```
/// use goru::time::{ms, us};
///
/// assert_eq!(us(2_000), ms(2));
/// assert_eq!(us(5).as_nanos(), 5_000);
/// ```
pub const fn us(n: u64) -> Duration {
    Duration::from_micros(n)
}
/// `n` nanoseconds.
///
/// Go equivalent: `n * time.Nanosecond` (a `time.Duration`).
///
/// ```
/// use goru::time::{ns, us};
///
/// assert_eq!(ns(3_000), us(3));
/// assert_eq!(ns(7).as_nanos(), 7);
/// ```
pub const fn ns(n: u64) -> Duration {
    Duration::from_nanos(n)
}
/// `n` minutes.
///
/// Go equivalent: `n * time.Minute` (a `time.Duration`).
///
/// ```
/// use goru::time::{minutes, secs};
///
/// assert_eq!(minutes(1), secs(60));
/// assert_eq!(minutes(90).as_secs(), 5_400);
/// ```
pub const fn minutes(n: u64) -> Duration {
    Duration::from_secs(n * 60)
}

/// Time elapsed since `t` (`time.Since`).
///
/// ```
/// use goru::time::{self, ms};
/// use std::time::Instant;
///
/// goru::run(|| {
///     let start = Instant::now();
///     time::sleep(ms(1));
///     assert!(time::since(start) >= ms(1));
/// });
/// ```
pub fn since(t: Instant) -> Duration {
    t.elapsed()
}

/// Delivers the current time without blocking: if the reader has not taken
/// the previous tick, this one is dropped (Go's `sendTime`).
fn send_time(tx: &Sender<Instant>) {
    let _ = tx.try_send(Instant::now());
}

fn duration_nanos(d: Duration) -> u64 {
    d.as_nanos().min(u128::from(u64::MAX)) as u64
}

/// A channel (capacity 1) that receives the time when a timer fires, first
/// after `first`, then every `period` if that is non-zero; and the timer.
fn time_channel(first: Duration, period: Duration) -> (Receiver<Instant>, Arc<TimerShared>) {
    let c = Chan::new(1);
    let tx: Sender<Instant> = c.sender();
    let timer = TimerShared::new(current_or_global(), Box::new(move || send_time(&tx)));
    timer.start(clock::deadline_after(first), duration_nanos(period));
    (c.receiver(), timer)
}

/// A receiver that gets the time once, after `d` (`time.After`); use it in
/// `select` for timeouts.
///
/// ```
/// use goru::prelude::*;
///
/// goru::run(|| {
///     let never = chan![i32]; // nobody sends on it
///     let timeout = time::after(ms(1));
///     let mut timed_out = false;
///     select! {
///         <-never => { unreachable!("nothing was sent") }
///         <-timeout => { timed_out = true; }
///     }
///     assert!(timed_out);
/// });
/// ```
pub fn after(d: Duration) -> Receiver<Instant> {
    new_timer(d).c
}

/// A receiver that gets the time every `d`, for the life of the program
/// (`time.Tick`; use [`new_ticker`] to be able to stop it). A zero `d` gives
/// a nil channel, as in Go.
///
/// ```
/// use goru::time::{self, ms};
///
/// goru::run(|| {
///     let ticks = time::tick(ms(1));
///     for _ in 0..3 {
///         assert!(ticks.recv().is_some());
///     }
///     // It ticks until the runtime stops, when `goru::run` returns.
/// });
/// ```
pub fn tick(d: Duration) -> Receiver<Instant> {
    if d.is_zero() {
        return Receiver::nil();
    }
    // No handle is kept: the timer heap owns the timer and re-arms it until
    // the runtime stops.
    time_channel(d, d).0
}

/// A single event: `c` receives the time when the timer fires (`time.Timer`).
/// Dropping a `Timer` does not stop it (its channel may live on elsewhere).
///
/// ```
/// use goru::time::{self, ms};
/// use std::time::Instant;
///
/// goru::run(|| {
///     let start = Instant::now();
///     let timer = time::new_timer(ms(2));
///     let fired_at = timer.c.recv().unwrap(); // Go: <-timer.C
///     assert!(fired_at >= start + ms(2));
/// });
/// ```
pub struct Timer {
    /// Receives the time once the timer fires.
    pub c: Receiver<Instant>,
    timer: Arc<TimerShared>,
}

impl std::fmt::Debug for Timer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timer").field("c", &self.c).finish()
    }
}

/// A timer that fires once after `d` (`time.NewTimer`).
///
/// ```
/// use goru::time::{self, ms, secs};
///
/// goru::run(|| {
///     let soon = time::new_timer(ms(1));
///     assert!(soon.c.recv().is_some());
///
///     let late = time::new_timer(secs(60));
///     assert!(late.stop()); // stopped before it fired
/// });
/// ```
pub fn new_timer(d: Duration) -> Timer {
    let (c, timer) = time_channel(d, Duration::ZERO);
    Timer { c, timer }
}

/// Runs `f` in its own goroutine after `d` (`time.AfterFunc`); the returned
/// timer can stop or reset it. Its `c` is a nil channel, as in Go.
///
/// ```
/// use goru::prelude::*;
///
/// goru::run(|| {
///     let done = chan![&str; 1];
///     let tx = done.sender();
///     let _timer = time::after_func(ms(1), move || {
///         let _ = tx.try_send("fired");
///     });
///     assert_eq!(done.recv(), Some("fired"));
///
///     let never = time::after_func(secs(60), || unreachable!());
///     assert!(never.stop()); // `f` will not run
/// });
/// ```
#[track_caller]
pub fn after_func<F>(d: Duration, f: F) -> Timer
where
    F: Fn() + Send + Sync + 'static,
{
    let site = Location::caller();
    let runtime = current_or_global();
    let f = Arc::new(f);
    let timer = TimerShared::new(
        runtime,
        Box::new(move || {
            let f = Arc::clone(&f);
            spawn_on(runtime, go_entry(move || f()), site);
        }),
    );
    timer.start(clock::deadline_after(d), 0);
    Timer {
        c: Receiver::nil(),
        timer,
    }
}

impl Timer {
    /// Stops the timer; true if that prevented it from firing (`Timer.Stop`).
    ///
    /// ```
    /// use goru::time::{self, ms, secs};
    ///
    /// goru::run(|| {
    ///     let timer = time::new_timer(secs(60));
    ///     assert!(timer.stop()); // it was pending
    ///     assert!(!timer.stop()); // already stopped
    ///
    ///     let fired = time::new_timer(ms(1));
    ///     fired.c.recv().unwrap();
    ///     assert!(!fired.stop()); // too late: it already fired
    /// });
    /// ```
    pub fn stop(&self) -> bool {
        self.timer.stop()
    }

    /// Re-arms the timer to fire after `d`; true if it had been active
    /// (`Timer.Reset`). As in Go, a value already delivered to `c` stays there.
    ///
    /// ```
    /// use goru::time::{self, ms, secs};
    /// use std::time::Instant;
    ///
    /// goru::run(|| {
    ///     let timer = time::new_timer(secs(60));
    ///     let start = Instant::now();
    ///     assert!(timer.reset(ms(1))); // it was active
    ///     assert!(timer.c.recv().unwrap() >= start + ms(1));
    ///     assert!(!timer.reset(ms(1))); // it had fired; now re-armed
    ///     assert!(timer.c.recv().is_some());
    /// });
    /// ```
    pub fn reset(&self, d: Duration) -> bool {
        self.timer.start(clock::deadline_after(d), 0)
    }
}

/// Ticks every period: `c` receives the time (`time.Ticker`). A slow reader
/// misses ticks instead of queueing them. Dropping it stops it.
///
/// ```
/// use goru::time::{self, ms};
///
/// goru::run(|| {
///     let ticker = time::new_ticker(ms(1));
///     for _ in 0..3 {
///         assert!(ticker.c.recv().is_some()); // Go: <-ticker.C
///     }
///     ticker.stop();
/// });
/// ```
pub struct Ticker {
    /// Receives the time every period.
    pub c: Receiver<Instant>,
    timer: Arc<TimerShared>,
}

impl std::fmt::Debug for Ticker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ticker").field("c", &self.c).finish()
    }
}

/// A ticker with period `d` (`time.NewTicker`); panics on a zero period with
/// Go's message.
///
/// ```
/// use goru::time::{self, ms};
/// use std::time::Instant;
///
/// goru::run(|| {
///     let start = Instant::now();
///     let ticker = time::new_ticker(ms(1));
///     ticker.c.recv().unwrap();
///     ticker.c.recv().unwrap();
///     assert!(time::since(start) >= ms(2));
///     ticker.stop();
/// });
/// ```
pub fn new_ticker(d: Duration) -> Ticker {
    assert!(!d.is_zero(), "non-positive interval for NewTicker");
    let (c, timer) = time_channel(d, d);
    Ticker { c, timer }
}

impl Ticker {
    /// Stops the ticks (`Ticker.Stop`); `c` is not closed, as in Go.
    ///
    /// ```
    /// use goru::time::{self, ms};
    ///
    /// goru::run(|| {
    ///     let ticker = time::new_ticker(ms(1));
    ///     ticker.c.recv().unwrap();
    ///     ticker.stop();
    ///     assert!(!ticker.c.is_closed());
    /// });
    /// ```
    pub fn stop(&self) {
        self.timer.stop();
    }

    /// Restarts with period `d` (`Ticker.Reset`); panics on a zero period.
    ///
    /// ```
    /// use goru::time::{self, ms, secs};
    ///
    /// goru::run(|| {
    ///     let ticker = time::new_ticker(secs(60));
    ///     ticker.reset(ms(1)); // tick every millisecond from now on
    ///     assert!(ticker.c.recv().is_some());
    ///     ticker.stop();
    /// });
    /// ```
    pub fn reset(&self, d: Duration) {
        assert!(!d.is_zero(), "non-positive interval for Ticker.Reset");
        self.timer
            .start(clock::deadline_after(d), duration_nanos(d));
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.timer.stop();
    }
}
