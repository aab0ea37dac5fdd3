//! goru's channels, select, sync primitives and contexts used from plain
//! OS threads only: no goroutine is ever started in this binary.
//!
//! That is what lets ThreadSanitizer check these paths (`scripts/tsan.sh`):
//! TSan cannot follow a goroutine's stack switches, but on plain threads
//! every wait parks the thread itself, which TSan understands. Timers
//! (`time::after`) start the global runtime's worker threads, which fire
//! timers on their own stacks and never run a goroutine here; nothing here
//! may call `go`, `spawn`, `time::after_func`, or let a context's deadline
//! fire (a deadline fires through `after_func`, which starts a goroutine).
//!
//! The messages carry heap data (`Vec`s, `Box`es) written by the sender and
//! read by the receiver, so a missing happens-before edge in a hand-off is
//! a data race TSan reports. Every test checks exact totals. Sizes are kept
//! small: the whole file runs in well under a second natively and in
//! seconds under TSan.

use std::cell::UnsafeCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed, Ordering::SeqCst};
use std::thread;
use std::time::{Duration, Instant};

use goru::context::{self, ContextError};
use goru::prelude::*;
use goru::sync::{Cond, Mutex, Once, OnceCell, RwMutex, Semaphore};
use goru::{SendError, TryRecvError};

/// A message whose payload lives on the heap: the receiver reads what the
/// sender wrote, so the channel must order the two.
#[derive(Debug)]
struct Msg {
    from: u64,
    seq: u64,
    payload: Vec<u64>,
}

impl Msg {
    fn new(from: u64, seq: u64) -> Msg {
        let payload = (0..(seq % 7 + 1))
            .map(|i| from ^ seq.rotate_left(i as u32))
            .collect();
        Msg { from, seq, payload }
    }

    /// Panics unless the payload is the one `new` wrote.
    fn check(&self) -> u64 {
        assert_eq!(self.payload, Msg::new(self.from, self.seq).payload);
        self.from * 1_000_000 + self.seq
    }
}

/// A value with no synchronisation of its own: only the goru primitive
/// under test orders the accesses to it, so if that primitive failed to,
/// TSan would report a data race here.
struct Unsynced<T>(UnsafeCell<T>);

// SAFETY: every test that shares an `Unsynced` orders all accesses to it
// with the goru primitive it checks (see `with`).
unsafe impl<T: Send> Sync for Unsynced<T> {}

impl<T> Unsynced<T> {
    fn new(v: T) -> Self {
        Unsynced(UnsafeCell::new(v))
    }

    /// # Safety
    /// No other access to the value happens concurrently: the caller's
    /// goru primitive orders this one after or before every other.
    unsafe fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        // SAFETY: exclusive by the caller's contract.
        f(unsafe { &mut *self.0.get() })
    }
}

fn join_all<T>(handles: Vec<thread::JoinHandle<T>>) -> Vec<T> {
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

/// The sum of `from * 1_000_000 + seq` over `producers` senders of `per`
/// messages each.
fn expected_sum(producers: u64, per: u64) -> u64 {
    (0..producers)
        .map(|p| p * 1_000_000 * per + per * (per - 1) / 2)
        .sum()
}

// ------------------------------------------------------------ channels

#[test]
fn unbuffered_ping_pong() {
    let ping = Chan::<Box<u64>>::new(0);
    let pong = Chan::<Box<u64>>::new(0);
    let (pi, po) = (ping.receiver(), pong.sender());
    let th = thread::spawn(move || {
        for v in &pi {
            po.send(Box::new(*v * 3)).unwrap();
        }
        po.close();
    });
    for i in 0..2_000u64 {
        ping.send(Box::new(i)).unwrap();
        assert_eq!(pong.recv().as_deref(), Some(&(i * 3)));
    }
    ping.close();
    assert_eq!(pong.recv(), None);
    th.join().unwrap();
}

#[test]
fn many_producers_many_consumers_each_capacity() {
    const PRODUCERS: u64 = 4;
    const PER: u64 = 1_500;
    for cap in [0usize, 1, 8] {
        let c = Chan::<Msg>::new(cap);
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|p| {
                let tx = c.sender();
                thread::spawn(move || {
                    for seq in 0..PER {
                        tx.send(Msg::new(p, seq)).unwrap();
                    }
                })
            })
            .collect();
        let consumers: Vec<_> = (0..3)
            .map(|_| {
                let rx = c.receiver();
                thread::spawn(move || {
                    // Per producer, one consumer sees increasing seqs.
                    let mut last = [None::<u64>; PRODUCERS as usize];
                    let (mut n, mut sum) = (0u64, 0u64);
                    for m in &rx {
                        let prev = last[m.from as usize].replace(m.seq);
                        assert!(prev.is_none_or(|p| p < m.seq), "cap {cap}: reordered");
                        sum += m.check();
                        n += 1;
                    }
                    (n, sum)
                })
            })
            .collect();
        join_all(producers);
        c.close();
        let (n, sum) = join_all(consumers)
            .into_iter()
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        assert_eq!(n, PRODUCERS * PER, "cap {cap}");
        assert_eq!(sum, expected_sum(PRODUCERS, PER), "cap {cap}");
    }
}

