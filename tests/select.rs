//! select: uniform choice among ready cases, default, nil cases, closed
//! channels, send cases, timeouts via time::after, many cases, and that
//! exactly one operation happens.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use goru::select::{RecvCase, SendCase, select};
use goru::{Chan, TryRecvError, TrySendError};

const N: usize = 100_000;

fn assert_fair(counts: &[usize], total: usize, what: &str) {
    for (i, &c) in counts.iter().enumerate() {
        let share = c as f64 / total as f64;
        assert!(
            (0.45..=0.55).contains(&share),
            "{what}: arm {i} fired {c} of {total} times ({:.1}%), outside 45–55%: {counts:?}",
            share * 100.0
        );
    }
    assert_eq!(counts.iter().sum::<usize>(), total);
}

#[test]
fn fairness_two_closed_channels() {
    let counts = run(2, || {
        let a = Chan::<u8>::new(0);
        let b = Chan::<u8>::new(3);
        a.close();
        b.close();
        let mut counts = [0usize; 2];
        for _ in 0..N {
            let mut ca = RecvCase::new(a.raw());
            let mut cb = RecvCase::new(b.raw());
            let fired = select(&mut [ca.case(), cb.case()], false);
            match fired {
                Some(0) => assert_eq!(ca.take(), None),
                Some(1) => assert_eq!(cb.take(), None),
                other => panic!("unexpected {other:?}"),
            }
            counts[fired.unwrap()] += 1;
        }
        counts
    });
    assert_fair(&counts, N, "two closed channels");
}

#[test]
fn fairness_two_full_buffered_channels() {
    let counts = run(2, || {
        let a = Chan::<u32>::new(1);
        let b = Chan::<u32>::new(1);
        a.send(0).unwrap();
        b.send(1).unwrap();
        let mut counts = [0usize; 2];
        for _ in 0..N {
            let mut ca = RecvCase::new(a.raw());
            let mut cb = RecvCase::new(b.raw());
            let fired = select(&mut [ca.case(), cb.case()], false);
            // Refill the drained channel so both stay ready.
            match fired {
                Some(0) => {
                    assert_eq!(ca.take(), Some(0));
                    a.try_send(0).unwrap();
                }
                Some(1) => {
                    assert_eq!(cb.take(), Some(1));
                    b.try_send(1).unwrap();
                }
                other => panic!("unexpected {other:?}"),
            }
            counts[fired.unwrap()] += 1;
        }
        counts
    });
    assert_fair(&counts, N, "two full buffered channels");
}

#[test]
fn fairness_two_ready_send_cases() {
    let counts = run(2, || {
        let a = Chan::<u32>::new(1);
        let b = Chan::<u32>::new(1);
        let mut counts = [0usize; 2];
        for i in 0..N as u32 {
            let mut ca = SendCase::new(a.raw(), i);
            let mut cb = SendCase::new(b.raw(), i);
            let fired = select(&mut [ca.case(), cb.case()], false);
            match fired {
                Some(0) => {
                    assert_eq!(a.try_recv(), Ok(i));
                    assert_eq!(cb.into_value(), Some(i), "the losing send keeps its value");
                }
                Some(1) => {
                    assert_eq!(b.try_recv(), Ok(i));
                    assert_eq!(ca.into_value(), Some(i));
                }
                other => panic!("unexpected {other:?}"),
            }
            counts[fired.unwrap()] += 1;
        }
        counts
    });
    assert_fair(&counts, N, "two ready send cases");
}

#[test]
fn fairness_ready_receive_versus_ready_send_on_other_goroutines() {
    // Both arms are ready because partner goroutines keep them so.
    let counts = run(2, || {
        let inbound = Chan::<u32>::new(64);
        let outbound = Chan::<u32>::new(64);
        let (i2, o2) = (inbound.clone(), outbound.clone());
        // Keep `inbound` full and `outbound` empty, as far as possible.
        goru::go(move || while i2.send(1).is_ok() {});
        goru::go(move || while o2.recv().is_some() {});
        let mut counts = [0usize; 2];
        let mut both_ready = 0;
        for _ in 0..N {
            let ready = !inbound.is_empty() && outbound.len() < outbound.cap();
            let mut r = RecvCase::new(inbound.raw());
            let mut s = SendCase::new(outbound.raw(), 2);
            let fired = select(&mut [r.case(), s.case()], false).unwrap();
            if ready {
                both_ready += 1;
                counts[fired] += 1;
            }
        }
        inbound.close();
        outbound.close();
        (counts, both_ready)
    });
    let (counts, total) = counts;
    // Only meaningful if both arms were ready most of the time.
    if total > N / 2 {
        assert_fair(&counts, total, "receive vs send");
    }
}

