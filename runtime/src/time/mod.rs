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
#[track_caller]
pub fn sleep(d: Duration) {
    crate::sched::sleep(d);
}

/// `d` milliseconds.
pub const fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}
/// `d` seconds.
pub const fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}
/// `d` microseconds.
pub const fn us(n: u64) -> Duration {
    Duration::from_micros(n)
}
/// `d` nanoseconds.
pub const fn ns(n: u64) -> Duration {
    Duration::from_nanos(n)
}
/// `d` minutes.
pub const fn minutes(n: u64) -> Duration {
    Duration::from_secs(n * 60)
}

/// Time elapsed since `t` (`time.Since`).
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
pub fn after(d: Duration) -> Receiver<Instant> {
    new_timer(d).c
}

/// A receiver that gets the time every `d`, for the life of the program
/// (`time.Tick`; use [`new_ticker`] to be able to stop it). A zero `d` gives
/// a nil channel, as in Go.
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
pub fn new_timer(d: Duration) -> Timer {
    let (c, timer) = time_channel(d, Duration::ZERO);
    Timer { c, timer }
}

/// Runs `f` in its own goroutine after `d` (`time.AfterFunc`); the returned
/// timer can stop or reset it. Its `c` is a nil channel, as in Go.
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
    pub fn stop(&self) -> bool {
        self.timer.stop()
    }

    /// Re-arms the timer to fire after `d`; true if it had been active
    /// (`Timer.Reset`). As in Go, a value already delivered to `c` stays there.
    pub fn reset(&self, d: Duration) -> bool {
        self.timer.start(clock::deadline_after(d), 0)
    }
}

/// Ticks every period: `c` receives the time (`time.Ticker`). A slow reader
/// misses ticks instead of queueing them. Dropping it stops it.
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
pub fn new_ticker(d: Duration) -> Ticker {
    assert!(!d.is_zero(), "non-positive interval for NewTicker");
    let (c, timer) = time_channel(d, d);
    Ticker { c, timer }
}

impl Ticker {
    /// Stops the ticks (`Ticker.Stop`); `c` is not closed, as in Go.
    pub fn stop(&self) {
        self.timer.stop();
    }

    /// Restarts with period `d` (`Ticker.Reset`); panics on a zero period.
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
