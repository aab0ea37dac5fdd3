//! `sync::Mutex<T>`: Go's sync.Mutex holding the data it guards, unlocked
//! by dropping the guard.
//!
//! The algorithm is Go's (`sync/mutex.go`): one state word (locked, woken,
//! starving bits and the waiter count) and a semaphore to park on. In
//! normal mode a woken waiter competes with newcomers, which is fast. A
//! waiter that has waited over 1 ms switches the mutex to starvation mode:
//! unlock then hands the mutex straight to the first waiter and newcomers
//! queue behind it, so no waiter waits much past that.

use std::cell::UnsafeCell;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::panic::Location;

use super::sema::Sema;
use crate::sched::WaitReason;
use crate::util::clock;
use crate::util::prim::{AtomicI32, Ordering, const_fn_unless_loom, spin_loop};

const LOCKED: i32 = 1;
const WOKEN: i32 = 2;
const STARVING: i32 = 4;
const WAITER_SHIFT: u32 = 3;
const WAITER: i32 = 1 << WAITER_SHIFT;
/// How long a waiter waits before the mutex turns fair (Go's 1 ms).
const STARVATION_NS: u64 = 1_000_000;
/// Spins before parking, when another thread may be about to unlock.
const SPIN_ROUNDS: u32 = 4;
/// Pause hints per spin round. Under loom each is a yield to explore; one
/// models the path.
const SPIN_PAUSES: u32 = if cfg!(loom) { 1 } else { 30 };

/// The lock word and semaphore of a mutex, without data (also used by
/// `RwMutex` to exclude writers from each other).
pub(crate) struct RawMutex {
    state: AtomicI32,
    sema: Sema,
}

impl RawMutex {
    const_fn_unless_loom! {
        pub(crate) const fn new() -> Self {
            RawMutex {
                state: AtomicI32::new(0),
                sema: Sema::new(0),
            }
        }
    }

    #[inline]
    pub(crate) fn try_lock(&self) -> bool {
        let old = self.state.load(Ordering::Relaxed);
        old & (LOCKED | STARVING) == 0
            && self
                .state
                .compare_exchange(old, old | LOCKED, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
    }

    #[inline]
    #[track_caller]
    pub(crate) fn lock(&self) {
        if self
            .state
            .compare_exchange(0, LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            self.lock_slow(Location::caller());
        }
    }

    #[cold]
    fn lock_slow(&self, at: &'static Location<'static>) {
        let mut wait_start = 0u64;
        let mut starving = false;
        let mut awoke = false;
        let mut spins = 0u32;
        let mut old = self.state.load(Ordering::Relaxed);
        loop {
            // Spin while another thread holds it (not starving): it may
            // unlock any moment, and parking costs more.
            if old & (LOCKED | STARVING) == LOCKED && spins < SPIN_ROUNDS && can_spin() {
                if !awoke
                    && old & WOKEN == 0
                    && old >> WAITER_SHIFT != 0
                    && self
                        .state
                        .compare_exchange(old, old | WOKEN, Ordering::Relaxed, Ordering::Relaxed)
                        .is_ok()
                {
                    // Tell unlock not to wake others: we are about to take it.
                    awoke = true;
                }
                for _ in 0..SPIN_PAUSES {
                    spin_loop();
                }
                spins += 1;
                old = self.state.load(Ordering::Relaxed);
                continue;
            }
            let mut new = old;
            if old & STARVING == 0 {
                new |= LOCKED; // newcomers do not take a starving mutex
            }
            if old & (LOCKED | STARVING) != 0 {
                new += WAITER;
            }
            if starving && old & LOCKED != 0 {
                new |= STARVING;
            }
            if awoke {
                new &= !WOKEN;
            }
            match self
                .state
                .compare_exchange(old, new, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) => {
                    if old & (LOCKED | STARVING) == 0 {
                        return; // locked it
                    }
                    let lifo = wait_start != 0;
                    if wait_start == 0 {
                        wait_start = clock::now();
                    }
                    self.sema.acquire_at(lifo, WaitReason::SyncWait, at);
                    starving = starving || clock::now() - wait_start > STARVATION_NS;
                    old = self.state.load(Ordering::Relaxed);
                    if old & STARVING != 0 {
                        // Handed off to us: the state still counts us as a
                        // waiter and shows it unlocked; fix both.
                        let mut delta = LOCKED - WAITER;
                        if !starving || old >> WAITER_SHIFT == 1 {
                            // Last waiter, or not waiting long: back to
                            // normal mode.
                            delta -= STARVING;
                        }
                        self.state.fetch_add(delta, Ordering::Acquire);
                        return;
                    }
                    awoke = true;
                    spins = 0;
                }
                Err(now) => old = now,
            }
        }
    }

