//! Go's sync package on goroutines: exact counts under contention, the
//! properties each primitive promises (writer preference, exactly-once,
//! wake-all, bounded admission) and Go's misuse panics. No timing
//! assertions: ordering and totals only.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};

use goru::prelude::*;
use goru::sync::{Cond, Lazy, Mutex, Once, OnceCell, RwMutex, Semaphore};

goru! {
    #[goru::test]
    fn mutex_counts_exactly_under_contention() {
        // 1,000 goroutines x 1,000 increments.
        let counter = Arc::new(Mutex::new(0u64));
        let wg = WaitGroup::new();
        for _ in 0..1000 {
            wg.add(1);
            let (counter, wg) = (counter.clone(), wg.clone());
            go! {
                defer!(wg.done());
                for i in 0..1000 {
                    *counter.lock() += 1;
                    if i % 100 == 0 {
                        goru::runtime::gosched(); // interleave holders
                    }
                }
            };
        }
        wg.wait();
        assert_eq!(*counter.lock(), 1_000_000);
    }

    #[goru::test]
    fn mutex_guard_held_across_a_park() {
        // A holder that parks (on a channel) keeps others out meanwhile.
        let m = Arc::new(Mutex::new(Vec::new()));
        let step = chan![()];
        let (m2, s2) = (m.clone(), step.clone());
        let holder = spawn(move || {
            let mut g = m2.lock();
            g.push("holder in");
            <-s2;                 // park while holding the lock
            g.push("holder out");
        });
        while m.try_lock().is_some() {
            goru::runtime::gosched();
        }
        let (m3, done) = (m.clone(), chan![()]);
        let d = done.clone();
        go! {
            m3.lock().push("waiter");
            d.close();
        };
        step <- ();
        <-done;
        holder.join().unwrap();
        assert_eq!(*m.lock(), ["holder in", "holder out", "waiter"]);
    }

    #[goru::test]
    fn starvation_mode_lets_a_waiter_in_past_a_greedy_holder() {
        // Go's TestMutexFairness: a holder that re-locks at once after
        // unlocking would win every race against a woken waiter; after 1 ms
        // of waiting the mutex hands itself to the waiter instead. The hog
        // runs on goru's blocking pool, so it cannot hold up this
        // goroutine's worker, and goru knows it may wake goroutines.
        let m = Arc::new(Mutex::new(()));
        let stop = Arc::new(AtomicBool::new(false));
        let (m2, stop2) = (m.clone(), stop.clone());
        let hog = spawn(move || {
            goru::blocking(move || {
                while !stop2.load(SeqCst) {
                    let _g = m2.lock();
                    let t = std::time::Instant::now();
                    while t.elapsed() < std::time::Duration::from_micros(100) {
                        std::hint::spin_loop();
                    }
                }
            })
        });
        for _ in 0..10 {
            time::sleep(time::us(100));
            drop(m.lock()); // finishes: the test would hang otherwise
        }
        stop.store(true, SeqCst);
        hog.join().unwrap();
    }

    #[goru::test]
    fn try_lock_fails_while_locked() {
        let m = Mutex::new(1);
        let g = m.lock();
        assert!(m.try_lock().is_none());
        drop(g);
        assert_eq!(*m.try_lock().unwrap(), 1);
    }

    #[goru::test]
    fn rwmutex_readers_never_see_a_torn_write() {
        let pair = Arc::new(RwMutex::new((0u64, 0u64)));
        let stop = Arc::new(AtomicBool::new(false));
        let torn = Arc::new(AtomicUsize::new(0));
        let wg = WaitGroup::new();
        for _ in 0..8 {
            wg.add(1);
            let (pair, stop, torn, wg) = (pair.clone(), stop.clone(), torn.clone(), wg.clone());
            go! {
                defer!(wg.done());
                while !stop.load(SeqCst) {
                    let g = pair.read();
                    if g.0 != g.1 {
                        torn.fetch_add(1, SeqCst);
                    }
                    drop(g);
                    goru::runtime::gosched();
                }
            };
        }
        for i in 1..=2000u64 {
            let mut g = pair.write();
            g.0 = i;
            goru::runtime::gosched(); // readers run while the write is half done
            g.1 = i;
        }
        stop.store(true, SeqCst);
        wg.wait();
        assert_eq!(torn.load(SeqCst), 0);
        assert_eq!(*pair.read(), (2000, 2000));
    }

    #[goru::test]
    fn rwmutex_waiting_writer_blocks_new_readers() {
        let lock = Arc::new(RwMutex::new(0));
        let first_reader = lock.read();
        // A writer arrives and waits for the reader already inside.
        let (l, writer_in) = (lock.clone(), chan![(); 1]);
        let w_in = writer_in.clone();
        go! {
            *l.write() += 1;
            w_in <- ();
        };
        while lock.try_write().is_some() || lock.try_read().is_some() {
            // Until the writer is pending, a new reader would still get in.
            goru::runtime::gosched();
        }
        // Readers keep arriving, but none gets in past the pending writer.
        assert!(lock.try_read().is_none());
        drop(first_reader);
        <-writer_in;
        assert_eq!(*lock.read(), 1);
    }

    #[goru::test]
    fn writer_gets_in_while_readers_keep_arriving() {
        let lock = Arc::new(RwMutex::new(0u32));
        let stop = Arc::new(AtomicBool::new(false));
        let wg = WaitGroup::new();
        for _ in 0..16 {
            wg.add(1);
            let (lock, stop, wg) = (lock.clone(), stop.clone(), wg.clone());
            go! {
                defer!(wg.done());
                while !stop.load(SeqCst) {
                    let _r = lock.read();
                    goru::runtime::gosched(); // overlap readers
                }
            };
        }
        for _ in 0..100 {
            *lock.write() += 1; // must not starve
        }
        stop.store(true, SeqCst);
        wg.wait();
        assert_eq!(*lock.read(), 100);
    }

    #[goru::test]
    fn waitgroup_with_100_000_goroutines() {
        let wg = WaitGroup::new();
        let count = Arc::new(AtomicUsize::new(0));
        for i in 0..100_000 {
            if i % 1000 == 0 {
                goru::runtime::gosched(); // a long loop: let the worker breathe
            }
            wg.add(1);
            let (wg, count) = (wg.clone(), count.clone());
            go! {
                count.fetch_add(1, SeqCst);
                wg.done();
            };
        }
        wg.wait();
        assert_eq!(count.load(SeqCst), 100_000);
    }

    #[goru::test]
    fn waitgroup_wait_chan_in_select() {
        let wg = WaitGroup::new();
        wg.add(2);
        let done = wg.wait_chan();
        select! {
            <-done => { panic!("closed before the counter reached zero"); }
            default => {}
        }
        let w = wg.clone();
        go! { w.done(); w.done(); };
        select! {
            <-done => {}
            <-time::after(secs(30)) => { panic!("never closed"); }
        }
        // At zero already: closed at once.
        select! {
            <-wg.wait_chan() => {}
            default => { panic!("counter is zero"); }
        }
    }

    #[goru::test]
    fn once_runs_exactly_once_under_64_racing_goroutines() {
        let once = Arc::new(Once::new());
        let runs = Arc::new(AtomicUsize::new(0));
        let after = Arc::new(AtomicUsize::new(0));
        let wg = WaitGroup::new();
        for _ in 0..64 {
            wg.add(1);
            let (once, runs, after, wg) = (once.clone(), runs.clone(), after.clone(), wg.clone());
            go! {
                once.call_once(|| {
                    goru::runtime::gosched(); // others arrive meanwhile
                    runs.fetch_add(1, SeqCst);
                });
                // Everyone returns only after the call completed.
                assert_eq!(runs.load(SeqCst), 1);
                after.fetch_add(1, SeqCst);
                wg.done();
            };
        }
        wg.wait();
        assert_eq!(runs.load(SeqCst), 1);
        assert_eq!(after.load(SeqCst), 64);
    }

    #[goru::test]
    fn once_counts_as_done_after_a_panic_like_go() {
        let once = Once::new();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            once.call_once(|| panic!("setup failed"));
        }));
        assert!(r.is_err());
        let mut ran = false;
        once.call_once(|| ran = true);
        assert!(!ran && once.is_done());
    }

    #[goru::test]
    fn once_cell_and_lazy_initialise_once() {
        static CELL: OnceCell<usize> = OnceCell::new();
        static CALLS: AtomicUsize = AtomicUsize::new(0);
        static LAZY: Lazy<usize> = Lazy::new(|| {
            CALLS.fetch_add(1, SeqCst);
            7
        });
        let wg = WaitGroup::new();
        for i in 0..32 {
            wg.add(1);
            let wg = wg.clone();
            go! {
                let v = *CELL.get_or_init(|| { goru::runtime::gosched(); i });
                assert_eq!(CELL.get(), Some(&v));
                assert_eq!(*LAZY, 7);
                wg.done();
            };
        }
        wg.wait();
        assert_eq!(CALLS.load(SeqCst), 1);
    }

    #[goru::test]
    fn cond_broadcast_wakes_all_1000_waiters() {
        let state = Arc::new((Mutex::new((false, 0usize)), Cond::new()));
        let woke = WaitGroup::new();
        let parked = Arc::new(AtomicUsize::new(0));
        for _ in 0..1000 {
            woke.add(1);
            let (state, woke, parked) = (state.clone(), woke.clone(), parked.clone());
            go! {
                let (m, cond) = &*state;
                let mut g = m.lock();
                parked.fetch_add(1, SeqCst);
                g = cond.wait_while(g, |s| !s.0);
                g.1 += 1;
                drop(g);
                woke.done();
            };
        }
        while parked.load(SeqCst) < 1000 {
            goru::runtime::gosched();
        }
        let (m, cond) = &*state;
        m.lock().0 = true;
        cond.broadcast();
        woke.wait();
        assert_eq!(m.lock().1, 1000);
    }

    #[goru::test]
    fn cond_signal_wakes_one_at_a_time() {
        let state = Arc::new((Mutex::new(0usize), Cond::new()));
        let served = chan![usize; 3];
        for _ in 0..3 {
            let (state, served) = (state.clone(), served.sender());
            go! {
                let (m, cond) = &*state;
                let mut g = m.lock();
                while *g == 0 {
                    g = cond.wait(g);
                }
                *g -= 1;
                drop(g);
                served <- 1;
            };
        }
        let (m, cond) = &*state;
        for _ in 0..3 {
            *m.lock() += 1;
            cond.signal();
            assert_eq!(<-served, Some(1));
        }
    }

    #[goru::test]
    fn semaphore_never_admits_more_than_its_weight() {
        let sem = Arc::new(Semaphore::new(3));
        let inside = Arc::new(AtomicUsize::new(0));
        let max_seen = Arc::new(AtomicUsize::new(0));
        let wg = WaitGroup::new();
        for i in 0..200u64 {
            wg.add(1);
            let (sem, inside, max_seen, wg) = (sem.clone(), inside.clone(), max_seen.clone(), wg.clone());
            let weight = 1 + i % 2; // mixed weights of 1 and 2
            go! {
                sem.acquire(weight);
                let now = inside.fetch_add(weight as usize, SeqCst) + weight as usize;
                max_seen.fetch_max(now, SeqCst);
                goru::runtime::gosched();
                inside.fetch_sub(weight as usize, SeqCst);
                sem.release(weight);
                wg.done();
            };
        }
        wg.wait();
        let max = max_seen.load(SeqCst);
        assert!(max <= 3, "{max} units inside a semaphore of 3");
        assert!(max >= 2, "the semaphore admitted concurrent holders");
        assert!(sem.try_acquire(3));
    }

    #[goru::test]
    fn semaphore_is_fifo_for_large_requests() {
        let sem = Arc::new(Semaphore::new(4));
        sem.acquire(3);
        let order = chan![&'static str; 2];
        let (s, o) = (sem.clone(), order.sender());
        go! { s.acquire(4); o <- "large"; s.release(4); };
        while sem.try_acquire(1) {
            // Until the large request queues, one unit is free.
            sem.release(1);
            goru::runtime::gosched();
        }
        // A small request arriving after the large one waits behind it.
        let (s, o) = (sem.clone(), order.sender());
        go! { s.acquire(1); o <- "small"; s.release(1); };
        sem.release(3);
        assert_eq!(<-order, Some("large"));
        assert_eq!(<-order, Some("small"));
    }
}

