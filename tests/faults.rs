//! Fault behaviour (issue 13): panics inside a select arm, in deferred code
//! and around a hand-over; channels dropped with values still in them; a
//! runtime dropped with goroutines still blocked. Every test counts values
//! with [`Tracked`], whose drops are recorded per id in a [`Ledger`]: a lost
//! message shows as a missing id, a duplicate as an id seen twice, a leak as
//! an id never dropped, a double drop as an id dropped twice. No timing.
//!
//! None of these faults may end the process, so everything runs in-process
//! (a regression that aborts would fail the whole binary, loudly).

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex as StdMutex;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use common::{HANG_GUARD, panic_message, wait_parked};
use goru::TryRecvError;
use goru::prelude::*;

// ------------------------------------------------------------------ ledger

/// Which ids were created, and how often each was dropped.
#[derive(Debug, Default)]
struct Ledger {
    created: StdMutex<Vec<u64>>,
    drops: StdMutex<HashMap<u64, usize>>,
}

impl Ledger {
    fn new() -> Arc<Ledger> {
        Arc::new(Ledger::default())
    }

    /// A new value with a fresh `id`.
    fn make(self: &Arc<Self>, id: u64) -> Tracked {
        let mut c = self.created.lock().unwrap();
        assert!(!c.contains(&id), "test bug: id {id} made twice");
        c.push(id);
        Tracked {
            id,
            ledger: Arc::clone(self),
        }
    }

    fn drops_of(&self, id: u64) -> usize {
        self.drops.lock().unwrap().get(&id).copied().unwrap_or(0)
    }

    fn total_drops(&self) -> usize {
        self.drops.lock().unwrap().values().sum()
    }

    /// Exactly `n` values were made and each was dropped exactly once.
    #[track_caller]
    fn assert_each_dropped_once(&self, n: usize) {
        let created = self.created.lock().unwrap().clone();
        assert_eq!(created.len(), n, "values created");
        let drops = self.drops.lock().unwrap();
        let leaked: Vec<u64> = created
            .iter()
            .copied()
            .filter(|id| !drops.contains_key(id))
            .collect();
        let twice: Vec<(u64, usize)> = drops
            .iter()
            .filter(|&(_, &k)| k != 1)
            .map(|(&id, &k)| (id, k))
            .collect();
        assert!(leaked.is_empty(), "never dropped (leaked): {leaked:?}");
        assert!(
            twice.is_empty(),
            "dropped more than once (id, drops): {twice:?}"
        );
        assert_eq!(drops.len(), n, "drops recorded for unknown ids");
    }
}

/// A message whose drop is recorded in its [`Ledger`].
#[derive(Debug)]
struct Tracked {
    id: u64,
    ledger: Arc<Ledger>,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        *self
            .ledger
            .drops
            .lock()
            .unwrap()
            .entry(self.id)
            .or_insert(0) += 1;
    }
}

/// Runs `f` on a plain thread and fails if it does not return within the
/// hang guard (for `drop(runtime)`, which must never hang).
#[track_caller]
fn guarded(what: &str, f: impl FnOnce() + Send + 'static) {
    let (tx, rx) = std::sync::mpsc::channel();
    let th = std::thread::spawn(move || {
        f();
        let _ = tx.send(());
    });
    rx.recv_timeout(HANG_GUARD)
        .unwrap_or_else(|_| panic!("hang guard: {what} did not return within {HANG_GUARD:?}"));
    th.join().unwrap();
}

// ------------------------------------------------------- 1. select arm panic