#[test]
fn close_wakes_every_parked_sender_and_receiver() {
    // Receivers parked on an unbuffered channel all see the close.
    let c = Chan::<Msg>::new(0);
    let receivers: Vec<_> = (0..4)
        .map(|_| {
            let rx = c.receiver();
            thread::spawn(move || rx.recv().map(|m| m.check()))
        })
        .collect();
    c.close();
    assert!(join_all(receivers).iter().all(Option::is_none));

    // Senders parked on a full buffer get their values back; the buffered
    // values are still received, then the channel reads as closed.
    let c = Chan::<Msg>::new(2);
    c.send(Msg::new(9, 0)).unwrap();
    c.send(Msg::new(9, 1)).unwrap();
    let parked = Arc::new(AtomicUsize::new(0));
    let senders: Vec<_> = (0..3u64)
        .map(|p| {
            let (tx, parked) = (c.sender(), parked.clone());
            thread::spawn(move || {
                parked.fetch_add(1, SeqCst);
                match tx.send(Msg::new(p, 100)) {
                    Err(SendError(m)) => m.check(),
                    Ok(()) => panic!("a send on a full channel that was closed succeeded"),
                }
            })
        })
        .collect();
    while parked.load(SeqCst) < 3 {
        thread::yield_now();
    }
    // A sender counted itself before sending; wait until all are queued.
    thread::sleep(Duration::from_millis(5));
    c.close();
    let returned: u64 = join_all(senders).into_iter().sum();
    assert_eq!(returned, expected_sum(3, 101) - expected_sum(3, 100));
    assert_eq!(c.recv().map(|m| m.check()), Some(9_000_000));
    assert_eq!(c.recv().map(|m| m.check()), Some(9_000_001));
    assert_eq!(c.recv().map(|m| m.check()), None);
    assert_eq!(c.try_recv().err(), Some(TryRecvError::Closed));
}

#[test]
fn close_racing_with_sends_loses_nothing() {
    // Every value is either received or handed back to its sender.
    for cap in [0usize, 4] {
        let c = Chan::<Msg>::new(cap);
        let senders: Vec<_> = (0..3u64)
            .map(|p| {
                let tx = c.sender();
                thread::spawn(move || {
                    let mut back = 0;
                    for seq in 0..2_000 {
                        if let Err(SendError(m)) = tx.send(Msg::new(p, seq)) {
                            back += m.check();
                        }
                    }
                    back
                })
            })
            .collect();
        let rx = c.receiver();
        let receiver = thread::spawn(move || rx.iter().map(|m| m.check()).sum::<u64>());
        thread::sleep(Duration::from_millis(2));
        c.close();
        let back: u64 = join_all(senders).into_iter().sum();
        let got = receiver.join().unwrap();
        assert_eq!(got + back, expected_sum(3, 2_000), "cap {cap}");
    }
}

// -------------------------------------------------------------- select