#[test]
fn default_taken_only_when_nothing_is_ready() {
    run(2, || {
        let a = Chan::<i32>::new(0);
        let b = Chan::<i32>::new(1);
        for _ in 0..1000 {
            let mut ca = RecvCase::new(a.raw());
            let mut cb = RecvCase::new(b.raw());
            let fired = select(&mut [ca.case(), cb.case()], true);
            assert_eq!(fired, None, "nothing is ready: default");
        }
        b.send(5).unwrap();
        let mut ca = RecvCase::new(a.raw());
        let mut cb = RecvCase::new(b.raw());
        let fired = select(&mut [ca.case(), cb.case()], true);
        assert_eq!(fired, Some(1), "a ready case beats default");
        assert_eq!(cb.take(), Some(5));

        // A send with default: full → default, room → sent.
        let c = Chan::<i32>::new(1);
        let mut s = SendCase::new(c.raw(), 1);
        assert_eq!(select(&mut [s.case()], true), Some(0));
        let mut s = SendCase::new(c.raw(), 2);
        let fired = select(&mut [s.case()], true);
        assert_eq!(fired, None);
        assert_eq!(s.into_value(), Some(2), "default keeps the unsent value");
        assert_eq!(c.try_recv(), Ok(1));
        assert_eq!(c.try_recv(), Err(TryRecvError::Empty));

        // No cases at all, with default: default.
        assert_eq!(select(&mut [], true), None);
    });
}

#[test]
fn default_with_a_parked_partner_is_not_taken() {
    run(2, || {
        let c = Chan::<i32>::new(0);
        let c2 = c.clone();
        let h = goru::spawn(move || c2.send(9));
        wait_parked("chan send", 1);
        let mut r = RecvCase::new(c.raw());
        let fired = select(&mut [r.case()], true);
        assert_eq!(
            fired,
            Some(0),
            "a parked sender makes an unbuffered receive ready"
        );
        assert_eq!(r.take(), Some(9));
        assert!(h.join().unwrap().is_ok());

        let c2 = c.clone();
        let h = goru::spawn(move || c2.recv());
        wait_parked("chan receive", 1);
        let mut s = SendCase::new(c.raw(), 10);
        assert_eq!(select(&mut [s.case()], true), Some(0));
        assert_eq!(h.join().unwrap(), Some(10));
    });
}

#[test]
fn nil_cases_are_never_ready() {
    run(2, || {
        let nil = Chan::<i32>::nil();
        let ready = Chan::<i32>::new(1);
        for i in 0..10_000 {
            ready.send(i).unwrap();
            let mut n1 = RecvCase::new(nil.raw());
            let mut n2 = SendCase::new(nil.raw(), -1);
            let mut r = RecvCase::new(ready.raw());
            let fired = select(&mut [n1.case(), n2.case(), r.case()], false);
            assert_eq!(fired, Some(2), "only the non-nil case can fire");
            assert_eq!(r.take(), Some(i));
            assert_eq!(n2.into_value(), Some(-1));
        }
        // Only nil cases, with default: default.
        let mut n1 = RecvCase::new(nil.raw());
        let mut n2 = SendCase::new(nil.raw(), 1);
        assert_eq!(select(&mut [n1.case(), n2.case()], true), None);
        // A nil case parked next to a live one: the live one wakes the select.
        let live = Chan::<i32>::new(0);
        let l2 = live.clone();
        goru::go(move || {
            l2.send(77).unwrap();
        });
        let mut n = RecvCase::new(nil.raw());
        let mut l = RecvCase::new(live.raw());
        let fired = select(&mut [n.case(), l.case()], false);
        assert_eq!(fired, Some(1));
        assert_eq!(l.take(), Some(77));
    });
}

#[test]
fn closed_channel_is_always_ready_for_receive() {
    run(2, || {
        let closed = Chan::<i32>::new(2);
        closed.send(1).unwrap();
        closed.close();
        let never = Chan::<i32>::new(0);
        // The buffered value first, then None forever.
        let mut c = RecvCase::new(closed.raw());
        let mut n = RecvCase::new(never.raw());
        let fired = select(&mut [c.case(), n.case()], false);
        assert_eq!(fired, Some(0));
        assert_eq!(c.take(), Some(1));
        for _ in 0..100 {
            let mut c = RecvCase::new(closed.raw());
            let mut n = RecvCase::new(never.raw());
            let fired = select(&mut [c.case(), n.case()], true);
            assert_eq!(fired, Some(0));
            assert_eq!(c.take(), None);
        }
    });
}