goru! {
    /// A goroutine loops on a select over two unbuffered channels fed by two
    /// producers and panics in the arm body on one value. That value is
    /// dropped once by the unwind; nothing else is lost or duplicated: the
    /// rest of both streams is still received, in order, exactly once.
    #[test]
    fn panic_in_a_select_arm_loses_and_duplicates_nothing() {
        const N: u64 = 40;
        const K: u64 = 17; // the value of `a` whose arm panics
        let ledger = Ledger::new();
        let l = ledger.clone();
        common::run(2, move || {
            let a = chan![Tracked];
            let b = chan![Tracked];
            let (pa, la) = (a.clone(), l.clone());
            let prod_a = spawn(move || for i in 0..N { pa <- la.make(i); });
            let (pb, lb) = (b.clone(), l.clone());
            let prod_b = spawn(move || for i in 0..N { pb <- lb.make(1000 + i); });

            let seen = Arc::new(StdMutex::new(Vec::new()));
            let (ca, cb, s) = (a.clone(), b.clone(), seen.clone());
            let consumer = spawn(move || loop {
                select! {
                    v = <-ca => {
                        let v = v.expect("a is never closed");
                        s.lock().unwrap().push(v.id);
                        if v.id == K {
                            panic!("boom in select arm");
                        }
                    }
                    v = <-cb => {
                        let v = v.expect("b is never closed");
                        s.lock().unwrap().push(v.id);
                    }
                }
            });
            let err = consumer.join().expect_err("the consumer panicked");
            assert_eq!(panic_message(&*err), "boom in select arm");
            assert_eq!(l.drops_of(K), 1, "the value the panicking arm held was dropped once");

            let seen = seen.lock().unwrap().clone();
            let got_a: Vec<u64> = seen.iter().copied().filter(|&i| i < 1000).collect();
            let got_b: Vec<u64> = seen.iter().copied().filter(|&i| i >= 1000).collect();
            assert_eq!(got_a, (0..=K).collect::<Vec<_>>(), "a's values before the panic");
            assert_eq!(got_b, (1000..1000 + got_b.len() as u64).collect::<Vec<_>>());

            // The rest of each stream, exactly once, in order.
            for i in K + 1..N {
                assert_eq!((<-a).unwrap().id, i, "a continues after the panicked arm");
            }
            for i in 1000 + got_b.len() as u64..1000 + N {
                assert_eq!((<-b).unwrap().id, i, "b unaffected by a's arm panic");
            }
            prod_a.join().unwrap();
            prod_b.join().unwrap();
            assert_eq!(a.try_recv().map(|t| t.id), Err(TryRecvError::Empty), "a duplicate on a");
            assert_eq!(b.try_recv().map(|t| t.id), Err(TryRecvError::Empty), "a duplicate on b");
        });
        ledger.assert_each_dropped_once(2 * N as usize);
    }
}

// ----------------------------------------------------- 2. panic in a defer

goru! {
    fn note(log: Arc<StdMutex<Vec<String>>>, t: Tracked) {
        log.lock().unwrap().push(format!("note {}", t.id));
    }

    /// Three deferred calls around one that panics; `body_panics` also panics
    /// in the body first (the deferred panic then replaces it, Go's rule).
    fn panicking_defer(log: Arc<StdMutex<Vec<String>>>, l: Arc<Ledger>, body_panics: bool) {
        let held = l.make(1);
        defer! { log.lock().unwrap().push(format!("first registered, holds {}", held.id)); }
        defer!(note(log.clone(), l.make(2))); // its argument is moved into the deferred call
        defer! { panic!("panic in deferred code"); }
        defer! { log.lock().unwrap().push("last registered".to_string()); }
        for i in 0..2u64 {
            // Nested defers own their captures: queued on the function's frame.
            let t = l.make(10 + i);
            let log = log.clone();
            defer! { log.lock().unwrap().push(format!("loop defer {}", t.id)); }
        }
        log.lock().unwrap().push("body".to_string());
        if body_panics {
            panic!("panic in body");
        }
    }

    fn recovering(log: Arc<StdMutex<Vec<String>>>, l: Arc<Ledger>, body_panics: bool) -> bool {
        defer! {
            if let Some(r) = recover() {
                log.lock().unwrap().push(format!("recovered: {r}"));
            }
        }
        panicking_defer(log.clone(), l, body_panics);
        true
    }

    /// Later deferred calls still run after one panics, the panic reaches an
    /// outer `recover`, and every value the defers held is dropped once.
    #[test]
    fn panic_in_deferred_code_runs_the_rest_and_is_recovered() {
        for body_panics in [false, true] {
            let ledger = Ledger::new();
            let log = Arc::new(StdMutex::new(Vec::new()));
            let (l, lg) = (ledger.clone(), log.clone());
            let returned = common::run(2, move || recovering(lg, l, body_panics));
            assert!(!returned, "recovered: the zero value is returned");
            let expected = [
                "body",
                "loop defer 11",
                "loop defer 10",
                "last registered",
                "note 2",
                "first registered, holds 1",
                "recovered: panic in deferred code",
            ];
            assert_eq!(*log.lock().unwrap(), expected, "body_panics = {body_panics}");
            ledger.assert_each_dropped_once(4);
        }
    }

    /// Not recovered: the deferred panic propagates out of the goroutine
    /// (to `join`), after the other deferred calls ran.
    #[test]
    fn unrecovered_panic_in_deferred_code_propagates() {
        let ledger = Ledger::new();
        let log = Arc::new(StdMutex::new(Vec::new()));
        let (l, lg) = (ledger.clone(), log.clone());
        let msg = common::run(2, move || {
            let h = spawn(move || panicking_defer(lg, l, true));
            panic_message(&*h.join().expect_err("the deferred panic propagates"))
        });
        assert_eq!(msg, "panic in deferred code");
        assert_eq!(
            log.lock().unwrap().last().map(String::as_str),
            Some("first registered, holds 1"),
            "the first-registered defer still ran"
        );
        ledger.assert_each_dropped_once(4);
    }
}

