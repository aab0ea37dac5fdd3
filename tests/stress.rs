//! No message lost or duplicated: 4 senders and 4 receivers share one
//! unbuffered and one buffered channel, mixing plain send/recv, try
//! operations and multi-arm selects (with send arms, default and
//! `time::after` timeouts), 1,000,000 distinct values in total. The exact
//! count, the exact sum and xor, and "no value seen twice" are checked.
//!
//! Progress of the workload itself: every operation that can block without
//! a timeout includes the unbuffered channel; an operation on the buffered
//! channel alone carries a timeout, after which the goroutine moves on to an
//! operation that includes the unbuffered channel. A sender and a receiver
//! both waiting on the unbuffered channel always match, so the workload can
//! neither deadlock nor livelock.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use common::*;
use goru::select::{RecvCase, SendCase, select};
use goru::{Chan, Receiver, Sender, TryRecvError, TrySendError};

const SENDERS: u64 = 4;
const RECEIVERS: u64 = 4;
const TOTAL: u64 = 1_000_000;
const PER_SENDER: u64 = TOTAL / SENDERS;

/// xorshift64*: a deterministic per-goroutine choice of operation.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// The value sent for index `i`: a bijection of 0..TOTAL onto distinct u64s
/// spread over the whole range (so the checksums are not trivial).
fn encode(i: u64) -> u64 {
    i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5555_0000_aaaa_ffff
}

/// The inverse of `encode` (0x9e37… is odd, so it has an inverse mod 2^64).
fn decode(v: u64) -> u64 {
    const INV: u64 = {
        // Newton's iteration for the inverse of an odd number mod 2^64.
        let a: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut x = a;
        let mut k = 0;
        while k < 6 {
            x = x.wrapping_mul(2u64.wrapping_sub(a.wrapping_mul(x)));
            k += 1;
        }
        x
    };
    (v ^ 0x5555_0000_aaaa_ffff).wrapping_mul(INV)
}

fn sender(id: u64, unbuf: Sender<u64>, buf: Sender<u64>) -> (u64, u64) {
    let mut rng = Rng(0x1234_5678 + id * 0x9999);
    let (mut timeouts, mut defaults) = (0u64, 0u64);
    for i in id * PER_SENDER..(id + 1) * PER_SENDER {
        let v = encode(i);
        match rng.next() % 8 {
            0 | 1 => unbuf.send(v).expect("unbuffered channel closed early"),
            2 => {
                if let Err(e) = buf.try_send(v) {
                    let v = match e {
                        TrySendError::Full(v) => v,
                        TrySendError::Closed(_) => panic!("buffered channel closed early"),
                    };
                    unbuf.send(v).unwrap();
                }
            }
            3 | 4 => {
                let mut a = SendCase::new(unbuf.raw(), v);
                let mut b = SendCase::new(buf.raw(), v);
                let fired = select(&mut [a.case(), b.case()], false);
                let loser = match fired {
                    Some(0) => b.into_value(),
                    Some(1) => a.into_value(),
                    other => panic!("select returned {other:?}"),
                };
                assert_eq!(loser, Some(v), "the losing send case lost its value");
            }
            5 => {
                // Both channels and a timeout; retry until sent.
                let mut v = Some(v);
                while let Some(val) = v.take() {
                    let t = goru::time::after(Duration::from_micros(100));
                    let mut a = SendCase::new(unbuf.raw(), val);
                    let mut b = SendCase::new(buf.raw(), val);
                    let mut to = RecvCase::new(t.raw());
                    let fired = select(&mut [a.case(), b.case(), to.case()], false);
                    match fired {
                        Some(0) => assert_eq!(b.into_value(), Some(val)),
                        Some(1) => assert_eq!(a.into_value(), Some(val)),
                        Some(2) => {
                            timeouts += 1;
                            let back = a.into_value();
                            assert_eq!(back, Some(val), "timed-out send case lost its value");
                            assert_eq!(b.into_value(), Some(val));
                            v = back;
                        }
                        other => panic!("select returned {other:?}"),
                    }
                }
            }
            6 => {
                // The buffered channel alone, with a timeout; on timeout the
                // value goes by a plain send on the unbuffered channel (retrying
                // the buffered-only select could livelock against receivers
                // that all wait on the unbuffered channel).
                let t = goru::time::after(Duration::from_micros(10));
                let mut b = SendCase::new(buf.raw(), v);
                let mut to = RecvCase::new(t.raw());
                let fired = select(&mut [b.case(), to.case()], false);
                match fired {
                    Some(0) => {}
                    Some(1) => {
                        timeouts += 1;
                        let back = b.into_value();
                        assert_eq!(back, Some(v), "timed-out send case lost its value");
                        unbuf.send(v).unwrap();
                    }
                    other => panic!("select returned {other:?}"),
                }
            }
            _ => {
                // Unbuffered with default, then a plain send.
                let mut a = SendCase::new(unbuf.raw(), v);
                let fired = select(&mut [a.case()], true);
                if fired.is_none() {
                    defaults += 1;
                    unbuf
                        .send(a.into_value().expect("default kept the value"))
                        .unwrap();
                }
            }
        }
    }
    (timeouts, defaults)
}

#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
struct Tally {
    count: u64,
    sum: u64,
    xor: u64,
}

