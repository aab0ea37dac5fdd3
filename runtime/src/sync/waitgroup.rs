//! `sync::WaitGroup`: Go's sync.WaitGroup, as a cloneable handle.
//!
//! Go's algorithm (`sync/waitgroup.go`): one 64-bit word holds the counter
//! (high half) and the number of waiters (low half); when the counter drops
//! to zero with waiters present, the word is reset and each waiter gets a
//! semaphore unit. For select, `wait_chan()` gives a channel closed at zero.

use std::sync::Arc;

use super::sema::Sema;
use crate::chan::{Chan, Receiver};
use crate::sched::WaitReason;
use crate::util::prim::{AtomicBool, AtomicU64, Ordering};

struct Inner {
    /// counter << 32 | waiters.
    state: AtomicU64,
    sema: Sema,
    /// Channels from `wait_chan`, closed when the counter reaches zero.
    notify: std::sync::Mutex<Vec<Chan<()>>>,
    has_notify: AtomicBool,
}

/// Go's `sync.WaitGroup`: waits for a collection of goroutines to finish.
/// Cloning gives another handle to the same group (pass one to each
/// goroutine, as Go passes `&wg`).
///
/// ```
/// use goru::sync::WaitGroup;
///
/// goru::run(|| {
///     let wg = WaitGroup::new();
///     for i in 0..3 {
///         wg.add(1);
///         let wg = wg.clone();
///         goru::go(move || {
///             let _ = i * i;          // work
///             wg.done();              // defer wg.Done()
///         });
///     }
///     wg.wait();                      // like Promise.all: all three are done
/// });
/// ```
#[derive(Clone)]
pub struct WaitGroup {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for WaitGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitGroup")
            .field("counter", &self.counter())
            .finish()
    }
}

impl Default for WaitGroup {
    fn default() -> Self {
        Self::new()
    }
}

impl WaitGroup {
    /// A group with counter zero.
    ///
    /// Go: `var wg sync.WaitGroup`.
    ///
    /// ```
    /// use goru::sync::WaitGroup;
    ///
    /// let wg = WaitGroup::new();
    /// wg.wait();                             // counter zero: returns at once
    /// ```
    pub fn new() -> Self {
        WaitGroup {
            inner: Arc::new(Inner {
                state: AtomicU64::new(0),
                sema: Sema::new(0),
                notify: std::sync::Mutex::new(Vec::new()),
                has_notify: AtomicBool::new(false),
            }),
        }
    }

    fn counter(&self) -> i32 {
        (self.inner.state.load(Ordering::SeqCst) >> 32) as i32
    }

    /// Adds `delta` (may be negative) to the counter; at zero, releases
    /// everyone waiting. Panics like Go on a negative counter.
    ///
    /// Go: `wg.Add(delta)`; call it before starting the goroutine, as in Go.
    ///
    /// ```
    /// use goru::sync::WaitGroup;
    ///
    /// goru::run(|| {
    ///     let wg = WaitGroup::new();
    ///     wg.add(2);                         // two goroutines to wait for
    ///     for _ in 0..2 {
    ///         let wg = wg.clone();
    ///         goru::go(move || wg.done());
    ///     }
    ///     wg.wait();
    /// });
    /// ```
    #[track_caller]
    pub fn add(&self, delta: isize) {
        let delta = i32::try_from(delta).expect("sync: WaitGroup delta out of range");
        let inner = &*self.inner;
        let state = inner
            .state
            .fetch_add(((delta as i64) << 32) as u64, Ordering::SeqCst)
            .wrapping_add(((delta as i64) << 32) as u64);
        let counter = (state >> 32) as i32;
        let waiters = state as u32;
        if counter < 0 {
            panic!("sync: negative WaitGroup counter");
        }
        if waiters != 0 && delta > 0 && counter == delta {
            panic!("sync: WaitGroup misuse: Add called concurrently with Wait");
        }
        if counter > 0 {
            return;
        }
        if inner.has_notify.load(Ordering::SeqCst) {
            self.close_notify();
        }
        if waiters == 0 {
            return;
        }
        // Counter zero with waiters: nobody may change the state now.
        if inner.state.load(Ordering::SeqCst) != state {
            panic!("sync: WaitGroup misuse: Add called concurrently with Wait");
        }
        inner.state.store(0, Ordering::SeqCst);
        for _ in 0..waiters {
            inner.sema.release(false);
        }
    }