#[test]
fn parked_select_woken_by_close_receives_none() {
    run(2, || {
        let a = Chan::<i32>::new(0);
        let b = Chan::<i32>::new(0);
        let (a2, b2) = (a.clone(), b.clone());
        let h = goru::spawn(move || {
            let mut ca = RecvCase::new(a2.raw());
            let mut cb = RecvCase::new(b2.raw());
            let fired = select(&mut [ca.case(), cb.case()], false);
            (fired, ca.take(), cb.take())
        });
        wait_parked("select", 1);
        b.close();
        assert_eq!(h.join().unwrap(), (Some(1), None, None));
        // The other waiter was dequeued: `a` has no parked receiver now.
        assert!(matches!(a.try_send(1), Err(TrySendError::Full(1))));
    });
}

#[test]
fn parked_select_woken_by_send_and_by_receive() {
    run(2, || {
        for round in 0..200 {
            let a = Chan::<i32>::new(0);
            let b = Chan::<i32>::new(0);
            let (a2, b2) = (a.clone(), b.clone());
            let h = goru::spawn(move || {
                let mut ra = RecvCase::new(a2.raw());
                let mut sb = SendCase::new(b2.raw(), 100 + round);
                let fired = select(&mut [ra.case(), sb.case()], false);
                match fired {
                    Some(0) => (0, ra.take().unwrap()),
                    Some(1) => (1, 0),
                    other => panic!("unexpected {other:?}"),
                }
            });
            wait_parked("select", 1);
            if round % 2 == 0 {
                a.send(round).unwrap();
                assert_eq!(h.join().unwrap(), (0, round));
                assert!(
                    matches!(b.try_recv(), Err(TryRecvError::Empty)),
                    "the send case must not also fire"
                );
            } else {
                assert_eq!(b.recv(), Some(100 + round));
                assert_eq!(h.join().unwrap(), (1, 0));
                assert!(
                    matches!(a.try_send(0), Err(TrySendError::Full(0))),
                    "the receive case must be dequeued"
                );
            }
        }
    });
}

#[test]
fn timeout_via_after_fires_when_nothing_else_does() {
    run(2, || {
        let never = Chan::<i32>::new(0);
        let t = goru::time::after(Duration::from_millis(20));
        let mut n = RecvCase::new(never.raw());
        let mut to = RecvCase::new(t.raw());
        let fired = select(&mut [n.case(), to.case()], false);
        assert_eq!(fired, Some(1), "the timeout fires");
        assert!(to.take().is_some(), "after delivers the time");
        assert_eq!(never.try_recv(), Err(TryRecvError::Empty));

        // A send case with a timeout: nobody receives, the value stays with us.
        let full = Chan::<String>::new(0);
        let t = goru::time::after(Duration::from_millis(20));
        let mut s = SendCase::new(full.raw(), "kept".to_string());
        let mut to = RecvCase::new(t.raw());
        let fired = select(&mut [s.case(), to.case()], false);
        assert_eq!(fired, Some(1));
        assert_eq!(s.into_value().as_deref(), Some("kept"));
    });
}

#[test]
fn value_beats_a_long_timeout() {
    run(2, || {
        for i in 0..100 {
            let c = Chan::<i32>::new(0);
            let c2 = c.clone();
            goru::go(move || {
                c2.send(i).unwrap();
            });
            let t = goru::time::after(HANG_GUARD);
            let mut r = RecvCase::new(c.raw());
            let mut to = RecvCase::new(t.raw());
            let fired = select(&mut [r.case(), to.case()], false);
            assert_eq!(
                fired,
                Some(0),
                "hang guard timeout fired instead of the value"
            );
            assert_eq!(r.take(), Some(i));
        }
    });
}

#[test]
fn many_cases_beyond_the_inline_limit() {
    run(2, || {
        let chans: Vec<Chan<usize>> = (0..40).map(|_| Chan::new(0)).collect();
        for k in [0usize, 17, 39, 5, 23] {
            let c = chans[k].clone();
            goru::go(move || {
                c.send(k * 10).unwrap();
            });
            let mut cases: Vec<RecvCase<'_, usize>> =
                chans.iter().map(|c| RecvCase::new(c.raw())).collect();
            let fired = {
                let mut cs: Vec<_> = cases.iter_mut().map(|c| c.case()).collect();
                select(&mut cs, false)
            };
            assert_eq!(fired, Some(k));
            assert_eq!(cases[k].take(), Some(k * 10));
            for (i, c) in cases.iter_mut().enumerate() {
                if i != k {
                    assert_eq!(c.take(), None);
                }
            }
        }
        // Every waiter was dequeued: no channel has a parked receiver left.
        for c in &chans {
            assert!(matches!(c.try_send(1), Err(TrySendError::Full(1))));
        }
    });
}

