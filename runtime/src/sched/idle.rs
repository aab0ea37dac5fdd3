//! Idle workers: which ones sleep, how many spin looking for work, and
//! waking one when work appears. Go's idle-P list and `nmspinning` protocol
//! (proc.go: `wakep`, the spinning dance in `findRunnable`), kept in one
//! place so loom can check it (see `loom_tests` below).
//!
//! The promise: work made visible in a queue is never left behind while
//! every worker sleeps. Two fenced pairs keep it:
//! - A worker going to sleep registers as a sleeper ([`Idle::announce_sleep`],
//!   which ends with a fence) and then looks for work once more before it
//!   sleeps; whoever queues work fences and then wakes a sleeper unless a
//!   worker is spinning ([`Idle::wake_if_idle`]). Either the sleeper sees
//!   the work or the queuer sees the sleeper.
//! - A spinner counts itself while it looks; the last spinner to stop after
//!   finding work wakes a sleeper (more work may follow what it found), and
//!   a spinner that found nothing goes through the sleeper's re-check.
//!
//! A sleeper is woken through its own futex word: `notify` flips it from
//! SLEEPING to NOTIFIED, so a wake-up that lands just before the worker
//! sleeps makes the futex wait return at once. A worker that sleeps in the
//! network poller instead (`netpoll.rs`) is POLLING, and `notify` breaks
//! its epoll wait.

use crossbeam_utils::CachePadded;

use crate::util::futex;
use crate::util::prim::{AtomicU32, AtomicU64, AtomicUsize, Mutex, MutexGuard, Ordering, fence};

const RUNNING: u32 = 0;
const SLEEPING: u32 = 1;
const NOTIFIED: u32 = 2;
/// Asleep in the network poller's epoll wait.
const POLLING: u32 = 3;

pub(crate) struct Idle {
    /// Per worker: RUNNING, SLEEPING or NOTIFIED (its futex word).
    states: Box<[CachePadded<AtomicU32>]>,
    /// Registered sleepers, by worker index.
    sleepers: Mutex<Vec<usize>>,
    /// `sleepers.len()`, readable without the lock.
    num_sleeping: AtomicUsize,
    num_spinning: AtomicUsize,
    /// Bumped (under the sleepers lock) whenever a worker stops sleeping.
    wake_epoch: AtomicU64,
    /// Breaks the poller's epoll wait; set when the runtime's poller is made.
    poll_breaker: std::sync::OnceLock<Box<dyn Fn() + Send + Sync>>,
}

impl Idle {
    pub(crate) fn new(workers: usize) -> Idle {
        Idle {
            states: (0..workers)
                .map(|_| CachePadded::new(AtomicU32::new(RUNNING)))
                .collect(),
            sleepers: Mutex::new(Vec::with_capacity(workers)),
            num_sleeping: AtomicUsize::new(0),
            num_spinning: AtomicUsize::new(0),
            wake_epoch: AtomicU64::new(0),
            poll_breaker: std::sync::OnceLock::new(),
        }
    }

    pub(crate) fn set_poll_breaker(&self, breaker: Box<dyn Fn() + Send + Sync>) {
        let _ = self.poll_breaker.set(breaker);
    }

    // ------------------------------------------------------------ spinning

    pub(crate) fn start_spinning(&self) {
        self.num_spinning.fetch_add(1, Ordering::SeqCst);
    }

    /// Returns whether this was the last spinner.
    pub(crate) fn stop_spinning(&self) -> bool {
        self.num_spinning.fetch_sub(1, Ordering::SeqCst) == 1
    }

    // ------------------------------------------------------------ sleeping

    /// Registers worker `index` as a sleeper. The caller must then look for
    /// work once more, and sleep only if it finds none.
    pub(crate) fn announce_sleep(&self, index: usize) {
        self.states[index].store(SLEEPING, Ordering::SeqCst);
        {
            let mut s = self.lock_sleepers();
            s.push(index);
            self.num_sleeping.store(s.len(), Ordering::SeqCst);
        }
        fence(Ordering::SeqCst);
    }

    /// Sleeps until notified, at most `timeout`; returns at once if a
    /// notification came since `announce_sleep`. May return spuriously.
    pub(crate) fn sleep(&self, index: usize, timeout: Option<std::time::Duration>) {
        futex::wait(&self.states[index], SLEEPING, timeout);
    }