#[test]
fn negative_waitgroup_counter_panics_with_gos_message() {
    let wg = WaitGroup::new();
    let r = std::panic::catch_unwind(|| wg.done());
    let msg = r.unwrap_err().downcast_ref::<&str>().copied();
    assert_eq!(msg, Some("sync: negative WaitGroup counter"));
}

#[test]
fn semaphore_release_more_than_held_panics() {
    let sem = Semaphore::new(2);
    sem.acquire(1);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sem.release(2)));
    assert!(r.is_err());
}

#[test]
fn mutex_between_plain_threads_and_goroutines() {
    // Plain threads block; goroutines park; both see one lock.
    let counter = Arc::new(Mutex::new(0u64));
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let c = counter.clone();
            std::thread::spawn(move || {
                for _ in 0..20_000 {
                    *c.lock() += 1;
                }
            })
        })
        .collect();
    let c = counter.clone();
    common::run(2, move || {
        let wg = WaitGroup::new();
        for _ in 0..4 {
            wg.add(1);
            let (c, wg) = (c.clone(), wg.clone());
            goru::go(move || {
                for _ in 0..10_000 {
                    *c.lock() += 1;
                }
                wg.done();
            });
        }
        wg.wait();
    });
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(*counter.lock(), 80_000);
}

#[test]
fn waitgroup_wait_from_a_plain_thread() {
    let wg = WaitGroup::new();
    wg.add(3);
    let w = wg.clone();
    let waiter = std::thread::spawn(move || w.wait());
    for _ in 0..3 {
        let w = wg.clone();
        std::thread::spawn(move || w.done());
    }
    waiter.join().unwrap();
}