    /// # Safety
    /// The mutex is locked (by the caller's guard).
    #[inline]
    pub(crate) unsafe fn unlock(&self) {
        let new = self.state.fetch_sub(LOCKED, Ordering::Release) - LOCKED;
        if new != 0 {
            self.unlock_slow(new);
        }
    }

    #[cold]
    fn unlock_slow(&self, new: i32) {
        if (new + LOCKED) & LOCKED == 0 {
            panic!("sync: unlock of unlocked mutex");
        }
        if new & STARVING != 0 {
            // Hand the mutex to the first waiter.
            self.sema.release(true);
            return;
        }
        let mut old = new;
        loop {
            // Nobody to wake, or someone already woken / holding it.
            if old >> WAITER_SHIFT == 0 || old & (LOCKED | WOKEN | STARVING) != 0 {
                return;
            }
            let next = (old - WAITER) | WOKEN;
            match self
                .state
                .compare_exchange(old, next, Ordering::Release, Ordering::Relaxed)
            {
                Ok(_) => {
                    self.sema.release(false);
                    return;
                }
                Err(now) => old = now,
            }
        }
    }
}

/// Spinning helps only if the holder runs on another thread.
fn can_spin() -> bool {
    // Under loom there is no runtime to ask; spinning is modelled (each spin
    // yields to the other modelled threads).
    cfg!(loom) || crate::sched::gomaxprocs() > 1
}

/// Go's `sync.Mutex`, holding the data it protects: `lock()` parks the
/// goroutine (never its worker thread) until the mutex is free and returns
/// a guard; dropping the guard unlocks (Go's `defer mu.Unlock()`, always).
///
/// Fair like Go's: a waiter blocked for over 1 ms gets the mutex handed to
/// it. A panic while the guard is held unlocks it; there is no poisoning,
/// as in Go. Works from plain threads too (they block).
///
/// ```
/// use std::sync::Arc;
/// use goru::sync::{Mutex, WaitGroup};
///
/// goru::run(|| {
///     let counter = Arc::new(Mutex::new(0));
///     let wg = WaitGroup::new();
///     for _ in 0..10 {
///         let (counter, wg) = (counter.clone(), wg.clone());
///         wg.add(1);
///         goru::go(move || {
///             *counter.lock() += 1;   // mu.Lock(); count++; mu.Unlock()
///             wg.done();
///         });
///     }
///     wg.wait();
///     assert_eq!(*counter.lock(), 10);
/// });
/// ```
pub struct Mutex<T: ?Sized> {
    raw: RawMutex,
    data: UnsafeCell<T>,
}

// SAFETY: the mutex hands `&mut T` to one holder at a time, so sharing it
// across threads needs only that `T` may move between threads.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}
// SAFETY: owning the mutex owns the `T`.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}