#[test]
fn same_channel_in_receive_and_send_cases() {
    run(2, || {
        let c = Chan::<i32>::new(1);
        // Empty: only the send can proceed.
        let mut r = RecvCase::new(c.raw());
        let mut s = SendCase::new(c.raw(), 1);
        let fired = select(&mut [r.case(), s.case()], false);
        assert_eq!(fired, Some(1));
        // Full: only the receive can proceed.
        let mut r = RecvCase::new(c.raw());
        let mut s = SendCase::new(c.raw(), 2);
        let fired = select(&mut [r.case(), s.case()], false);
        assert_eq!(fired, Some(0));
        assert_eq!(r.take(), Some(1));
        assert_eq!(s.into_value(), Some(2));
        // The same channel twice as receive.
        c.send(3).unwrap();
        let mut r1 = RecvCase::new(c.raw());
        let mut r2 = RecvCase::new(c.raw());
        let fired = select(&mut [r1.case(), r2.case()], false).unwrap();
        assert_eq!(if fired == 0 { r1.take() } else { r2.take() }, Some(3));
        assert_eq!(c.len(), 0);
    });
}

#[test]
fn exactly_one_operation_per_select_under_contention() {
    // Two consumers range over `a` and `b`; a producer selects to send each
    // value on either. Every value must arrive exactly once.
    const M: u64 = 50_000;
    let (n, sum) = run(2, || {
        let a = Chan::<u64>::new(0);
        let b = Chan::<u64>::new(0);
        let out = Chan::<(u64, u64)>::new(2);
        for c in [a.clone(), b.clone()] {
            let out = out.clone();
            goru::go(move || {
                let (mut n, mut s) = (0, 0);
                for v in &c {
                    n += 1;
                    s += v;
                }
                out.send((n, s)).unwrap();
            });
        }
        for v in 0..M {
            let mut sa = SendCase::new(a.raw(), v);
            let mut sb = SendCase::new(b.raw(), v);
            let fired = select(&mut [sa.case(), sb.case()], false).unwrap();
            let loser = if fired == 0 {
                sb.into_value()
            } else {
                sa.into_value()
            };
            assert_eq!(loser, Some(v), "the losing send case must keep its value");
        }
        a.close();
        b.close();
        let (n1, s1) = out.recv().unwrap();
        let (n2, s2) = out.recv().unwrap();
        (n1 + n2, s1 + s2)
    });
    assert_eq!(n, M);
    assert_eq!(sum, M * (M - 1) / 2);
}

#[test]
fn unfired_send_values_are_dropped_not_leaked() {
    run(2, || {
        let token = Arc::new(());
        let a = Chan::<Arc<()>>::new(1);
        let b = Chan::<Arc<()>>::new(0);
        for _ in 0..100 {
            {
                let mut sa = SendCase::new(a.raw(), token.clone());
                let mut sb = SendCase::new(b.raw(), token.clone());
                let fired = select(&mut [sa.case(), sb.case()], false);
                assert_eq!(fired, Some(0));
            }
            drop(a.try_recv().unwrap());
            assert_eq!(
                Arc::strong_count(&token),
                1,
                "the unfired send case's value leaked"
            );
        }
    });
}

#[test]
fn select_loop_with_a_ticker_and_a_quit_channel() {
    // The classic Go loop: work until quit, a ticker in the background.
    let ticks = run(2, || {
        let quit = Chan::<()>::new(0);
        let q2 = quit.clone();
        goru::go(move || {
            goru::time::sleep(Duration::from_millis(60));
            q2.close();
        });
        let ticker = goru::time::new_ticker(Duration::from_millis(5));
        let mut ticks = 0;
        loop {
            let mut t = RecvCase::new(ticker.c.raw());
            let mut q = RecvCase::new(quit.raw());
            let fired = select(&mut [t.case(), q.case()], false);
            match fired {
                Some(0) => ticks += 1,
                Some(1) => break,
                other => panic!("unexpected {other:?}"),
            }
        }
        ticker.stop();
        ticks
    });
    // How many ticks fit in 60 ms depends on the machine: only termination
    // and the absence of any other outcome are checked.
    let _ = ticks;
}
