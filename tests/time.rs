//! The time package: sleep, after, tick, Timer (stop/reset), Ticker
//! (stop/reset), after_func. No test asserts that anything is fast: only
//! ordering, at-least durations, and that stopped timers stay silent.
//!
//! Tests about what must *not* arrive use one-worker runtimes: timers fire on
//! the workers between goroutines, so with one worker a `stop()` that returned
//! cannot race with a firing in progress.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::{Duration, Instant};

use common::*;
use goru::time::{after, after_func, ms, new_ticker, new_timer, secs, sleep, tick};
use goru::{Chan, TryRecvError};

#[test]
fn sleep_lasts_at_least_its_duration() {
    run(2, || {
        for d in [ms(1), ms(10), ms(30)] {
            let t = Instant::now();
            sleep(d);
            assert!(
                t.elapsed() >= d,
                "sleep({d:?}) returned after {:?}",
                t.elapsed()
            );
        }
        sleep(Duration::ZERO); // returns (yields)
    });
    // On a plain thread it sleeps the thread.
    let t = Instant::now();
    sleep(ms(5));
    assert!(t.elapsed() >= ms(5));
}

#[test]
fn sleepers_wake_in_deadline_order() {
    // Gaps of 100 ms: the order only depends on the deadlines, not on speed.
    let order = run(1, || {
        let out = Chan::<u64>::new(3);
        for d in [300u64, 100, 200] {
            let out = out.clone();
            goru::go(move || {
                sleep(ms(d));
                out.send(d).unwrap();
            });
        }
        (0..3).map(|_| out.recv().unwrap()).collect::<Vec<_>>()
    });
    assert_eq!(order, vec![100, 200, 300]);
}

#[test]
fn many_sleepers_all_wake() {
    let n = run(2, || {
        let done = Chan::<()>::new(0);
        for i in 0..2000u64 {
            let d = done.clone();
            goru::go(move || {
                sleep(Duration::from_micros(i * 37 % 20_000));
                d.send(()).unwrap();
            });
        }
        (0..2000).filter(|_| done.recv().is_some()).count()
    });
    assert_eq!(n, 2000);
}

#[test]
fn after_delivers_the_time_once() {
    run(2, || {
        let start = Instant::now();
        let c = after(ms(10));
        let t = recv_guarded(&c, "after(10ms)").expect("after delivers a value");
        assert!(t >= start + ms(10), "fired before its deadline");
        assert_eq!(c.try_recv(), Err(TryRecvError::Empty), "a timer fires once");
        assert!(!c.is_closed(), "Go does not close a timer's channel");
        // Zero and past durations fire too.
        recv_guarded(&after(Duration::ZERO), "after(0)").unwrap();
    });
}

#[test]
fn many_timers_all_fire() {
    let n = run(2, || {
        let chans: Vec<_> = (0..5000u64)
            .map(|i| after(Duration::from_micros(i * 13 % 30_000)))
            .collect();
        chans
            .iter()
            .filter(|c| recv_guarded(c, "one of many timers").is_some())
            .count()
    });
    assert_eq!(n, 5000);
}

#[test]
fn timer_stop_before_fire() {
    run(1, || {
        let t = new_timer(ms(20));
        assert!(t.stop(), "stopping a pending timer returns true");
        assert!(!t.stop(), "a second stop returns false");
        sleep(ms(100));
        assert_eq!(
            t.c.try_recv(),
            Err(TryRecvError::Empty),
            "a stopped timer delivered a value"
        );
    });
}

#[test]
fn timer_stop_after_fire_returns_false() {
    run(1, || {
        let t = new_timer(ms(1));
        recv_guarded(&t.c, "timer").unwrap();
        assert!(!t.stop(), "stop after the timer fired returns false");
    });
}