fn receiver(id: u64, unbuf: Receiver<u64>, buf: Receiver<u64>, seen: Arc<Vec<AtomicU64>>) -> Tally {
    let mut rng = Rng(0xdead_beef + id * 0x7777);
    let mut t = Tally::default();
    let nil = Chan::<u64>::nil();
    let (mut u_open, mut b_open) = (true, true);
    let take = |v: u64, t: &mut Tally| {
        let i = decode(v);
        assert!(i < TOTAL, "received a value that was never sent: {v:#x}");
        let bit = 1u64 << (i % 64);
        let prev = seen[(i / 64) as usize].fetch_or(bit, Relaxed);
        assert_eq!(prev & bit, 0, "value {i} received twice");
        t.count += 1;
        t.sum = t.sum.wrapping_add(v);
        t.xor ^= v;
    };
    while u_open || b_open {
        let r = rng.next();
        if r % 256 == 255 {
            // Now and then a slow receiver: senders block and their timeouts fire.
            goru::time::sleep(Duration::from_micros(50));
        }
        let op = r % 8;
        match op {
            0 | 1 if u_open => match unbuf.recv() {
                Some(v) => take(v, &mut t),
                None => u_open = false,
            },
            2 if b_open => match buf.try_recv() {
                Ok(v) => take(v, &mut t),
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Closed) => b_open = false,
            },
            6 if b_open => {
                let to = goru::time::after(Duration::from_micros(10));
                let mut b = RecvCase::new(buf.raw());
                let mut tc = RecvCase::new(to.raw());
                let fired = select(&mut [b.case(), tc.case()], false);
                match fired {
                    Some(0) => match b.take() {
                        Some(v) => take(v, &mut t),
                        None => b_open = false,
                    },
                    Some(1) => {}
                    other => panic!("select returned {other:?}"),
                }
            }
            _ => {
                // Both channels (closed ones replaced by nil, as in Go), with a
                // timeout (op 5), a default (op 7) or neither.
                let ur = if u_open { unbuf.raw() } else { nil.raw() };
                let br = if b_open { buf.raw() } else { nil.raw() };
                let to = if op == 5 {
                    goru::time::after(Duration::from_micros(100))
                } else {
                    Receiver::nil()
                };
                let mut a = RecvCase::new(ur);
                let mut b = RecvCase::new(br);
                let mut tc = RecvCase::new(to.raw());
                let fired = select(&mut [a.case(), b.case(), tc.case()], op == 7);
                match fired {
                    Some(0) => match a.take() {
                        Some(v) => take(v, &mut t),
                        None => u_open = false,
                    },
                    Some(1) => match b.take() {
                        Some(v) => take(v, &mut t),
                        None => b_open = false,
                    },
                    Some(2) | None => {}
                    other => panic!("select returned {other:?}"),
                }
            }
        }
    }
    t
}

/// The two variants run one after the other: on a 2-core machine, six busy
/// worker threads at once only measure the OS scheduler.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn no_loss(workers: usize) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (tally, (timeouts, defaults)) = run(workers, || {
        let unbuf = Chan::<u64>::new(0);
        let buf = Chan::<u64>::new(64);
        let seen: Arc<Vec<AtomicU64>> =
            Arc::new((0..TOTAL.div_ceil(64)).map(|_| AtomicU64::new(0)).collect());
        let receivers: Vec<_> = (0..RECEIVERS)
            .map(|id| {
                let (u, b, s) = (unbuf.receiver(), buf.receiver(), seen.clone());
                goru::spawn(move || receiver(id, u, b, s))
            })
            .collect();
        let senders: Vec<_> = (0..SENDERS)
            .map(|id| {
                let (u, b) = (unbuf.sender(), buf.sender());
                goru::spawn(move || sender(id, u, b))
            })
            .collect();
        let mut stats = (0, 0);
        for h in senders {
            let (t, d) = h.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            stats.0 += t;
            stats.1 += d;
        }
        unbuf.close();
        buf.close();
        let mut total = Tally::default();
        for h in receivers {
            let t = h.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            total.count += t.count;
            total.sum = total.sum.wrapping_add(t.sum);
            total.xor ^= t.xor;
        }
        let missing = seen
            .iter()
            .map(|w| 64 - u64::from(w.load(Relaxed).count_ones()))
            .sum::<u64>()
            - (TOTAL.div_ceil(64) * 64 - TOTAL);
        assert_eq!(missing, 0, "{missing} values never received");
        (total, stats)
    });
    let mut expect = Tally::default();
    for i in 0..TOTAL {
        let v = encode(i);
        expect.count += 1;
        expect.sum = expect.sum.wrapping_add(v);
        expect.xor ^= v;
    }
    assert_eq!(tally.count, TOTAL, "message count");
    assert_eq!(tally, expect, "checksums (sum, xor)");
    eprintln!("no_loss({workers} workers): {timeouts} send timeouts, {defaults} send defaults");
}

#[test]
fn encode_is_a_bijection() {
    for i in [0u64, 1, 2, 63, 64, 999_999, 123_456] {
        assert_eq!(decode(encode(i)), i);
    }
}

#[test]
fn no_loss_one_million_messages() {
    no_loss(2);
}

#[test]
fn no_loss_one_million_messages_four_workers() {
    no_loss(4);
}