/// A runtime shutting down unwinds goroutines parked on a mutex held by a
/// plain thread; their waiters live on the unwound stacks, so the thread's
/// later unlock must not reach them (it used to write through them).
#[test]
fn shutdown_unwinds_goroutines_parked_on_sync_primitives() {
    let m = Arc::new(Mutex::new(()));
    let sem = Arc::new(Semaphore::new(1));
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let (m2, sem2) = (m.clone(), sem.clone());
    let holder = std::thread::spawn(move || {
        let g = m2.lock();
        sem2.acquire(1);
        held_tx.send(()).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
        drop(g);
        sem2.release(1);
    });
    held_rx.recv().unwrap();
    {
        let runtime = goru::Builder::new()
            .workers(2)
            .detect_deadlock(false)
            .build();
        let (m3, sem3) = (m.clone(), sem.clone());
        runtime.block_on(move || {
            for i in 0..8 {
                let (m, sem) = (m3.clone(), sem3.clone());
                goru::go(move || {
                    if i % 2 == 0 {
                        drop(m.lock());
                    } else {
                        sem.acquire(1);
                        sem.release(1);
                    }
                });
            }
            time::sleep(time::ms(50)); // let them park
        });
        // Dropping the runtime unwinds the 8 parked goroutines.
    }
    holder.join().unwrap();
    drop(m.lock());
    assert!(sem.try_acquire(1), "no unit was lost");
}
