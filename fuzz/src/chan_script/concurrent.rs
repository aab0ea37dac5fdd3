//! Phase 2: producers and consumers on a shared runtime. Producers send
//! tagged messages (producer, sequence) by every means goru has; consumers
//! receive by every means until all channels are closed and drained; main
//! closes the channels once the producers are done. Whatever the schedule,
//! every message must arrive exactly once, on the channel it was sent on,
//! each consumer must see each producer's messages on one channel in the
//! order they were sent, and every value must be dropped exactly once.
//!
//! No step may wait on something that needs a particular schedule: spins
//! fall back to a blocking operation after a few tries, and a consumer
//! blocks on a single channel only once all of them are being closed.

use std::sync::Arc;
use std::time::Duration;

use goru::prelude::*;
use goru::select::{Case, RecvCase};

use super::Bytes;
use super::sequential::{recv_op, send_op};
use crate::ledger::{Ledger, Val};

const MAX_CHANS: usize = 3;
/// Tries of a spinning operation before it falls back to blocking.
const SPINS: usize = 8;

/// How a producer sends one message.
#[derive(Clone, Copy, Debug)]
enum SendBy {
    Operator,
    Method,
    /// `select!` with a timeout, retried with a new value.
    SelectTimeout(Duration),
    /// `try_send` with `gosched`, then `send`.
    Spin,
}

/// How a consumer receives one message.
#[derive(Clone, Copy, Debug)]
enum RecvBy {
    /// The select engine over every channel not yet drained (nil for
    /// drained ones), blocking.
    SelectAll,
    /// `select!` on one channel with a timeout.
    SelectTimeout(Duration),
    /// `try_recv` with `gosched`, then [`RecvBy::SelectAll`].
    Spin,
    /// `<-ch` on one channel, once all are being closed.
    Operator,
}

#[derive(Debug)]
struct Plan {
    caps: Vec<usize>,
    /// Per producer: per message, the channel and how it is sent.
    producers: Vec<Vec<(usize, SendBy)>>,
    /// Per consumer: how its receives go, in turn.
    consumers: Vec<Vec<RecvBy>>,
}

fn timeout(b: u8) -> Duration {
    Duration::from_micros(20 * (1 + u64::from(b % 8)))
}

impl Plan {
    fn decode(bytes: &[u8]) -> Plan {
        let mut bytes = Bytes::new(bytes);
        let n_chans = 1 + usize::from(bytes.byte()) % MAX_CHANS;
        let caps = (0..n_chans)
            .map(|_| usize::from(bytes.byte() % 4))
            .collect();
        let counts = bytes.byte();
        let n_producers = 1 + usize::from(counts % 3);
        let n_consumers = 1 + usize::from(counts / 3 % 2);
        let producers = (0..n_producers)
            .map(|_| {
                let n = usize::from(bytes.byte() % 9);
                (0..n)
                    .map(|_| {
                        let b = bytes.byte();
                        let by = match (b >> 2) % 4 {
                            0 => SendBy::Operator,
                            1 => SendBy::Method,
                            2 => SendBy::SelectTimeout(timeout(b >> 4)),
                            _ => SendBy::Spin,
                        };
                        (usize::from(b % 4) % n_chans, by)
                    })
                    .collect()
            })
            .collect();
        let consumers = (0..n_consumers)
            .map(|_| {
                let b = bytes.byte();
                // Two to five ways, used in turn.
                (0..2 + usize::from(b % 4))
                    .map(|_| {
                        let c = bytes.byte();
                        match c % 4 {
                            0 => RecvBy::SelectAll,
                            1 => RecvBy::SelectTimeout(timeout(c >> 2)),
                            2 => RecvBy::Spin,
                            _ => RecvBy::Operator,
                        }
                    })
                    .collect()
            })
            .collect();
        Plan {
            caps,
            producers,
            consumers,
        }
    }
}

fn tag(producer: usize, seq: usize) -> u32 {
    (producer as u32) << 16 | seq as u32
}

/// What one consumer received: (channel, tag), in order.
type Received = Vec<(usize, u32)>;

pub(super) fn run(runtime: &goru::Runtime, bytes: &[u8]) {
    let plan = Arc::new(Plan::decode(bytes));
    let ledger = Ledger::new();
    let received = {
        let (for_main, ledger) = (Arc::clone(&plan), Arc::clone(&ledger));
        let outcome = crate::panics::catch(|| runtime.block_on(move || main(&for_main, &ledger)));
        match outcome {
            Ok(r) => r,
            // Deadlock reports and goroutine panics end up here.
            Err(msg) => panic!("phase 2 {plan:?}: the runtime failed: {msg}"),
        }
    };
    check(&plan, &received);
    ledger.assert_each_dropped_once();
}

/// Goroutine 1: starts everyone, closes the channels when the producers
/// are done, collects what the consumers received.
fn main(plan: &Arc<Plan>, ledger: &Arc<Ledger>) -> Vec<Received> {
    let chans: Arc<Vec<Chan<Val>>> = Arc::new(plan.caps.iter().map(|&c| Chan::new(c)).collect());
    let consumers: Vec<_> = plan
        .consumers
        .iter()
        .map(|ways| {
            let (chans, ways) = (Arc::clone(&chans), ways.clone());
            goru::spawn(move || consume(&chans, &ways))
        })
        .collect();
    let producers: Vec<_> = plan
        .producers
        .iter()
        .enumerate()
        .map(|(p, script)| {
            let senders: Vec<Sender<Val>> = chans.iter().map(Chan::sender).collect();
            let (script, ledger) = (script.clone(), Arc::clone(ledger));
            goru::spawn(move || produce(p, &senders, &script, &ledger))
        })
        .collect();
    for p in producers {
        p.join().expect("a producer panicked");
    }
    for c in chans.iter() {
        c.close();
    }
    consumers
        .into_iter()
        .map(|c| c.join().expect("a consumer panicked"))
        .collect()
}

