//! Channels: unbuffered rendezvous, buffered FIFO and capacity, close / drain
//! / range, send on a closed channel, nil channels, try operations, drops.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};

use common::*;
use goru::{Chan, Receiver, SendError, TryRecvError, TrySendError};

// ---------------------------------------------------------------- unbuffered

#[test]
fn unbuffered_sender_blocks_until_received() {
    run(2, || {
        let c = Chan::<String>::new(0);
        let done = Arc::new(AtomicBool::new(false));
        let (c2, d2) = (c.clone(), done.clone());
        let h = goru::spawn(move || {
            c2.send("hello".to_string()).unwrap();
            d2.store(true, SeqCst);
        });
        wait_parked("chan send", 1);
        assert!(
            !done.load(SeqCst),
            "send on an unbuffered channel returned with no receiver"
        );
        assert_eq!(c.len(), 0, "an unbuffered channel buffers nothing");
        assert_eq!(c.cap(), 0);
        assert_eq!(c.recv().as_deref(), Some("hello"));
        h.join().unwrap();
        assert!(done.load(SeqCst));
    });
}

#[test]
fn unbuffered_receiver_blocks_until_sent() {
    run(2, || {
        let c = Chan::<u64>::new(0);
        let got = Arc::new(AtomicUsize::new(0));
        let (c2, g2) = (c.clone(), got.clone());
        let h = goru::spawn(move || {
            let v = c2.recv().unwrap();
            g2.store(v as usize, SeqCst);
        });
        wait_parked("chan receive", 1);
        assert_eq!(got.load(SeqCst), 0);
        c.send(42).unwrap();
        h.join().unwrap();
        assert_eq!(got.load(SeqCst), 42);
    });
}

#[test]
fn unbuffered_preserves_each_senders_order() {
    const SENDERS: u64 = 4;
    const PER: u64 = 20_000;
    let last = run(2, || {
        let c = Chan::<(u64, u64)>::new(0);
        for s in 0..SENDERS {
            let c = c.clone();
            goru::go(move || {
                for i in 0..PER {
                    c.send((s, i)).unwrap();
                }
            });
        }
        let mut next = vec![0u64; SENDERS as usize];
        for _ in 0..SENDERS * PER {
            let (s, i) = c.recv().unwrap();
            assert_eq!(i, next[s as usize], "sender {s}: values out of order");
            next[s as usize] += 1;
        }
        assert_eq!(c.try_recv(), Err(TryRecvError::Empty));
        next
    });
    assert_eq!(last, vec![PER; SENDERS as usize]);
}

#[test]
fn unbuffered_single_pair_in_order() {
    run(1, || {
        let c = Chan::<u32>::new(0);
        let tx = c.sender();
        goru::go(move || {
            for i in 0..50_000 {
                tx.send(i).unwrap();
            }
            tx.close();
        });
        let got: Vec<u32> = c.receiver().into_iter().collect();
        assert_eq!(got, (0..50_000).collect::<Vec<_>>());
    });
}

#[test]
fn unbuffered_try_ops_need_a_parked_partner() {
    run(2, || {
        let c = Chan::<i32>::new(0);
        assert!(
            matches!(c.try_send(1), Err(TrySendError::Full(1))),
            "no receiver: try_send is Full"
        );
        assert_eq!(
            c.try_recv(),
            Err(TryRecvError::Empty),
            "no sender: try_recv is Empty"
        );

        // A parked receiver makes try_send succeed (direct hand-off).
        let c2 = c.clone();
        let h = goru::spawn(move || c2.recv());
        wait_parked("chan receive", 1);
        c.try_send(5).unwrap();
        assert_eq!(h.join().unwrap(), Some(5));

        // A parked sender makes try_recv succeed and unblocks it.
        let c2 = c.clone();
        let h = goru::spawn(move || c2.send(6));
        wait_parked("chan send", 1);
        assert_eq!(c.try_recv(), Ok(6));
        assert!(h.join().unwrap().is_ok());
        assert_eq!(c.try_recv(), Err(TryRecvError::Empty));
    });
}

// ------------------------------------------------------------------ buffered