    /// Worker `index`, announced as a sleeper and holding the poller, is
    /// about to sleep in epoll: from now on `notify` breaks that wait.
    /// False if it was notified already (then it must not sleep).
    pub(crate) fn begin_poll_sleep(&self, index: usize) -> bool {
        self.states[index]
            .compare_exchange(SLEEPING, POLLING, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }

    /// Ends worker `index`'s sleep (or its announced intent to sleep).
    pub(crate) fn end_sleep(&self, index: usize) {
        self.states[index].store(RUNNING, Ordering::SeqCst);
        let mut s = self.lock_sleepers();
        if let Some(pos) = s.iter().position(|&i| i == index) {
            s.swap_remove(pos);
        }
        self.wake_epoch.fetch_add(1, Ordering::SeqCst);
        self.num_sleeping.store(s.len(), Ordering::SeqCst);
    }

    // ------------------------------------------------------------- waking

    /// Wakes worker `index` if it sleeps (or is about to).
    #[inline]
    pub(crate) fn notify(&self, index: usize) {
        fence(Ordering::SeqCst);
        let state = &self.states[index];
        let seen = state.load(Ordering::SeqCst);
        let notified = matches!(seen, SLEEPING | POLLING)
            && state
                .compare_exchange(seen, NOTIFIED, Ordering::SeqCst, Ordering::Relaxed)
                .is_ok();
        if notified {
            if seen == SLEEPING {
                futex::wake(state, 1);
            } else if let Some(breaker) = self.poll_breaker.get() {
                breaker();
            }
        }
    }

    /// After queueing shared work: wakes a sleeper below `active` (the
    /// GOMAXPROCS limit) unless a worker is spinning, since a spinner will
    /// find the work (and wake another if it was the last).
    #[inline]
    pub(crate) fn wake_if_idle(&self, active: usize) {
        fence(Ordering::SeqCst);
        if self.num_spinning.load(Ordering::SeqCst) == 0
            && self.num_sleeping.load(Ordering::SeqCst) > 0
        {
            self.wake_one(active);
        }
    }

    /// Wakes one sleeping worker below `active`, the most recent sleeper
    /// first (its caches are warmest). Returns whether there was one.
    #[cold]
    pub(crate) fn wake_one(&self, active: usize) -> bool {
        let target = {
            let mut s = self.lock_sleepers();
            let t = s
                .iter()
                .rposition(|&i| i < active)
                .map(|pos| s.swap_remove(pos));
            self.num_sleeping.store(s.len(), Ordering::SeqCst);
            t
        };
        if let Some(i) = target {
            self.notify(i);
        }
        target.is_some()
    }

    // ------------------------------------------------------------- reading

    pub(crate) fn num_sleeping(&self) -> usize {
        self.num_sleeping.load(Ordering::SeqCst)
    }

    pub(crate) fn wake_epoch(&self) -> u64 {
        self.wake_epoch.load(Ordering::SeqCst)
    }

    /// The registered sleepers, locked: while held, no sleeper can leave
    /// (the deadlock detector's snapshot).
    pub(crate) fn lock_sleepers(&self) -> MutexGuard<'_, Vec<usize>> {
        self.sleepers.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// loom model of the protocol: worker threads that spin, announce, re-check
/// and sleep as `Worker::idle`/`Worker::sleep` do, against a producer that
/// queues work and calls `wake_if_idle`. The queue is a counter with only
/// acquire/release ordering, weaker than the real queues, so the fences
/// here must do the work. A lost wake-up leaves work queued with every
/// worker asleep: loom reports the deadlock.
#[cfg(all(test, loom))]
mod loom_tests {
    use std::sync::Arc;

    use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use loom::sync::{Condvar, Mutex};
    use loom::thread;

    use super::Idle;
    use crate::util::prim::model;

    struct Model {
        idle: Idle,
        queued: AtomicUsize,
        /// Jobs run, and its signal to the producer.
        done: Mutex<usize>,
        done_cv: Condvar,
        shutdown: AtomicBool,
    }

    impl Model {
        fn take(&self) -> bool {
            let mut n = self.queued.load(Ordering::Acquire);
            while n > 0 {
                match self
                    .queued
                    .compare_exchange(n, n - 1, Ordering::Acquire, Ordering::Acquire)
                {
                    Ok(_) => return true,
                    Err(now) => n = now,
                }
            }
            false
        }

        fn finish_job(&self) {
            *self.done.lock().unwrap() += 1;
            self.done_cv.notify_one();
        }

        fn has_work(&self) -> bool {
            self.queued.load(Ordering::Acquire) > 0
        }

        fn run_worker(&self, index: usize, workers: usize) {
            loop {
                if self.take() {
                    self.finish_job();
                    continue;
                }
                // Spin once, as Worker::idle does (a bounded look).
                self.idle.start_spinning();
                let found = self.take();
                if self.idle.stop_spinning() && found {
                    self.idle.wake_if_idle(workers);
                }
                if found {
                    self.finish_job();
                    continue;
                }
                if self.shutdown.load(Ordering::Acquire) {
                    return;
                }
                // Sleep, as Worker::sleep does.
                self.idle.announce_sleep(index);
                if !self.has_work() && !self.shutdown.load(Ordering::Acquire) {
                    self.idle.sleep(index, None);
                }
                self.idle.end_sleep(index);
            }
        }
    }

    fn run(workers: usize, jobs: usize) {
        model(move || {
            let m = Arc::new(Model {
                idle: Idle::new(workers),
                queued: AtomicUsize::new(0),
                done: Mutex::new(0),
                done_cv: Condvar::new(),
                shutdown: AtomicBool::new(false),
            });
            let threads: Vec<_> = (0..workers)
                .map(|i| {
                    let m = m.clone();
                    thread::spawn(move || m.run_worker(i, workers))
                })
                .collect();
            for _ in 0..jobs {
                m.queued.fetch_add(1, Ordering::Release);
                m.idle.wake_if_idle(workers);
            }
            // Every job must run without further help: a lost wake-up
            // leaves this wait and every worker blocked, a deadlock.
            let mut done = m.done.lock().unwrap();
            while *done < jobs {
                done = m.done_cv.wait(done).unwrap();
            }
            drop(done);
            m.shutdown.store(true, Ordering::Release);
            for i in 0..workers {
                m.idle.notify(i);
            }
            for t in threads {
                t.join().unwrap();
            }
        });
    }

    #[test]
    fn loom_idle_one_worker_never_sleeps_through_work() {
        run(1, 2);
    }

    #[test]
    fn loom_idle_two_workers_never_sleep_through_work() {
        run(2, 1);
    }
}