#[test]
fn select_with_default_polls_without_blocking() {
    const PER: u64 = 1_000;
    let c = Chan::<Msg>::new(2);
    let tx = c.sender();
    let producer = thread::spawn(move || {
        for seq in 0..PER {
            loop {
                // The send value is evaluated on entry and dropped if the
                // default arm runs: a fresh one each try.
                let mut sent = false;
                select! {
                    tx <- Msg::new(1, seq) => { sent = true; }
                    default => thread::yield_now(),
                }
                if sent {
                    break;
                }
            }
        }
        tx.close();
    });
    let rx = c.receiver();
    let (mut sum, mut n) = (0u64, 0u64);
    loop {
        let mut open = true;
        select! {
            v = <-rx => match v {
                Some(m) => { sum += m.check(); n += 1; }
                None => open = false,
            },
            default => thread::yield_now(),
        }
        if !open {
            break;
        }
    }
    producer.join().unwrap();
    assert_eq!((n, sum), (PER, expected_sum(2, PER) - expected_sum(1, PER)));
}

#[test]
fn select_fans_in_and_out_between_threads() {
    const PER: u64 = 1_000;
    // Fan in: three producers on channels of different capacities; the
    // consumer selects over all three and sets each to nil once closed.
    let inputs: Vec<Chan<Msg>> = vec![Chan::new(0), Chan::new(1), Chan::new(16)];
    let producers: Vec<_> = inputs
        .iter()
        .enumerate()
        .map(|(p, c)| {
            let tx = c.sender();
            thread::spawn(move || {
                for seq in 0..PER {
                    tx.send(Msg::new(p as u64, seq)).unwrap();
                }
                tx.close();
            })
        })
        .collect();
    let nil = Chan::<Msg>::nil();
    let mut open = [true; 3];
    let (mut n, mut sum) = (0u64, 0u64);
    // Fan out: every value goes on to one of two forwarding channels by a
    // select over two send arms.
    let outs = [Chan::<Msg>::new(0), Chan::<Msg>::new(3)];
    let forwarded: Vec<_> = outs
        .iter()
        .map(|c| {
            let rx = c.receiver();
            thread::spawn(move || rx.iter().map(|m| m.check()).sum::<u64>())
        })
        .collect();
    let (o0, o1) = (outs[0].sender(), outs[1].sender());
    while open.iter().any(|&o| o) {
        let pick = |i: usize| {
            if open[i] {
                inputs[i].receiver()
            } else {
                nil.receiver()
            }
        };
        let (a, b, c) = (pick(0), pick(1), pick(2));
        let mut got = None;
        select! {
            v = <-a => match v { Some(m) => got = Some(m), None => open[0] = false },
            v = <-b => match v { Some(m) => got = Some(m), None => open[1] = false },
            v = <-c => match v { Some(m) => got = Some(m), None => open[2] = false },
        }
        if let Some(m) = got {
            n += 1;
            sum += m.from * 1_000_000 + m.seq;
            let copy = Msg::new(m.from, m.seq);
            select! {
                o0 <- m => {}
                o1 <- copy => {}
            }
        }
    }
    o0.close();
    o1.close();
    join_all(producers);
    let forwarded_sum: u64 = join_all(forwarded).into_iter().sum();
    assert_eq!(n, 3 * PER);
    assert_eq!(sum, expected_sum(3, PER));
    assert_eq!(
        forwarded_sum, sum,
        "a value was lost or doubled in the send select"
    );
}

#[test]
fn select_timeouts_on_plain_threads() {
    // Nobody sends: the timeout arm fires, and nothing is received.
    let idle = Chan::<Msg>::new(0);
    let timed_out;
    select! {
        v = <-idle => panic!("nothing was sent, got {v:?}"),
        <-time::after(ms(5)) => { timed_out = true; }
    }
    assert!(timed_out);

    // A slow producer: each receive is a select with a timeout, so some
    // attempts time out, and no value is lost or received twice.
    let c = Chan::<Msg>::new(0);
    let tx = c.sender();
    let producer = thread::spawn(move || {
        for seq in 0..50 {
            if seq % 10 == 0 {
                time::sleep(ms(2)); // a plain thread: sleeps the thread
            }
            tx.send(Msg::new(4, seq)).unwrap();
        }
        tx.close();
    });
    let (mut sum, mut n) = (0u64, 0u64);
    loop {
        let mut open = true;
        select! {
            v = <-c => match v {
                Some(m) => { sum += m.check(); n += 1; }
                None => open = false,
            },
            <-time::after(Duration::from_micros(300)) => {}
        }
        if !open {
            break;
        }
    }
    producer.join().unwrap();
    assert_eq!((n, sum), (50, expected_sum(5, 50) - expected_sum(4, 50)));

    // A send arm against a timeout: the receiver takes every value, late.
    let c = Chan::<Msg>::new(0);
    let rx = c.receiver();
    let receiver = thread::spawn(move || {
        let mut sum = 0;
        for m in &rx {
            sum += m.check();
            if m.seq % 8 == 0 {
                thread::sleep(Duration::from_micros(500));
            }
        }
        sum
    });
    for seq in 0..40 {
        loop {
            let mut sent = false;
            select! {
                c <- Msg::new(6, seq) => { sent = true; }
                <-time::after(Duration::from_micros(200)) => {}
            }
            if sent {
                break;
            }
        }
    }
    c.close();
    assert_eq!(
        receiver.join().unwrap(),
        expected_sum(7, 40) - expected_sum(6, 40)
    );
    // The timers ran on the global runtime's workers, as timers: not one
    // goroutine was started for them.
    assert_eq!(goru::runtime::num_goroutine(), 0);
}