#[test]
fn buffered_fifo_len_cap_and_full() {
    run(2, || {
        let c = Chan::<i32>::new(3);
        assert_eq!((c.len(), c.cap()), (0, 3));
        assert!(c.is_empty());
        c.try_send(1).unwrap();
        c.send(2).unwrap();
        c.try_send(3).unwrap();
        assert_eq!(c.len(), 3);
        match c.try_send(4) {
            Err(TrySendError::Full(4)) => {}
            other => panic!("try_send at capacity: expected Full(4), got {other:?}"),
        }
        assert_eq!(c.len(), 3);
        assert_eq!(c.recv(), Some(1));
        assert_eq!(c.len(), 2);
        c.try_send(4).unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c.sender().len(), 3);
        assert_eq!(c.receiver().cap(), 3);
        assert_eq!(c.try_recv(), Ok(2));
        assert_eq!(c.recv(), Some(3));
        assert_eq!(c.recv(), Some(4));
        assert_eq!(c.try_recv(), Err(TryRecvError::Empty));
        assert_eq!(c.len(), 0);
    });
}

#[test]
fn buffered_sender_blocks_when_full_and_order_holds() {
    run(2, || {
        let c = Chan::<u32>::new(4);
        let c2 = c.clone();
        let h = goru::spawn(move || {
            for i in 0..1000 {
                c2.send(i).unwrap();
            }
        });
        wait_parked("chan send", 1);
        assert_eq!(c.len(), 4, "sender parked only once the buffer was full");
        for i in 0..1000 {
            assert_eq!(c.recv(), Some(i));
        }
        h.join().unwrap();
        assert_eq!(c.len(), 0);
    });
}

#[test]
fn buffered_parked_senders_join_the_tail_in_arrival_order() {
    run(2, || {
        let c = Chan::<u32>::new(3);
        for i in 0..3 {
            c.send(i).unwrap();
        }
        let mut hs = Vec::new();
        for (k, v) in [100u32, 200, 300].into_iter().enumerate() {
            let c2 = c.clone();
            hs.push(goru::spawn(move || c2.send(v)));
            wait_parked("chan send", k + 1);
        }
        let got: Vec<u32> = (0..6).map(|_| c.recv().unwrap()).collect();
        assert_eq!(got, vec![0, 1, 2, 100, 200, 300]);
        for h in hs {
            assert!(h.join().unwrap().is_ok());
        }
    });
}

#[test]
fn buffered_many_producers_consumers_no_loss() {
    const P: u64 = 4;
    const PER: u64 = 25_000;
    let (count, sum) = run(2, || {
        let c = Chan::<u64>::new(64);
        let out = Chan::<(u64, u64)>::new(0);
        let producers: Vec<_> = (0..P)
            .map(|p| {
                let c = c.clone();
                goru::spawn(move || {
                    for i in 0..PER {
                        c.send(p * PER + i).unwrap();
                    }
                })
            })
            .collect();
        for _ in 0..3 {
            let (c, out) = (c.clone(), out.clone());
            goru::go(move || {
                let (mut n, mut s) = (0, 0);
                for v in &c {
                    n += 1;
                    s += v;
                }
                out.send((n, s)).unwrap();
            });
        }
        for h in producers {
            h.join().unwrap();
        }
        let (mut n, mut s) = (0, 0);
        c.close();
        for _ in 0..3 {
            let (a, b) = out.recv().unwrap();
            n += a;
            s += b;
        }
        (n, s)
    });
    assert_eq!(count, P * PER);
    let total = P * PER;
    assert_eq!(sum, total * (total - 1) / 2);
}

// --------------------------------------------------------- close/drain/range

#[test]
fn close_keeps_buffered_values_then_none() {
    run(2, || {
        let c = Chan::<i32>::new(5);
        for i in 1..=5 {
            c.send(i).unwrap();
        }
        c.close();
        assert!(c.is_closed());
        assert_eq!(c.len(), 5, "close does not discard buffered values");
        assert_eq!(c.recv(), Some(1));
        assert_eq!(c.try_recv(), Ok(2));
        let rest: Vec<i32> = c.iter().collect();
        assert_eq!(rest, vec![3, 4, 5]);
        assert_eq!(c.recv(), None);
        assert_eq!(
            c.recv(),
            None,
            "a closed, drained channel keeps returning None"
        );
        assert_eq!(c.try_recv(), Err(TryRecvError::Closed));
        assert_eq!(c.len(), 0);
        let none: Vec<i32> = (&c).into_iter().collect();
        assert!(none.is_empty());
    });
}

#[test]
fn range_until_closed_and_drained() {
    run(2, || {
        for cap in [0usize, 1, 7, 1000] {
            let c = Chan::<usize>::new(cap);
            let tx = c.sender();
            goru::go(move || {
                for i in 0..2000 {
                    tx.send(i).unwrap();
                }
                tx.close();
            });
            let rx: Receiver<usize> = c.receiver();
            let mut got = Vec::new();
            for v in &rx {
                got.push(v);
            }
            assert_eq!(got, (0..2000).collect::<Vec<_>>(), "cap {cap}");
            assert_eq!(rx.recv(), None);
        }
    });
}