fn produce(p: usize, senders: &[Sender<Val>], script: &[(usize, SendBy)], ledger: &Arc<Ledger>) {
    for (seq, &(c, by)) in script.iter().enumerate() {
        let tx = &senders[c];
        let tag = tag(p, seq);
        match by {
            SendBy::Operator => send_op(tx, ledger.make(tag)),
            SendBy::Method => tx
                .send(ledger.make(tag))
                .expect("open until producers finish"),
            SendBy::SelectTimeout(d) => loop {
                let v = ledger.make(tag);
                let sent = select! {
                    tx <- v => true,
                    <-time::after(d) => false,
                };
                if sent {
                    break;
                }
            },
            SendBy::Spin => {
                let mut v = Some(ledger.make(tag));
                for _ in 0..SPINS {
                    match tx.try_send(v.take().expect("not sent yet")) {
                        Ok(()) => break,
                        Err(goru::TrySendError::Full(back)) => v = Some(back),
                        Err(e) => panic!("try_send on an open channel: {e:?}"),
                    }
                    goru::runtime::gosched();
                }
                if let Some(v) = v {
                    tx.send(v).expect("open until producers finish");
                }
            }
        }
    }
}

fn consume(chans: &[Chan<Val>], ways: &[RecvBy]) -> Received {
    let mut received = Received::new();
    let mut done = vec![false; chans.len()];
    let mut turn = 0usize;
    while done.iter().any(|d| !d) {
        turn += 1;
        // Round robin over the channels not yet drained.
        let live: Vec<usize> = (0..chans.len()).filter(|&c| !done[c]).collect();
        let one = live[turn % live.len()];
        let by = match ways[turn % ways.len()] {
            // Safe only once every channel is being closed.
            RecvBy::Operator if !(done.iter().any(|&d| d) || chans.len() == 1) => RecvBy::SelectAll,
            by => by,
        };
        let got: Option<(usize, Option<Val>)> = match by {
            RecvBy::SelectAll => Some(select_all(chans, &done)),
            RecvBy::SelectTimeout(d) => {
                let rx = &chans[one];
                select! {
                    v = <-rx => Some((one, v)),
                    <-time::after(d) => None,
                }
            }
            RecvBy::Spin => {
                let mut got = None;
                for _ in 0..SPINS {
                    match chans[one].try_recv() {
                        Ok(v) => got = Some((one, Some(v))),
                        Err(goru::TryRecvError::Closed) => got = Some((one, None)),
                        Err(goru::TryRecvError::Empty) => {
                            goru::runtime::gosched();
                            continue;
                        }
                    }
                    break;
                }
                got.or_else(|| Some(select_all(chans, &done)))
            }
            RecvBy::Operator => Some((one, recv_op(&chans[one].receiver()))),
        };
        match got {
            Some((c, Some(v))) => received.push((c, v.tag)),
            Some((c, None)) => done[c] = true,
            None => {}
        }
    }
    received
}

/// One receive from any channel not yet drained.
fn select_all(chans: &[Chan<Val>], done: &[bool]) -> (usize, Option<Val>) {
    let nil = Chan::<Val>::nil();
    let mut cases: Vec<RecvCase<'_, Val>> = chans
        .iter()
        .zip(done)
        .map(|(c, &d)| RecvCase::new(if d { nil.raw() } else { c.raw() }))
        .collect();
    let mut list: Vec<Case<'_>> = cases.iter_mut().map(RecvCase::case).collect();
    let fired = goru::select::select(&mut list, false).expect("no default: a case fired");
    drop(list);
    assert!(!done[fired], "a nil (drained) channel's case fired");
    (fired, cases[fired].take())
}

/// Exactly once, on the right channel, in order per consumer.
fn check(plan: &Plan, received: &[Received]) {
    let mut seen: Vec<Vec<u32>> = plan.producers.iter().map(|s| vec![0; s.len()]).collect();
    for (k, got) in received.iter().enumerate() {
        // Last sequence number this consumer saw per (channel, producer).
        let mut last = vec![vec![None; plan.producers.len()]; plan.caps.len()];
        for &(c, tag) in got {
            let (p, seq) = ((tag >> 16) as usize, (tag & 0xFFFF) as usize);
            let (sent_on, _) = plan.producers[p][seq];
            assert_eq!(
                c, sent_on,
                "message {p}/{seq} arrived on another channel; {plan:?}"
            );
            seen[p][seq] += 1;
            let prev: &mut Option<usize> = &mut last[c][p];
            assert!(
                prev.is_none_or(|prev| prev < seq),
                "consumer {k} got {p}/{seq} after {p}/{prev:?} on channel {c}; {plan:?}"
            );
            *prev = Some(seq);
        }
    }
    for (p, counts) in seen.iter().enumerate() {
        for (seq, &n) in counts.iter().enumerate() {
            assert_eq!(
                n, 1,
                "message {p}/{seq} received {n} times; {plan:?}; {received:?}"
            );
        }
    }
}