#[test]
fn timer_reset_pending_and_expired() {
    run(1, || {
        // Reset of a pending timer: true, and it fires at the new time.
        let t = new_timer(secs(3600));
        let start = Instant::now();
        assert!(t.reset(ms(10)), "reset of an active timer returns true");
        let fired = recv_guarded(&t.c, "reset timer").unwrap();
        assert!(fired >= start + ms(10));

        // Reset of an expired (received) timer: false, fires again.
        assert!(!t.reset(ms(5)), "reset of an expired timer returns false");
        recv_guarded(&t.c, "timer reset after it fired").unwrap();

        // Reset of a stopped timer: false, fires.
        assert!(
            !t.reset(secs(3600)),
            "reset of an expired timer returns false"
        );
        assert!(t.stop());
        assert!(!t.reset(ms(5)), "reset of a stopped timer returns false");
        recv_guarded(&t.c, "timer reset after stop").unwrap();

        // Reset to a later time: nothing at the old time.
        let t = new_timer(ms(10));
        assert!(t.reset(secs(3600)));
        sleep(ms(60));
        assert_eq!(
            t.c.try_recv(),
            Err(TryRecvError::Empty),
            "fired at the time before the reset"
        );
        assert!(t.stop());
    });
}

#[test]
fn timer_value_not_taken_stays_after_reset() {
    // Documented (pre-Go-1.23) behaviour: a delivered value stays in `c`.
    run(1, || {
        let t = new_timer(ms(1));
        sleep(ms(20));
        assert!(!t.reset(ms(10)));
        let first = recv_guarded(&t.c, "stale value").unwrap();
        let second = recv_guarded(&t.c, "value after reset").unwrap();
        assert!(second > first);
    });
}

#[test]
fn ticker_ticks_then_stops() {
    run(1, || {
        let tk = new_ticker(ms(5));
        let mut last = Instant::now();
        for i in 0..5 {
            let t = recv_guarded(&tk.c, &format!("tick {i}")).unwrap();
            assert!(t >= last, "ticks go forward in time");
            last = t;
        }
        tk.stop();
        // One tick may already sit in the channel (capacity 1), not more.
        let _ = tk.c.try_recv();
        assert_eq!(tk.c.try_recv(), Err(TryRecvError::Empty));
        sleep(ms(60));
        assert_eq!(
            tk.c.try_recv(),
            Err(TryRecvError::Empty),
            "a stopped ticker ticked"
        );
        assert!(!tk.c.is_closed(), "stop does not close the channel");
    });
}

#[test]
fn slow_ticker_reader_misses_ticks_instead_of_queueing() {
    run(1, || {
        let tk = new_ticker(ms(2));
        sleep(ms(50));
        assert!(tk.c.len() <= 1, "ticks queue up: {}", tk.c.len());
        tk.stop();
    });
}

#[test]
fn ticker_reset_changes_the_period() {
    run(1, || {
        let tk = new_ticker(secs(3600));
        tk.reset(ms(5));
        for i in 0..3 {
            recv_guarded(&tk.c, &format!("tick {i} after reset")).unwrap();
        }
        tk.reset(secs(3600));
        let _ = tk.c.try_recv();
        sleep(ms(50));
        assert_eq!(
            tk.c.try_recv(),
            Err(TryRecvError::Empty),
            "ticked at the old period after reset"
        );
    });
}

#[test]
fn dropping_a_ticker_stops_it() {
    run(1, || {
        let c = {
            let tk = new_ticker(ms(5));
            recv_guarded(&tk.c, "first tick").unwrap();
            tk.c.clone()
        };
        let _ = c.try_recv();
        sleep(ms(50));
        assert_eq!(
            c.try_recv(),
            Err(TryRecvError::Empty),
            "a dropped ticker kept ticking"
        );
    });
}