#[test]
fn timers_stopped_and_reset_from_threads() {
    let t = time::new_timer(secs(3600));
    assert!(t.stop(), "a pending timer stops");
    let t = time::new_timer(secs(3600));
    t.reset(ms(1));
    assert!(t.c.recv().is_some(), "a reset timer fires");
    let ticker = time::new_ticker(ms(1));
    for _ in 0..3 {
        assert!(ticker.c.recv().is_some());
    }
    ticker.stop();
}

// ---------------------------------------------------------------- sync

#[test]
fn mutex_guards_plain_data() {
    const THREADS: usize = 4;
    const PER: usize = 2_000;
    let m = Arc::new(Mutex::new(Vec::<usize>::new()));
    let hs: Vec<_> = (0..THREADS)
        .map(|t| {
            let m = m.clone();
            thread::spawn(move || {
                for i in 0..PER {
                    if i % 3 == 0 {
                        // try_lock's success path must order the data too.
                        if let Some(mut g) = m.try_lock() {
                            g.push(t * PER + i);
                            continue;
                        }
                    }
                    m.lock().push(t * PER + i);
                }
            })
        })
        .collect();
    join_all(hs);
    let mut v = Arc::try_unwrap(m).unwrap().into_inner();
    v.sort_unstable();
    assert_eq!(v, (0..THREADS * PER).collect::<Vec<_>>());
}

#[test]
fn rwmutex_readers_see_whole_writes() {
    // Two plain fields a writer changes together; readers must never see
    // them differ.
    let m = Arc::new(RwMutex::new((0u64, 0u64)));
    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let (m, stop) = (m.clone(), stop.clone());
            thread::spawn(move || {
                let mut reads = 0u64;
                while !stop.load(SeqCst) || reads == 0 {
                    let g = m.read();
                    assert_eq!(g.0, g.1, "a reader saw half a write");
                    reads += 1;
                    drop(g);
                    if let Some(g) = m.try_read() {
                        assert_eq!(g.0, g.1);
                    }
                }
                reads
            })
        })
        .collect();
    let writers: Vec<_> = (0..2)
        .map(|_| {
            let m = m.clone();
            thread::spawn(move || {
                for i in 0..1_000u64 {
                    let mut g = if i % 4 == 0 {
                        match m.try_write() {
                            Some(g) => g,
                            None => m.write(),
                        }
                    } else {
                        m.write()
                    };
                    g.0 += 1;
                    g.1 += 1;
                }
            })
        })
        .collect();
    join_all(writers);
    stop.store(true, SeqCst);
    assert!(join_all(readers).iter().all(|&r| r > 0));
    assert_eq!(*m.read(), (2_000, 2_000));
}