// --------------------------------------------------- 3. hand-over panics

goru! {
    /// Receivers that panic right after taking a value from an unbuffered
    /// channel: each value is dropped once (by the unwind), and the sender's
    /// sends all completed exactly once.
    #[test]
    fn receiver_panicking_after_receive_drops_the_value_once() {
        const N: u64 = 50;
        let ledger = Ledger::new();
        let l = ledger.clone();
        common::run(2, move || {
            let ch = chan![Tracked];
            let sent = Arc::new(AtomicUsize::new(0));
            let (tx, s, ls) = (ch.sender(), sent.clone(), l.clone());
            let sender = spawn(move || {
                for i in 0..N {
                    tx <- ls.make(i);
                    s.fetch_add(1, SeqCst);
                }
            });
            for i in 0..N {
                let rx = ch.receiver();
                let l2 = l.clone();
                let h = spawn(move || {
                    let v = (<-rx).unwrap();
                    assert_eq!(l2.drops_of(v.id), 0, "received a value already dropped");
                    panic!("receiver {} panics holding {}", i, v.id);
                });
                let err = h.join().expect_err("receiver panicked");
                assert_eq!(panic_message(&*err), format!("receiver {i} panics holding {i}"));
                assert_eq!(l.drops_of(i), 1, "the received value dropped once by the unwind");
            }
            sender.join().unwrap();
            assert_eq!(sent.load(SeqCst), N as usize, "every send completed once");
            assert_eq!(ch.try_recv().map(|t| t.id), Err(TryRecvError::Empty));
        });
        ledger.assert_each_dropped_once(N as usize);
    }

    /// A goroutine parked in a select send case, and one parked in a plain
    /// send, when the channel is closed: both panic "send on closed channel"
    /// and the unsent value is dropped exactly once (not leaked in the
    /// channel's wait queue, not dropped twice).
    #[test]
    fn parked_send_on_a_channel_closed_under_it_drops_the_value_once() {
        let ledger = Ledger::new();
        let l = ledger.clone();
        common::run(2, move || {
            let c = chan![Tracked];
            let never = chan![i32];
            let (c2, n2, l2) = (c.clone(), never.clone(), l.clone());
            let in_select = spawn(move || {
                select! {
                    c2 <- l2.make(1) => { unreachable!("nobody receives") }
                    _ = <-n2 => { unreachable!("nobody sends") }
                }
            });
            let (c3, l3) = (c.clone(), l.clone());
            let plain = spawn(move || {
                c3 <- l3.make(2);
            });
            wait_parked("select", 1);
            wait_parked("chan send", 1);
            assert_eq!(l.total_drops(), 0, "nothing dropped while parked");
            c.close();
            for h in [in_select, plain] {
                let err = h.join().expect_err("send on closed channel panics");
                assert_eq!(panic_message(&*err), "send on closed channel");
            }
            assert_eq!(c.try_recv().map(|t| t.id), Err(TryRecvError::Closed));
            assert_eq!(l.drops_of(1), 1, "select's unsent value");
            assert_eq!(l.drops_of(2), 1, "plain send's unsent value");
        });
        ledger.assert_each_dropped_once(2);
    }
}

// ------------------------------------------- 4. dropping a loaded channel