    /// Decrements the counter (Go's `Done`, usually deferred).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// use goru::sync::WaitGroup;
    ///
    /// goru::run(|| {
    ///     let wg = WaitGroup::new();
    ///     let finished = Arc::new(AtomicU32::new(0));
    ///     wg.add(1);
    ///     let (w, f) = (wg.clone(), finished.clone());
    ///     goru::go(move || {
    ///         f.fetch_add(1, Ordering::SeqCst);
    ///         w.done();                      // defer wg.Done()
    ///     });
    ///     wg.wait();
    ///     assert_eq!(finished.load(Ordering::SeqCst), 1);
    /// });
    /// ```
    #[track_caller]
    pub fn done(&self) {
        self.add(-1);
    }

    /// Parks until the counter is zero (Go's `Wait`).
    ///
    /// ```
    /// use goru::sync::{Mutex, WaitGroup};
    /// use std::sync::Arc;
    ///
    /// goru::run(|| {
    ///     let results = Arc::new(Mutex::new(Vec::new()));
    ///     let wg = WaitGroup::new();
    ///     for i in 1..=3 {
    ///         let (results, wg) = (results.clone(), wg.clone());
    ///         wg.add(1);
    ///         goru::go(move || {
    ///             results.lock().push(i * 10);
    ///             wg.done();
    ///         });
    ///     }
    ///     wg.wait();                         // wg.Wait(): all three have pushed
    ///     let mut got = results.lock().clone();
    ///     got.sort();
    ///     assert_eq!(got, [10, 20, 30]);
    /// });
    /// ```
    #[track_caller]
    pub fn wait(&self) {
        let inner = &*self.inner;
        let mut state = inner.state.load(Ordering::SeqCst);
        loop {
            if state >> 32 == 0 {
                return;
            }
            match inner.state.compare_exchange_weak(
                state,
                state + 1,
                Ordering::SeqCst,
                Ordering::SeqCst,
            ) {
                Ok(_) => {
                    inner.sema.acquire(false, WaitReason::SyncWait);
                    if inner.state.load(Ordering::SeqCst) != 0 {
                        panic!("sync: WaitGroup is reused before previous Wait has returned");
                    }
                    return;
                }
                Err(now) => state = now,
            }
        }
    }

    /// A channel closed once the counter is zero, for `select!` (Go code
    /// does this with a goroutine: `go func() { wg.Wait(); close(done) }()`;
    /// here no goroutine is needed).
    ///
    /// ```
    /// use goru::sync::WaitGroup;
    ///
    /// goru::run(|| {
    ///     let wg = WaitGroup::new();
    ///     let done = wg.wait_chan();      // in select!: `<-done => { ... }`
    ///     assert_eq!(done.recv(), None);  // closed: the counter is zero
    /// });
    /// ```
    pub fn wait_chan(&self) -> Receiver<()> {
        let inner = &*self.inner;
        let ch = Chan::new(0);
        let mut notify = inner.notify.lock().unwrap_or_else(|e| e.into_inner());
        // Set before reading the counter; `add` reads it after changing
        // the counter (both SeqCst), so one of them sees the other.
        inner.has_notify.store(true, Ordering::SeqCst);
        if self.counter() == 0 {
            ch.close();
        } else {
            notify.push(ch.clone());
        }
        ch.receiver()
    }

    fn close_notify(&self) {
        let pending = {
            let mut notify = self.inner.notify.lock().unwrap_or_else(|e| e.into_inner());
            if self.counter() != 0 {
                return; // raised again meanwhile: keep them for the next zero
            }
            self.inner.has_notify.store(false, Ordering::SeqCst);
            std::mem::take(&mut *notify)
        };
        for ch in pending {
            ch.close();
        }
    }
}