#[test]
fn close_wakes_every_parked_receiver_with_none() {
    run(2, || {
        let c = Chan::<i32>::new(0);
        let hs: Vec<_> = (0..8)
            .map(|_| {
                let c = c.clone();
                goru::spawn(move || c.recv())
            })
            .collect();
        wait_parked("chan receive", 8);
        c.close();
        for h in hs {
            assert_eq!(h.join().unwrap(), None);
        }
    });
}

#[test]
fn close_gives_parked_senders_their_values_back() {
    run(2, || {
        let c = Chan::<String>::new(1);
        c.send("buffered".to_string()).unwrap();
        let hs: Vec<_> = (0..4)
            .map(|i| {
                let c = c.clone();
                goru::spawn(move || c.send(format!("v{i}")))
            })
            .collect();
        wait_parked("chan send", 4);
        c.close();
        for (i, h) in hs.into_iter().enumerate() {
            match h.join().unwrap() {
                Err(SendError(v)) => assert_eq!(v, format!("v{i}")),
                Ok(()) => panic!("send on a channel closed while the sender was parked succeeded"),
            }
        }
        assert_eq!(c.recv().as_deref(), Some("buffered"));
        assert_eq!(c.recv(), None);
    });
}

// ------------------------------------------------------------ send on closed

#[test]
fn send_on_closed_returns_value_back() {
    run(2, || {
        let c = Chan::<Vec<u8>>::new(2);
        c.close();
        let v = vec![1, 2, 3];
        let ptr = v.as_ptr();
        match c.send(v) {
            Err(SendError(back)) => {
                assert_eq!(back, vec![1, 2, 3]);
                assert_eq!(back.as_ptr(), ptr, "the very value comes back");
            }
            Ok(()) => panic!("send on a closed channel succeeded"),
        }
        match c.try_send(vec![9]) {
            Err(TrySendError::Closed(back)) => assert_eq!(back, vec![9]),
            other => panic!("try_send on closed: expected Closed, got {other:?}"),
        }
        match c.sender().try_send(vec![8]) {
            Err(e) => assert_eq!(e.into_inner(), vec![8]),
            Ok(()) => panic!("try_send on closed succeeded"),
        }
        // Unbuffered too.
        let u = Chan::<i32>::new(0);
        u.close();
        assert_eq!(u.send(3), Err(SendError(3)));
        assert!(matches!(u.try_send(4), Err(TrySendError::Closed(4))));
        assert_eq!(SendError(0).to_string(), "send on closed channel");
    });
}

#[test]
fn select_send_case_on_closed_channel_panics() {
    use goru::select::{SendCase, select};
    run(2, || {
        let c = Chan::<i32>::new(1);
        c.close();
        let c2 = c.clone();
        let r = goru::spawn(move || {
            let mut s = SendCase::new(c2.raw(), 1);
            let _ = select(&mut [s.case()], false);
        })
        .join();
        let p = r.expect_err("select with a send case on a closed channel must panic");
        assert_eq!(panic_message(&*p), "send on closed channel");

        // The same with a default: the closed send case is ready, so it panics.
        let c2 = c.clone();
        let r = goru::spawn(move || {
            let mut s = SendCase::new(c2.raw(), 1);
            let _ = select(&mut [s.case()], true);
        })
        .join();
        assert_eq!(panic_message(&*r.unwrap_err()), "send on closed channel");

        // catch_unwind inside the goroutine works as well.
        let c2 = c.clone();
        let caught = goru::spawn(move || {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut s = SendCase::new(c2.raw(), 1);
                let _ = select(&mut [s.case()], false);
            }))
            .map_err(|p| panic_message(&*p))
        })
        .join()
        .unwrap();
        assert_eq!(caught, Err("send on closed channel".to_string()));
    });
}

#[test]
fn select_send_case_parked_then_closed_panics() {
    use goru::select::{RecvCase, SendCase, select};
    run(2, || {
        let c = Chan::<i32>::new(0);
        let other = Chan::<i32>::new(0);
        let (c2, o2) = (c.clone(), other.clone());
        let h = goru::spawn(move || {
            let mut s = SendCase::new(c2.raw(), 1);
            let mut r = RecvCase::new(o2.raw());
            let _ = select(&mut [s.case(), r.case()], false);
        });
        wait_parked("select", 1);
        c.close();
        let p = h
            .join()
            .expect_err("a parked select send case woken by close must panic");
        assert_eq!(panic_message(&*p), "send on closed channel");
        // The losing case was dequeued: a later send on `other` finds no receiver.
        assert!(matches!(other.try_send(5), Err(TrySendError::Full(5))));
    });
}