impl<T> Mutex<T> {
    const_fn_unless_loom! {
        /// A new unlocked mutex holding `value`.
        ///
        /// Go: `var mu sync.Mutex` (Go's zero value; here the mutex owns its data).
        ///
        /// ```
        /// use goru::sync::Mutex;
        ///
        /// static HITS: Mutex<u64> = Mutex::new(0);   // usable in a `static`
        /// *HITS.lock() += 1;
        /// assert_eq!(*HITS.lock(), 1);
        /// ```
        pub const fn new(value: T) -> Self {
            Mutex {
                raw: RawMutex::new(),
                data: UnsafeCell::new(value),
            }
        }
    }

    /// The protected value, consuming the mutex.
    ///
    /// Go has no equivalent: a Go mutex does not own the data it guards.
    ///
    /// ```
    /// use goru::sync::Mutex;
    ///
    /// let mu = Mutex::new(vec![1, 2]);
    /// mu.lock().push(3);
    /// assert_eq!(mu.into_inner(), vec![1, 2, 3]);
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Locks, parking until the mutex is free (Go's `Lock`).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use goru::sync::Mutex;
    ///
    /// goru::run(|| {
    ///     let balance = Arc::new(Mutex::new(100));
    ///     let b = balance.clone();
    ///     let h = goru::spawn(move || {
    ///         let mut guard = b.lock();      // mu.Lock(); defer mu.Unlock()
    ///         *guard -= 30;
    ///     });
    ///     h.join().unwrap();
    ///     assert_eq!(*balance.lock(), 70);
    /// });
    /// ```
    #[inline]
    #[track_caller]
    pub fn lock(&self) -> MutexGuard<'_, T> {
        self.raw.lock();
        MutexGuard { mutex: self }
    }

    /// Locks only if the mutex is free now (Go's `TryLock`).
    ///
    /// ```
    /// use goru::sync::Mutex;
    ///
    /// let mu = Mutex::new(0);
    /// let held = mu.lock();
    /// assert!(mu.try_lock().is_none());      // taken: don't wait
    /// drop(held);                            // mu.Unlock()
    /// *mu.try_lock().unwrap() += 1;
    /// assert_eq!(*mu.lock(), 1);
    /// ```
    #[inline]
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        self.raw.try_lock().then(|| MutexGuard { mutex: self })
    }

    /// The value, through exclusive access: no locking needed.
    ///
    /// Go has no equivalent: Go cannot prove that nobody else holds the mutex.
    ///
    /// ```
    /// use goru::sync::Mutex;
    ///
    /// let mut mu = Mutex::new(String::from("a"));
    /// mu.get_mut().push('b');                // `&mut` proves no one else holds it
    /// assert_eq!(*mu.lock(), "ab");
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.try_lock() {
            Some(g) => f.debug_struct("Mutex").field("data", &&*g).finish(),
            None => f.debug_struct("Mutex").field("data", &"<locked>").finish(),
        }
    }
}

/// Holds a [`Mutex`] locked; dropping it unlocks.
///
/// Go: `mu.Lock(); defer mu.Unlock()`: the guard's scope is the critical
/// section.
///
/// ```
/// use goru::sync::Mutex;
///
/// let mu = Mutex::new(vec![1]);
/// {
///     let mut guard = mu.lock();         // mu.Lock()
///     guard.push(2);                     // DerefMut: the data, locked
///     assert_eq!(guard.len(), 2);        // Deref
/// }                                      // dropped: mu.Unlock()
/// assert!(mu.try_lock().is_some());
/// ```
#[must_use = "the mutex unlocks as soon as the guard is dropped"]
pub struct MutexGuard<'a, T: ?Sized> {
    mutex: &'a Mutex<T>,
}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// The mutex this guard holds (for `Cond::wait`).
    pub(crate) fn mutex(&self) -> &'a Mutex<T> {
        self.mutex
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock, so no `&mut T` exists elsewhere.
        unsafe { &*self.mutex.data.get() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock exclusively.
        unsafe { &mut *self.mutex.data.get() }
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: this guard locked the mutex.
        unsafe { self.mutex.raw.unlock() };
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}