/// All handles of a buffered channel dropped with values in it: each
/// unreceived value is dropped exactly once, the received ones only by
/// their receiver, and nothing before the last handle goes.
#[test]
fn dropping_a_channel_drops_each_unreceived_value_once() {
    const N: u64 = 10;
    let ledger = Ledger::new();
    let c = Chan::<Tracked>::new(16);
    let (tx, rx) = (c.sender(), c.receiver());
    for i in 0..N {
        tx.send(ledger.make(i)).unwrap();
    }
    // Wrap the ring: take 3, send 3 more.
    for i in 0..3 {
        assert_eq!(rx.recv().unwrap().id, i);
    }
    for i in N..N + 3 {
        tx.send(ledger.make(i)).unwrap();
    }
    assert_eq!(ledger.total_drops(), 3);
    drop(tx);
    drop(c);
    assert_eq!(
        ledger.total_drops(),
        3,
        "values dropped while a handle remains"
    );
    drop(rx);
    ledger.assert_each_dropped_once(N as usize + 3);
}

// ---------------------------------------- 5. dropping a blocked runtime

/// `drop(runtime)` with goroutines parked on a channel receive, a send on
/// unbuffered and on full buffered channels, a select, a sync::Mutex, a
/// WaitGroup, a join and a long sleep: it returns, and every value those
/// goroutines (or the channels only they referenced) held is dropped
/// exactly once; none before the drop.
#[test]
fn dropping_a_runtime_with_blocked_goroutines_drops_everything_once() {
    let ledger = Ledger::new();
    let rt = common::builder(2).build();
    let l = ledger.clone();
    let made = rt.block_on(move || {
        let mut id = 0u64;
        let mut next = || {
            id += 1;
            l.make(id)
        };
        // Channel receive, holding a value.
        let (t, c) = (next(), chan![i32]);
        goru::go(move || {
            let _held = t;
            c.recv();
        });
        // Send on an unbuffered channel nobody receives from.
        let (t, c) = (next(), chan![Tracked]);
        goru::go(move || {
            let _ = c.send(t);
        });
        // A full buffered channel (values only in the channel) and two
        // senders parked on it.
        let full = chan![Tracked; 3];
        for _ in 0..3 {
            full.send(next()).unwrap();
        }
        for _ in 0..2 {
            let (t, c) = (next(), full.clone());
            goru::go(move || {
                let _ = c.send(t);
            });
        }
        drop(full);
        // Select with a send and a receive case, holding another value.
        let (t, held, c, r) = (next(), next(), chan![Tracked], chan![i32]);
        goru::go(move || {
            let _held = held;
            goru::select! {
                c <- t => {}
                _ = <-r => {}
            }
        });
        // sync::Mutex: the holder parks (holding the guard), a waiter blocks.
        let m = Arc::new(goru::sync::Mutex::new(next()));
        let gate = chan![()];
        let (m1, g1) = (m.clone(), gate.clone());
        goru::go(move || {
            let _g = m1.lock();
            g1.recv();
        });
        while m.try_lock().is_some() {
            goru::runtime::gosched();
        }
        let (m2, t) = (m.clone(), next());
        goru::go(move || {
            let _held = t;
            let _g = m2.lock();
        });
        drop(m);
        // WaitGroup never done.
        let wg = WaitGroup::new();
        wg.add(1);
        let (w, t) = (wg.clone(), next());
        goru::go(move || {
            let _held = t;
            w.wait();
        });
        // Join on a goroutine that never finishes, and a long sleep.
        let (t, c) = (next(), chan![i32]);
        let h = goru::spawn(move || {
            let _held = t;
            c.recv()
        });
        let t = next();
        goru::go(move || {
            let _held = t;
            let _j = h.join();
        });
        let t = next();
        goru::go(move || {
            let _held = t;
            goru::time::sleep(goru::time::secs(3600));
        });

        // chan receive: the first, the mutex holder, the joined one.
        wait_parked("chan receive", 3);
        wait_parked("chan send", 3);
        wait_parked("select", 1);
        wait_parked("semacquire", 2);
        wait_parked("goroutine join", 1);
        wait_parked("sleep", 1);
        drop(wg);
        id as usize
    });
    assert_eq!(made, 15);
    assert_eq!(
        ledger.total_drops(),
        0,
        "a blocked goroutine's values were dropped while the runtime ran"
    );
    guarded("drop(runtime) with blocked goroutines", move || drop(rt));
    ledger.assert_each_dropped_once(made);
}
