//! Buffered channels keep their values in a lock-free ring and park waiters
//! under the lock. These tests drive the seams between the two as hard as a
//! test can: tiny capacities, so that senders and receivers park on nearly
//! every operation, and lock-free operations race with parking; receivers
//! mixing plain receives with selects; plain threads mixing in.
//!
//! Every test checks that nothing is lost or duplicated (exact counts, sums
//! and a per-value bitmap) and that each sender's values arrive in the order
//! it sent them (channels are FIFO per sender).

mod common;

use std::sync::{Arc, Mutex};

use goru::Chan;
use goru::select::{RecvCase, select};

const SENDERS: u64 = 4;
const RECEIVERS: usize = 4;
const PER_SENDER: u64 = 25_000;

/// What the receivers saw: a bitmap of values, and per sender the last
/// sequence number (to check FIFO per sender).
struct Seen {
    bits: Vec<bool>,
    count: u64,
}

fn encode(sender: u64, seq: u64) -> u64 {
    sender * PER_SENDER + seq
}

/// Records a batch received by one receiver (in its receive order).
fn record(seen: &Mutex<Seen>, got: &[u64]) {
    let mut last = [None::<u64>; SENDERS as usize];
    for &v in got {
        let (sender, seq) = (v / PER_SENDER, v % PER_SENDER);
        if let Some(prev) = last[sender as usize] {
            assert!(
                seq > prev,
                "sender {sender}'s values arrived out of order: {prev} then {seq}"
            );
        }
        last[sender as usize] = Some(seq);
    }
    let mut s = seen.lock().unwrap();
    for &v in got {
        assert!(!s.bits[v as usize], "value {v} received twice");
        s.bits[v as usize] = true;
        s.count += 1;
    }
}

fn check(seen: &Mutex<Seen>) {
    let s = seen.lock().unwrap();
    assert_eq!(s.count, SENDERS * PER_SENDER, "values lost");
    assert!(s.bits.iter().all(|&b| b), "some value never arrived");
}

/// Claims one of the values still to receive, so that receivers stop
/// exactly when every value is in; false when none are left.
fn claim_one(remaining: &std::sync::atomic::AtomicU64) -> bool {
    use std::sync::atomic::Ordering::AcqRel;
    let left = remaining.fetch_sub(1, AcqRel);
    if left == 0 || left > SENDERS * PER_SENDER {
        remaining.fetch_add(1, AcqRel);
        return false;
    }
    true
}

fn new_seen() -> Arc<Mutex<Seen>> {
    Arc::new(Mutex::new(Seen {
        bits: vec![false; (SENDERS * PER_SENDER) as usize],
        count: 0,
    }))
}

/// Goroutine senders and receivers on a tiny buffer; half the receivers use
/// a select over the channel and a never-ready one.
fn goroutines_on_tiny_buffer(cap: usize, workers: usize) {
    let seen = new_seen();
    let out = seen.clone();
    common::run(workers, move || {
        let ch = Chan::<u64>::new(cap);
        let done = Chan::<()>::new(RECEIVERS);
        for s in 0..SENDERS {
            let ch = ch.clone();
            goru::go(move || {
                for seq in 0..PER_SENDER {
                    ch.send(encode(s, seq)).unwrap();
                }
            });
        }
        let remaining = Arc::new(std::sync::atomic::AtomicU64::new(SENDERS * PER_SENDER));
        for r in 0..RECEIVERS {
            let (ch, done, seen, remaining) =
                (ch.clone(), done.clone(), out.clone(), remaining.clone());
            goru::go(move || {
                let never = Chan::<u64>::new(0);
                let mut got = Vec::new();
                loop {
                    // Claim a value to receive first, so receivers stop
                    // exactly when all values are in.
                    if !claim_one(&remaining) {
                        break;
                    }
                    let v = if r % 2 == 0 {
                        ch.recv().unwrap()
                    } else {
                        let mut a = RecvCase::new(ch.raw());
                        let mut b = RecvCase::new(never.raw());
                        let fired = select(&mut [a.case(), b.case()], false);
                        assert_eq!(fired, Some(0));
                        a.take().unwrap()
                    };
                    got.push(v);
                }
                record(&seen, &got);
                done.send(()).unwrap();
            });
        }
        for _ in 0..RECEIVERS {
            done.recv().unwrap();
        }
    });
    check(&seen);
}

#[test]
fn capacity_1_two_workers() {
    goroutines_on_tiny_buffer(1, 2);
}

#[test]
fn capacity_2_four_workers() {
    goroutines_on_tiny_buffer(2, 4);
}

#[test]
fn capacity_3_one_worker() {
    goroutines_on_tiny_buffer(3, 1);
}