#[test]
fn zero_period_ticker_panics_and_tick_zero_is_nil() {
    let p = std::panic::catch_unwind(|| new_ticker(Duration::ZERO)).unwrap_err();
    assert_eq!(panic_message(&*p), "non-positive interval for NewTicker");
    assert!(tick(Duration::ZERO).is_nil());
    run(1, || {
        let tk = new_ticker(ms(5));
        let p = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| tk.reset(Duration::ZERO)))
            .unwrap_err();
        assert_eq!(panic_message(&*p), "non-positive interval for Ticker.Reset");
        tk.stop();
    });
}

#[test]
fn tick_delivers_repeatedly() {
    run(2, || {
        let c = tick(ms(3));
        for i in 0..4 {
            recv_guarded(&c, &format!("tick {i}")).unwrap();
        }
    });
}

#[test]
fn after_func_runs_in_a_goroutine_of_the_runtime() {
    let workers = run(3, || {
        let out = Chan::<usize>::new(1);
        let o = out.clone();
        let t = after_func(ms(10), move || {
            // Goroutine context: goroutine-only operations work here.
            sleep(ms(1));
            let _ = o.try_send(goru::runtime::gomaxprocs());
        });
        assert!(t.c.is_nil(), "after_func's timer has a nil channel");
        recv_guarded(&out.receiver(), "after_func").unwrap()
    });
    assert_eq!(workers, 3, "after_func ran outside its runtime");
}

#[test]
fn after_func_stop_before_fire_prevents_the_call() {
    let calls = run(1, || {
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        let t = after_func(ms(20), move || {
            c.fetch_add(1, SeqCst);
        });
        assert!(t.stop());
        sleep(ms(100));
        calls.load(SeqCst)
    });
    assert_eq!(calls, 0, "a stopped after_func ran");
}

#[test]
fn after_func_reset_runs_again() {
    let calls = run(2, || {
        let calls = Arc::new(AtomicUsize::new(0));
        let done = Chan::<()>::new(2);
        let (c, d) = (calls.clone(), done.clone());
        let t = after_func(ms(5), move || {
            c.fetch_add(1, SeqCst);
            d.send(()).unwrap();
        });
        recv_guarded(&done.receiver(), "first after_func call").unwrap();
        assert!(!t.reset(ms(5)), "reset after it ran returns false");
        recv_guarded(&done.receiver(), "second after_func call").unwrap();
        calls.load(SeqCst)
    });
    assert_eq!(calls, 2);
}

#[test]
fn timers_from_plain_threads() {
    // The global runtime's timers serve plain threads.
    let c = after(ms(5));
    let t = c.recv().expect("after() from a plain thread");
    let _ = t;
    let tm = new_timer(secs(3600));
    assert!(tm.stop());
    let tk = new_ticker(ms(3));
    tk.c.recv().unwrap();
    tk.c.recv().unwrap();
    tk.stop();
    // And the hang-guarded receive works the same on a thread.
    recv_guarded(&after(ms(1)), "after on a thread").unwrap();
}

#[test]
fn duration_helpers() {
    assert_eq!(ms(1500), Duration::from_millis(1500));
    assert_eq!(secs(2), Duration::from_secs(2));
    assert_eq!(goru::time::us(7), Duration::from_micros(7));
    assert_eq!(goru::time::ns(9), Duration::from_nanos(9));
    assert_eq!(goru::time::minutes(2), Duration::from_secs(120));
    let t = Instant::now();
    assert!(goru::time::since(t) <= t.elapsed() + ms(1000));
}

/// A stopped timer's leftover heap entry is not pending work: a deadlock
/// behind it is reported at once, not when the stopped timer would have
/// fired (an hour here: the harness guard would trip first).
#[test]
fn stopped_timer_does_not_delay_deadlock_detection() {
    let outcome = std::panic::catch_unwind(|| {
        common::run(2, || {
            let t = goru::time::new_timer(std::time::Duration::from_secs(3600));
            t.stop();
            goru::Chan::<()>::nil().recv();
        })
    });
    let payload = outcome.expect_err("deadlock reported");
    let msg = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(msg.contains("all goroutines are asleep"), "{msg}");
}