#[test]
fn waitgroup_orders_the_workers_writes_before_wait() {
    const WORKERS: usize = 8;
    for round in 0..20u64 {
        let wg = WaitGroup::new();
        // Written by each worker before done(), read after wait(), with
        // nothing but the WaitGroup between.
        let slots: Arc<Vec<Unsynced<Vec<u64>>>> =
            Arc::new((0..WORKERS).map(|_| Unsynced::new(Vec::new())).collect());
        let done = wg.wait_chan();
        for w in 0..WORKERS {
            wg.add(1);
            let (wg, slots) = (wg.clone(), slots.clone());
            thread::spawn(move || {
                // SAFETY: slot `w` is this worker's alone until its done();
                // the waiters read it only after wait() returns.
                unsafe { slots[w].with(|s| s.extend(0..=round + w as u64)) };
                wg.done();
            });
        }
        // A second waiter, on another thread.
        let (wg2, slots2) = (wg.clone(), slots.clone());
        let other = thread::spawn(move || {
            wg2.wait();
            // SAFETY: every worker is done; the slots are only read now.
            (0..WORKERS)
                .map(|w| unsafe { slots2[w].with(|s| s.len()) })
                .sum::<usize>()
        });
        wg.wait();
        assert_eq!(done.recv(), None, "wait_chan is closed at zero");
        for w in 0..WORKERS {
            // SAFETY: as above.
            let len = unsafe { slots[w].with(|s| s.len()) };
            assert_eq!(len as u64, round + w as u64 + 1);
        }
        let lens = other.join().unwrap() as u64;
        assert_eq!(
            lens,
            (0..WORKERS as u64).map(|w| round + w + 1).sum::<u64>()
        );
    }
}

#[test]
fn once_runs_once_and_publishes_its_writes() {
    for _ in 0..50 {
        let once = Arc::new(Once::new());
        let data = Arc::new(Unsynced::new(Vec::<u64>::new()));
        let cell = Arc::new(OnceCell::<Vec<u64>>::new());
        let runs = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..4)
            .map(|_| {
                let (once, data, cell, runs) =
                    (once.clone(), data.clone(), cell.clone(), runs.clone());
                thread::spawn(move || {
                    once.call_once(|| {
                        runs.fetch_add(1, Relaxed);
                        // SAFETY: only the one call that runs writes; every
                        // other access follows its call_once.
                        unsafe { data.with(|d| d.extend(0..64)) };
                    });
                    assert!(once.is_done());
                    // SAFETY: after call_once returned, the data is only read.
                    let a = unsafe { data.with(|d| d.iter().sum::<u64>()) };
                    let b = cell.get_or_init(|| (0..64).collect()).iter().sum::<u64>();
                    (a, b)
                })
            })
            .collect();
        assert!(
            join_all(hs)
                .iter()
                .all(|&s| s == (64 * 63 / 2, 64 * 63 / 2))
        );
        assert_eq!(runs.load(Relaxed), 1);
    }
}

#[test]
fn cond_hands_queued_work_to_waiting_threads() {
    const ITEMS: u64 = 2_000;
    struct Queue {
        items: Vec<u64>,
        closed: bool,
    }
    let shared = Arc::new((
        Mutex::new(Queue {
            items: Vec::new(),
            closed: false,
        }),
        Cond::new(),
    ));
    let consumers: Vec<_> = (0..3)
        .map(|_| {
            let shared = shared.clone();
            thread::spawn(move || {
                let (queue, cond) = &*shared;
                let mut sum = 0u64;
                let mut q = queue.lock();
                loop {
                    if let Some(v) = q.items.pop() {
                        sum += v;
                        continue;
                    }
                    if q.closed {
                        return sum;
                    }
                    q = cond.wait(q);
                }
            })
        })
        .collect();
    let (queue, cond) = &*shared;
    for i in 0..ITEMS {
        queue.lock().items.push(i);
        if i % 2 == 0 {
            cond.signal();
        } else {
            cond.broadcast();
        }
    }
    queue.lock().closed = true;
    cond.broadcast();
    let total: u64 = join_all(consumers).into_iter().sum();
    assert_eq!(total, ITEMS * (ITEMS - 1) / 2);

    // wait_while: a thread waits for a flag another thread sets.
    let pair = Arc::new((Mutex::new(false), Cond::new()));
    let p2 = pair.clone();
    let waiter = thread::spawn(move || {
        let (flag, cond) = &*p2;
        let g = cond.wait_while(flag.lock(), |ready| !*ready);
        assert!(*g);
    });
    thread::sleep(Duration::from_millis(1));
    *pair.0.lock() = true;
    pair.1.broadcast();
    waiter.join().unwrap();
}