/// Plain threads as senders, goroutines as receivers, and the other way
/// round, on a capacity-1 channel: thread parking and goroutine parking meet
/// on the same ring.
#[test]
fn threads_and_goroutines_share_a_tiny_buffer() {
    let seen = new_seen();
    let ch = Chan::<u64>::new(1);
    let runtime = common::builder(2).build();
    // Two senders are threads, two are goroutines of the runtime.
    let mut threads = Vec::new();
    for s in 0..2 {
        let ch = ch.clone();
        threads.push(std::thread::spawn(move || {
            for seq in 0..PER_SENDER {
                ch.send(encode(s, seq)).unwrap();
            }
        }));
    }
    // One receiver is a thread.
    let receiver_thread = {
        let (ch, seen) = (ch.clone(), seen.clone());
        std::thread::spawn(move || {
            let mut got = Vec::new();
            while let Some(v) = ch.recv() {
                got.push(v);
            }
            record(&seen, &got);
        })
    };
    let (ch2, seen2) = (ch.clone(), seen.clone());
    runtime.block_on(move || {
        let done = Chan::<()>::new(2);
        for s in 2..SENDERS {
            let (ch, done) = (ch2.clone(), done.clone());
            goru::go(move || {
                for seq in 0..PER_SENDER {
                    ch.send(encode(s, seq)).unwrap();
                }
                done.send(()).unwrap();
            });
        }
        let (ch, seen) = (ch2.clone(), seen2.clone());
        let receiver = goru::spawn(move || {
            let mut got = Vec::new();
            while let Some(v) = ch.recv() {
                got.push(v);
            }
            record(&seen, &got);
        });
        for _ in 2..SENDERS {
            done.recv().unwrap();
        }
        // The goroutine senders are done; wait for the thread senders
        // without blocking a worker, then close so the receivers finish.
        goru::blocking(move || {
            for t in threads {
                t.join().unwrap();
            }
        });
        ch2.close();
        receiver.join().unwrap();
    });
    receiver_thread.join().unwrap();
    check(&seen);
}

/// Selects on both sides: producers send each value on whichever of two
/// capacity-1 channels can take it, consumers receive from whichever has a
/// value. Select waiters get claimed, skipped and served inside the ring's
/// settling while plain operations race with them; every value must arrive
/// exactly once.
#[test]
fn selects_on_both_sides_of_tiny_buffers() {
    use goru::select::SendCase;
    for workers in [1, 2, 4] {
        let seen = new_seen();
        let out = seen.clone();
        common::run(workers, move || {
            let a = Chan::<u64>::new(1);
            let b = Chan::<u64>::new(1);
            let done = Chan::<()>::new(RECEIVERS);
            for s in 0..SENDERS {
                let (a, b) = (a.clone(), b.clone());
                goru::go(move || {
                    for seq in 0..PER_SENDER {
                        let v = encode(s, seq);
                        if seq % 3 == 0 {
                            // A plain send now and then, racing the selects.
                            if s % 2 == 0 { a.send(v) } else { b.send(v) }.unwrap();
                            continue;
                        }
                        let mut sa = SendCase::new(a.raw(), v);
                        let mut sb = SendCase::new(b.raw(), v);
                        let fired = select(&mut [sa.case(), sb.case()], false);
                        assert!(matches!(fired, Some(0 | 1)));
                    }
                });
            }
            let remaining = Arc::new(std::sync::atomic::AtomicU64::new(SENDERS * PER_SENDER));
            for _ in 0..RECEIVERS {
                let (a, b, done, seen, remaining) = (
                    a.clone(),
                    b.clone(),
                    done.clone(),
                    out.clone(),
                    remaining.clone(),
                );
                goru::go(move || {
                    let mut got = Vec::new();
                    loop {
                        if !claim_one(&remaining) {
                            break;
                        }
                        let mut ra = RecvCase::new(a.raw());
                        let mut rb = RecvCase::new(b.raw());
                        let v = match select(&mut [ra.case(), rb.case()], false) {
                            Some(0) => ra.take(),
                            Some(1) => rb.take(),
                            other => panic!("select returned {other:?}"),
                        };
                        got.push(v.expect("channels stay open"));
                    }
                    // FIFO per sender does not hold across two channels:
                    // record without the order check.
                    let mut s = seen.lock().unwrap();
                    for &v in &got {
                        assert!(!s.bits[v as usize], "value {v} received twice");
                        s.bits[v as usize] = true;
                        s.count += 1;
                    }
                    drop(s);
                    done.send(()).unwrap();
                });
            }
            for _ in 0..RECEIVERS {
                done.recv().unwrap();
            }
        });
        check(&seen);
    }
}
