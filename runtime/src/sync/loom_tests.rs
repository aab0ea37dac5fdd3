//! loom models of the wake-ups in sync: the raw channel lock, Mutex (its
//! spinning, parking and starvation hand-off, on the semaphore) and
//! WaitGroup. The critical sections use relaxed loom atomics, so a lock or
//! wait that did not order them would let loom return a stale value and
//! fail the count. Run by scripts/loom.sh.

use std::sync::Arc;

use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;

use super::{Mutex, WaitGroup};
use crate::util::lock::RawLock;
use crate::util::prim::model;

/// A read-modify-write made of a relaxed load and store: correct only if
/// the caller excludes other threads and orders itself after them.
fn bump(counter: &AtomicUsize) {
    let v = counter.load(Ordering::Relaxed);
    counter.store(v + 1, Ordering::Relaxed);
}

#[test]
fn loom_raw_lock_excludes_and_orders() {
    model(|| {
        let lock = Arc::new(RawLock::new());
        let counter = Arc::new(AtomicUsize::new(0));
        let others: Vec<_> = (0..2)
            .map(|_| {
                let (lock, counter) = (lock.clone(), counter.clone());
                thread::spawn(move || {
                    lock.lock();
                    bump(&counter);
                    // SAFETY: locked just above.
                    unsafe { lock.unlock() };
                })
            })
            .collect();
        for t in others {
            t.join().unwrap();
        }
        assert_eq!(counter.load(Ordering::Relaxed), 2);
    });
}

#[test]
fn loom_mutex_excludes_and_wakes() {
    // Three lockers: some spin, some park on the semaphore, and with the
    // logical clock some wait long enough to put the mutex in starvation
    // mode, where unlock hands it to the first waiter.
    model(|| {
        let mu = Arc::new(Mutex::new(()));
        let counter = Arc::new(AtomicUsize::new(0));
        let others: Vec<_> = (0..2)
            .map(|_| {
                let (mu, counter) = (mu.clone(), counter.clone());
                thread::spawn(move || {
                    let _g = mu.lock();
                    bump(&counter);
                })
            })
            .collect();
        {
            let _g = mu.lock();
            bump(&counter);
        }
        for t in others {
            t.join().unwrap();
        }
        assert_eq!(counter.load(Ordering::Relaxed), 3);
        assert!(mu.try_lock().is_some(), "the mutex ends unlocked");
    });
}

#[test]
fn loom_waitgroup_wait_sees_every_done() {
    model(|| {
        let wg = WaitGroup::new();
        let finished = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
        wg.add(2);
        let doers: Vec<_> = (0..2)
            .map(|i| {
                let (wg, finished) = (wg.clone(), finished.clone());
                thread::spawn(move || {
                    finished[i].store(1, Ordering::Relaxed);
                    wg.done();
                })
            })
            .collect();
        wg.wait();
        // Relaxed: only the WaitGroup orders the stores before these loads.
        assert_eq!(finished[0].load(Ordering::Relaxed), 1);
        assert_eq!(finished[1].load(Ordering::Relaxed), 1);
        for d in doers {
            d.join().unwrap();
        }
    });
}

#[test]
fn loom_waitgroup_two_waiters_both_released() {
    model(|| {
        let wg = WaitGroup::new();
        wg.add(1);
        let w = wg.clone();
        let waiter = thread::spawn(move || w.wait());
        let d = wg.clone();
        let doer = thread::spawn(move || d.done());
        wg.wait();
        waiter.join().unwrap();
        doer.join().unwrap();
    });
}
