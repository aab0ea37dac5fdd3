//! Channels between plain OS threads and goroutines, in both directions, and
//! between plain threads with no goroutine at all.
//!
//! Runtimes here are built with deadlock detection off, so that these tests
//! check channel behaviour only. How the detector treats plain threads is
//! checked in fatal.rs, in child processes of their own (the detector's view
//! of plain threads is process-wide, so parallel tests would disturb it).

mod common;

use std::thread;

use common::*;
use goru::select::{RecvCase, SendCase, select};
use goru::{Chan, TryRecvError};

fn rt_builder(workers: usize) -> goru::Builder {
    builder(workers).detect_deadlock(false)
}

#[test]
fn thread_sends_goroutine_receives() {
    for cap in [0usize, 1, 16] {
        let sum = run_with(rt_builder(2), move || {
            let c = Chan::<u64>::new(cap);
            let tx = c.sender();
            let th = thread::spawn(move || {
                for i in 0..20_000 {
                    tx.send(i).unwrap();
                }
                tx.close();
            });
            let mut expect = 0;
            for v in &c {
                assert_eq!(v, expect, "cap {cap}: out of order");
                expect += 1;
            }
            // Joining an OS thread blocks: do it on the blocking pool.
            goru::blocking(move || th.join().unwrap());
            expect
        });
        assert_eq!(sum, 20_000);
    }
}

#[test]
fn goroutine_sends_thread_receives() {
    for cap in [0usize, 1, 16] {
        let got = run_with(rt_builder(2), move || {
            let c = Chan::<u64>::new(cap);
            let rx = c.receiver();
            let th = thread::spawn(move || {
                let mut n = 0u64;
                for v in &rx {
                    assert_eq!(v, n);
                    n += 1;
                }
                n
            });
            for i in 0..20_000 {
                c.send(i).unwrap();
            }
            c.close();
            goru::blocking(move || th.join().unwrap())
        });
        assert_eq!(got, 20_000);
    }
}

#[test]
fn thread_goroutine_ping_pong() {
    let n = run_with(rt_builder(2), || {
        let ping = Chan::<u32>::new(0);
        let pong = Chan::<u32>::new(0);
        let (pi, po) = (ping.clone(), pong.clone());
        let th = thread::spawn(move || {
            for v in &pi {
                po.send(v + 1).unwrap();
            }
            po.close();
        });
        let mut v = 0;
        for _ in 0..10_000 {
            ping.send(v).unwrap();
            v = pong.recv().unwrap();
        }
        ping.close();
        assert_eq!(pong.recv(), None);
        goru::blocking(move || th.join().unwrap());
        v
    });
    assert_eq!(n, 10_000);
}

#[test]
fn thread_to_thread_without_any_runtime() {
    let ping = Chan::<u32>::new(0);
    let pong = Chan::<u32>::new(0);
    let (pi, po) = (ping.clone(), pong.clone());
    let th = thread::spawn(move || {
        for v in &pi {
            po.send(v * 2).unwrap();
        }
    });
    for i in 0..10_000 {
        ping.send(i).unwrap();
        assert_eq!(pong.recv(), Some(i * 2));
    }
    ping.close();
    th.join().unwrap();

    // Many threads on one buffered channel.
    let c = Chan::<u64>::new(8);
    let producers: Vec<_> = (0..4u64)
        .map(|p| {
            let c = c.clone();
            thread::spawn(move || {
                for i in 0..10_000 {
                    c.send(p * 10_000 + i).unwrap();
                }
            })
        })
        .collect();
    let consumers: Vec<_> = (0..3)
        .map(|_| {
            let c = c.clone();
            thread::spawn(move || c.iter().fold((0u64, 0u64), |(n, s), v| (n + 1, s + v)))
        })
        .collect();
    for p in producers {
        p.join().unwrap();
    }
    c.close();
    let (n, s) = consumers
        .into_iter()
        .map(|h| h.join().unwrap())
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    assert_eq!(n, 40_000);
    assert_eq!(s, 40_000 * 39_999 / 2);
}

#[test]
fn thread_parked_on_close() {
    let c = Chan::<i32>::new(0);
    let c2 = c.clone();
    let th = thread::spawn(move || c2.recv());
    // Whether or not the thread is parked yet, close makes it return None.
    thread::sleep(std::time::Duration::from_millis(10));
    c.close();
    assert_eq!(th.join().unwrap(), None);

    let c = Chan::<i32>::new(0);
    let c2 = c.clone();
    let th = thread::spawn(move || c2.send(5));
    thread::sleep(std::time::Duration::from_millis(10));
    c.close();
    assert_eq!(th.join().unwrap(), Err(goru::SendError(5)));
}

