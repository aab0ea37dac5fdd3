//! Go's deadlock detection and goroutine panics in `PanicMode::Propagate`:
//! `block_on` panics with "fatal error: all goroutines are asleep -
//! deadlock!" and a goroutine dump, or re-raises a goroutine's panic.
//!
//! This file deliberately contains no channel operation on a plain thread:
//! the detector holds off while any plain thread is inside a goru operation,
//! so such operations in parallel tests could delay a report (see also
//! fatal.rs, which checks that such a delay is not permanent).

mod common;

use std::time::Duration;

use common::*;
use goru::Chan;
use goru::select::{RecvCase, SendCase, select};

const DEADLOCK: &str = "fatal error: all goroutines are asleep - deadlock!";

/// Runs `f` on a fresh propagate-mode runtime and returns the deadlock report
/// `block_on` panicked with.
#[track_caller]
fn deadlock_report<F: FnOnce() + Send + 'static>(workers: usize, f: F) -> String {
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(workers, f)));
    let msg = panic_message(&*r.expect_err("expected a deadlock report, but block_on returned"));
    assert!(msg.starts_with(DEADLOCK), "not a deadlock report: {msg}");
    msg
}

#[test]
fn main_blocked_on_unbuffered_receive() {
    for workers in [1, 2, 4] {
        let msg = deadlock_report(workers, || {
            let c = Chan::<i32>::new(0);
            c.recv();
        });
        assert!(msg.contains("goroutine 1 [chan receive]:"), "{msg}");
        assert!(
            msg.contains("deadlock.rs"),
            "the dump names where goroutine 1 blocked / was created: {msg}"
        );
    }
}

#[test]
fn main_blocked_on_full_buffered_send() {
    let msg = deadlock_report(2, || {
        let c = Chan::<i32>::new(2);
        c.send(1).unwrap();
        c.send(2).unwrap();
        let _ = c.send(3);
    });
    assert!(msg.contains("goroutine 1 [chan send]:"), "{msg}");
}

#[test]
fn nil_channel_receive_blocks_forever() {
    let msg = deadlock_report(2, || {
        Chan::<i32>::nil().recv();
    });
    assert!(
        msg.contains("goroutine 1 [chan receive (nil chan)]:"),
        "{msg}"
    );
}

#[test]
fn nil_channel_send_blocks_forever() {
    let msg = deadlock_report(2, || {
        let _ = Chan::<i32>::nil().send(1);
    });
    assert!(msg.contains("goroutine 1 [chan send (nil chan)]:"), "{msg}");
}

#[test]
fn empty_select_blocks_forever() {
    let msg = deadlock_report(2, || {
        select(&mut [], false);
    });
    assert!(msg.contains("goroutine 1 [select (no cases)]:"), "{msg}");
}

#[test]
fn select_on_nil_channels_only_blocks_forever() {
    let msg = deadlock_report(2, || {
        let a = Chan::<i32>::nil();
        let b = Chan::<i32>::nil();
        let mut r = RecvCase::new(a.raw());
        let mut s = SendCase::new(b.raw(), 1);
        select(&mut [r.case(), s.case()], false);
    });
    assert!(msg.contains("goroutine 1 [select]:"), "{msg}");
}

#[test]
fn blocked_select_on_live_channels() {
    let msg = deadlock_report(2, || {
        let a = Chan::<i32>::new(0);
        let b = Chan::<i32>::new(1);
        b.send(0).unwrap();
        let mut r = RecvCase::new(a.raw());
        let mut s = SendCase::new(b.raw(), 1);
        select(&mut [r.case(), s.case()], false);
    });
    assert!(msg.contains("goroutine 1 [select]:"), "{msg}");
}

#[test]
fn dump_lists_every_blocked_goroutine() {
    let msg = deadlock_report(2, || {
        let c = Chan::<i32>::new(0);
        let d = Chan::<i32>::new(0);
        let c2 = c.clone();
        let h = goru::spawn(move || {
            c2.send(1).unwrap();
        });
        let d2 = d.clone();
        goru::go(move || {
            d2.recv();
        });
        h.join().unwrap();
        unreachable!();
    });
    assert!(msg.contains("goroutine 1 [goroutine join]:"), "{msg}");
    assert!(msg.contains(" [chan send]:"), "{msg}");
    assert!(msg.contains(" [chan receive]:"), "{msg}");
    assert_eq!(msg.matches("created at ").count(), 3, "{msg}");
    assert!(
        msg.matches("deadlock.rs").count() >= 3,
        "spawn sites point into this file: {msg}"
    );
}

#[test]
fn all_goroutines_blocked_while_main_sleeps_is_not_a_deadlock() {
    // A sleeping goroutine has a timer: not a deadlock.
    let v = run(2, || {
        let c = Chan::<i32>::new(0);
        let c2 = c.clone();
        goru::go(move || {
            goru::time::sleep(Duration::from_millis(50));
            c2.send(7).unwrap();
        });
        c.recv()
    });
    assert_eq!(v, Some(7));
}

#[test]
fn pending_timeout_is_not_a_deadlock() {
    let fired = run(2, || {
        let never = Chan::<i32>::new(0);
        let t = goru::time::after(Duration::from_millis(30));
        let mut a = RecvCase::new(never.raw());
        let mut b = RecvCase::new(t.raw());
        // Bound with `let`: the cases' borrows end before `a` and `b` drop.
        #[allow(clippy::let_and_return)]
        let fired = select(&mut [a.case(), b.case()], false);
        fired
    });
    assert_eq!(fired, Some(1));
}

#[test]
fn blocking_job_in_flight_is_not_a_deadlock() {
    let v = run(1, || {
        goru::blocking(|| {
            std::thread::sleep(Duration::from_millis(50));
            5
        })
    });
    assert_eq!(v, 5);
}

#[test]
fn goroutine_panic_propagates_from_block_on() {
    let r = std::panic::catch_unwind(|| {
        run(2, || {
            goru::go(|| panic!("boom"));
            goru::time::sleep(Duration::from_secs(3600));
        })
    });
    let p = r.expect_err("a panic in a go() goroutine must fail block_on in Propagate mode");
    assert_eq!(panic_message(&*p), "boom");
}

#[test]
fn main_goroutine_panic_propagates_from_block_on() {
    let r = std::panic::catch_unwind(|| run(2, || -> i32 { panic!("main {}", 42) }));
    assert_eq!(panic_message(&*r.unwrap_err()), "main 42");
}

#[test]
fn runtime_is_usable_after_a_deadlock_elsewhere() {
    let _ = deadlock_report(2, || {
        Chan::<u8>::new(0).recv();
    });
    // A fresh runtime afterwards works normally.
    assert_eq!(run(2, || goru::spawn(|| 1 + 1).join().unwrap()), 2);
}