#[test]
fn close_twice_and_close_nil_panic_with_go_messages() {
    let c = Chan::<i32>::new(1);
    c.close();
    let p = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| c.close())).unwrap_err();
    assert_eq!(panic_message(&*p), "close of closed channel");
    let p =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| c.sender().close())).unwrap_err();
    assert_eq!(panic_message(&*p), "close of closed channel");
    let p = std::panic::catch_unwind(|| Chan::<i32>::nil().close()).unwrap_err();
    assert_eq!(panic_message(&*p), "close of nil channel");
    let p = std::panic::catch_unwind(|| goru::Sender::<i32>::nil().close()).unwrap_err();
    assert_eq!(panic_message(&*p), "close of nil channel");
    // Still usable: receive reports closed.
    assert_eq!(c.try_recv(), Err(TryRecvError::Closed));
}

// ------------------------------------------------------------- nil channels

#[test]
fn nil_channel_try_ops_and_metadata() {
    let n = Chan::<i32>::nil();
    assert!(n.is_nil());
    assert!(!n.is_closed());
    assert_eq!((n.len(), n.cap()), (0, 0));
    assert!(matches!(n.try_send(1), Err(TrySendError::Full(1))));
    assert_eq!(n.try_recv(), Err(TryRecvError::Empty));
    assert!(matches!(n.sender().try_send(2), Err(TrySendError::Full(2))));
    assert_eq!(n.receiver().try_recv(), Err(TryRecvError::Empty));
    assert_eq!(Chan::<i32>::default(), Chan::nil(), "the zero value is nil");
    assert_eq!(goru::Receiver::<i32>::default(), goru::Receiver::nil());
}

// Blocking forever on nil channels is checked in deadlock.rs (it needs the
// deadlock detector, which plain-thread channel operations in this file could
// disturb).

// ------------------------------------------------------------------ handles

#[test]
fn dropping_handles_never_closes() {
    let c = Chan::<i32>::new(1);
    let rx = c.receiver();
    {
        let tx = c.sender();
        tx.send(1).unwrap();
        drop(tx);
    }
    drop(c);
    assert!(!rx.is_closed());
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn handles_compare_by_channel_identity() {
    let a = Chan::<i32>::new(0);
    let b = Chan::<i32>::new(0);
    assert_eq!(a, a.clone());
    assert_ne!(a, b);
    assert_eq!(a.sender(), a.clone().sender());
    assert_ne!(a.receiver(), b.receiver());
    assert_ne!(a, Chan::nil());
    assert_eq!(Chan::<i32>::nil(), Chan::nil());
}

#[test]
fn buffered_values_are_dropped_with_the_channel() {
    let live = Arc::new(());
    let c = Chan::<Arc<()>>::new(8);
    for _ in 0..5 {
        c.send(live.clone()).unwrap();
    }
    assert_eq!(Arc::strong_count(&live), 6);
    let _ = c.recv();
    assert_eq!(Arc::strong_count(&live), 5);
    drop(c);
    assert_eq!(
        Arc::strong_count(&live),
        1,
        "values left in a dropped channel leak"
    );
}

#[test]
fn large_values_move_intact() {
    run(2, || {
        let c = Chan::<[u64; 512]>::new(0);
        let b = Chan::<[u64; 512]>::new(2);
        let (c2, b2) = (c.clone(), b.clone());
        goru::go(move || {
            for k in 0..200u64 {
                let mut a = [0u64; 512];
                for (i, x) in a.iter_mut().enumerate() {
                    *x = k * 1000 + i as u64;
                }
                c2.send(a).unwrap();
                b2.send(a).unwrap();
            }
        });
        for k in 0..200u64 {
            for a in [c.recv().unwrap(), b.recv().unwrap()] {
                for (i, x) in a.iter().enumerate() {
                    assert_eq!(*x, k * 1000 + i as u64);
                }
            }
        }
    });
}

#[test]
fn channels_work_without_any_runtime_on_one_thread() {
    // Buffered operations that never block need no goroutine at all.
    let c = Chan::<i32>::new(2);
    c.send(1).unwrap();
    c.send(2).unwrap();
    assert!(matches!(c.try_send(3), Err(TrySendError::Full(3))));
    assert_eq!(c.recv(), Some(1));
    c.close();
    assert_eq!(c.recv(), Some(2));
    assert_eq!(c.recv(), None);
}