#[test]
fn thread_selects_over_goroutine_channels() {
    // The goroutines live on the global runtime (spawned from this thread).
    let a = Chan::<u32>::new(0);
    let b = Chan::<u32>::new(0);
    for (c, base) in [(a.clone(), 0u32), (b.clone(), 1_000_000)] {
        goru::go(move || {
            for i in 0..5_000 {
                c.send(base + i).unwrap();
            }
            c.close();
        });
    }
    let (mut na, mut nb) = (0u32, 0u32);
    let (mut a_open, mut b_open) = (true, true);
    let nil = Chan::<u32>::nil();
    while a_open || b_open {
        let ra = if a_open { a.raw() } else { nil.raw() };
        let rb = if b_open { b.raw() } else { nil.raw() };
        let mut ca = RecvCase::new(ra);
        let mut cb = RecvCase::new(rb);
        let fired = select(&mut [ca.case(), cb.case()], false);
        match fired {
            Some(0) => match ca.take() {
                Some(v) => {
                    assert_eq!(v, na);
                    na += 1;
                }
                None => a_open = false,
            },
            Some(1) => match cb.take() {
                Some(v) => {
                    assert_eq!(v, 1_000_000 + nb);
                    nb += 1;
                }
                None => b_open = false,
            },
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((na, nb), (5_000, 5_000));
}

#[test]
fn thread_select_send_and_timeout() {
    // A thread's select with a send case and a time::after timeout.
    let c = Chan::<u32>::new(0);
    let c2 = c.clone();
    let h = goru::spawn(move || {
        let mut got = Vec::new();
        for _ in 0..100 {
            got.push(c2.recv().unwrap());
        }
        got
    });
    let mut sent = 0;
    let mut timeouts = 0;
    while sent < 100 {
        let t = goru::time::after(std::time::Duration::from_millis(50));
        let mut s = SendCase::new(c.raw(), sent);
        let mut to = RecvCase::new(t.raw());
        let fired = select(&mut [s.case(), to.case()], false);
        match fired {
            Some(0) => sent += 1,
            Some(1) => {
                timeouts += 1;
                assert!(
                    timeouts < 10_000,
                    "the receiving goroutine never took a value"
                );
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(h.join().unwrap(), (0..100).collect::<Vec<_>>());
    // Only a timeout now: nobody receives.
    let t = goru::time::after(std::time::Duration::from_millis(10));
    let mut s = SendCase::new(c.raw(), 999);
    let mut to = RecvCase::new(t.raw());
    let fired = select(&mut [s.case(), to.case()], false);
    assert_eq!(fired, Some(1));
    assert_eq!(c.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn many_threads_and_goroutines_on_shared_channels() {
    const T: u64 = 4;
    const PER: u64 = 10_000;
    let (n, s) = run_with(rt_builder(2), || {
        let c = Chan::<u64>::new(4);
        let threads: Vec<_> = (0..T)
            .map(|t| {
                let c = c.clone();
                thread::spawn(move || {
                    for i in 0..PER {
                        c.send(t * PER + i).unwrap();
                    }
                })
            })
            .collect();
        let out = Chan::<(u64, u64)>::new(0);
        for _ in 0..4 {
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
        goru::blocking(move || threads.into_iter().for_each(|t| t.join().unwrap()));
        c.close();
        (0..4)
            .map(|_| out.recv().unwrap())
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    });
    assert_eq!(n, T * PER);
    assert_eq!(s, T * PER * (T * PER - 1) / 2);
}

#[test]
fn goroutines_of_two_runtimes_talk_through_a_channel() {
    let c = Chan::<u32>::new(0);
    let c2 = c.clone();
    let producer = thread::spawn(move || {
        run_with(rt_builder(1), move || {
            for i in 0..5_000 {
                c2.send(i).unwrap();
            }
            c2.close();
        })
    });
    let sum = run_with(rt_builder(1), move || c.iter().map(u64::from).sum::<u64>());
    producer.join().unwrap();
    assert_eq!(sum, (0..5_000u64).sum());
}

#[test]
fn plain_thread_joins_a_goroutine() {
    let v = run_with(rt_builder(2), || {
        let gate = Chan::<()>::new(0);
        let result = Chan::<u32>::new(0);
        let g2 = gate.clone();
        let h = goru::spawn(move || {
            g2.recv();
            7
        });
        let r2 = result.clone();
        let th = thread::spawn(move || {
            // Parks the thread until the goroutine returns.
            let v = h.join().unwrap();
            r2.send(v * 6).unwrap();
        });
        gate.send(()).unwrap();
        let v = result.recv().unwrap();
        goru::blocking(move || th.join().unwrap());
        v
    });
    assert_eq!(v, 42);
}