#[test]
fn semaphore_bounds_and_orders_its_holders() {
    const SIZE: u64 = 5;
    let sem = Arc::new(Semaphore::new(SIZE));
    // Relaxed: counts units only, so it adds no ordering TSan could credit
    // to the semaphore.
    let in_use = Arc::new(AtomicUsize::new(0));
    // Touched only by a holder of every unit: the semaphore alone orders it.
    let exclusive = Arc::new(Unsynced::new(0u64));
    let hs: Vec<_> = (0..4u64)
        .map(|t| {
            let (sem, in_use, exclusive) = (sem.clone(), in_use.clone(), exclusive.clone());
            thread::spawn(move || {
                for i in 0..500u64 {
                    let n = 1 + (t + i) % SIZE;
                    if !(i % 5 == 0 && sem.try_acquire(n)) {
                        sem.acquire(n);
                    }
                    let now = in_use.fetch_add(n as usize, Relaxed) + n as usize;
                    assert!(now as u64 <= SIZE, "{now} units in use of {SIZE}");
                    if n == SIZE {
                        // SAFETY: this thread holds every unit.
                        unsafe { exclusive.with(|c| *c += 1) };
                    }
                    in_use.fetch_sub(n as usize, Relaxed);
                    sem.release(n);
                }
            })
        })
        .collect();
    join_all(hs);
    assert!(sem.try_acquire(SIZE), "every unit came back");
    // SAFETY: every thread has been joined.
    assert_eq!(unsafe { exclusive.with(|c| *c) }, 4 * 100);
    sem.release(SIZE);
}

// ------------------------------------------------------------- context

#[test]
fn cancel_reaches_threads_blocked_on_done_and_in_select() {
    let (root, cancel) = context::with_cancel(&context::background());
    let (child, _child_cancel) = context::with_cancel(&root);
    let (deadline_child, deadline_cancel) = context::with_timeout(&child, secs(3600));
    let valued = context::with_value(&deadline_child, 42u32);
    let work = Chan::<Msg>::new(0); // never sent on
    let ready = Arc::new(AtomicUsize::new(0));
    let mut hs = Vec::new();
    for i in 0..6 {
        let (ctx, work, ready) = (valued.clone(), work.receiver(), ready.clone());
        hs.push(thread::spawn(move || {
            ready.fetch_add(1, SeqCst);
            if i % 2 == 0 {
                assert_eq!(ctx.done().recv(), None);
            } else {
                select! {
                    <-ctx.done() => {}
                    v = <-work => panic!("nothing is sent on work, got {v:?}"),
                }
            }
            assert_eq!(ctx.value::<u32>(), Some(&42));
            ctx.err()
        }));
    }
    while ready.load(SeqCst) < 6 {
        thread::yield_now();
    }
    let canceller = thread::spawn(move || cancel.cancel());
    canceller.join().unwrap();
    for h in hs {
        assert_eq!(h.join().unwrap(), Some(ContextError::Canceled));
    }
    assert_eq!(child.err(), Some(ContextError::Canceled));
    // The deadline's timer was stopped by the cancellation, so it never
    // fires (its firing would start a goroutine).
    deadline_cancel.cancel();
    assert_eq!(deadline_child.err(), Some(ContextError::Canceled));

    // A deadline already past cancels at once, with no timer.
    let (late, _c) = context::with_deadline(&context::background(), Instant::now());
    assert_eq!(late.err(), Some(ContextError::DeadlineExceeded));
    assert_eq!(late.done().recv(), None);
    assert_eq!(goru::runtime::num_goroutine(), 0);
}

#[test]
fn concurrent_cancels_and_child_creation() {
    for _ in 0..50 {
        let (root, cancel) = context::with_cancel(&context::background());
        let makers: Vec<_> = (0..3)
            .map(|_| {
                let root = root.clone();
                thread::spawn(move || {
                    // Children made while the parent is being cancelled are
                    // cancelled too, whichever comes first.
                    let kids: Vec<_> = (0..20).map(|_| context::with_cancel(&root)).collect();
                    for (kid, _) in &kids {
                        assert_eq!(kid.done().recv(), None);
                        assert_eq!(kid.err(), Some(ContextError::Canceled));
                    }
                })
            })
            .collect();
        let cancels: Vec<_> = (0..2)
            .map(|_| {
                let cancel = cancel.clone();
                thread::spawn(move || cancel.cancel())
            })
            .collect();
        join_all(cancels);
        join_all(makers);
        assert_eq!(root.err(), Some(ContextError::Canceled));
    }
}
