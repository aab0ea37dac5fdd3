//! `sync::RwMutex<T>`: Go's sync.RWMutex holding its data, with read and
//! write guards.
//!
//! Go's algorithm (`sync/rwmutex.go`): writers exclude each other with a
//! mutex; a writer then subtracts a large constant from the reader count,
//! so readers arriving after it see a negative count and park: a waiting
//! writer blocks new readers (writer preference), and waits only for the
//! readers already inside.

use std::cell::UnsafeCell;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicI32, Ordering};

use super::mutex::RawMutex;
use super::sema::Sema;
use crate::sched::WaitReason;

const MAX_READERS: i32 = 1 << 30;

/// Go's `sync.RWMutex`, holding the data it protects: any number of
/// readers or one writer. A writer that is waiting blocks new readers, so
/// readers arriving all the time cannot starve it.
///
/// ```
/// use std::sync::Arc;
/// use goru::sync::RwMutex;
///
/// goru::run(|| {
///     let config = Arc::new(RwMutex::new(String::from("v1")));
///     let reader = config.clone();
///     let h = goru::spawn(move || reader.read().clone());   // mu.RLock()
///     *config.write() = String::from("v2");                 // mu.Lock()
///     let seen = h.join().unwrap();
///     assert!(seen == "v1" || seen == "v2");
/// });
/// ```
pub struct RwMutex<T: ?Sized> {
    writers: RawMutex,
    writer_sem: Sema,
    reader_sem: Sema,
    /// Readers inside; minus MAX_READERS while a writer is pending.
    reader_count: AtomicI32,
    /// Readers the pending writer still waits for.
    reader_wait: AtomicI32,
    data: UnsafeCell<T>,
}

// SAFETY: readers share `&T` across threads (needs `T: Sync`), a writer
// gets `&mut T` (needs `T: Send`).
unsafe impl<T: ?Sized + Send + Sync> Sync for RwMutex<T> {}
// SAFETY: owning the lock owns the `T`.
unsafe impl<T: ?Sized + Send> Send for RwMutex<T> {}

impl<T> RwMutex<T> {
    crate::util::prim::const_fn_unless_loom! {
        /// A new unlocked RwMutex holding `value`.
        ///
        /// Go: `var mu sync.RWMutex` (here the lock owns its data).
        ///
        /// ```
        /// use goru::sync::RwMutex;
        ///
        /// static CONFIG: RwMutex<u32> = RwMutex::new(1);   // usable in a `static`
        /// *CONFIG.write() = 2;
        /// assert_eq!(*CONFIG.read(), 2);
        /// ```
        pub const fn new(value: T) -> Self {
            RwMutex {
                writers: RawMutex::new(),
                writer_sem: Sema::new(0),
                reader_sem: Sema::new(0),
                reader_count: AtomicI32::new(0),
                reader_wait: AtomicI32::new(0),
                data: UnsafeCell::new(value),
            }
        }
    }

    /// The protected value, consuming the lock.
    ///
    /// Go has no equivalent: a Go RWMutex does not own the data it guards.
    ///
    /// ```
    /// use goru::sync::RwMutex;
    ///
    /// let lock = RwMutex::new(vec![1]);
    /// lock.write().push(2);
    /// assert_eq!(lock.into_inner(), vec![1, 2]);
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> RwMutex<T> {
    /// Locks for reading, parking while a writer holds or waits for it
    /// (Go's `RLock`).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use goru::sync::{RwMutex, WaitGroup};
    ///
    /// goru::run(|| {
    ///     let table = Arc::new(RwMutex::new(vec![10, 20, 30]));
    ///     let wg = WaitGroup::new();
    ///     for i in 0..3 {
    ///         let (table, wg) = (table.clone(), wg.clone());
    ///         wg.add(1);
    ///         goru::go(move || {
    ///             let rows = table.read();   // mu.RLock(); defer mu.RUnlock()
    ///             assert_eq!(rows[i], 10 * (i + 1));
    ///             wg.done();
    ///         });
    ///     }
    ///     wg.wait();
    /// });
    /// ```
    #[inline]
    #[track_caller]
    pub fn read(&self) -> RwMutexReadGuard<'_, T> {
        if self.reader_count.fetch_add(1, Ordering::Acquire) < 0 {
            // A writer is pending: wait for it to finish.
            self.reader_sem.acquire(false, WaitReason::SyncWait);
        }
        RwMutexReadGuard { lock: self }
    }

    /// Locks for reading only if no writer holds or waits for it now
    /// (Go's `TryRLock`).
    ///
    /// ```
    /// use goru::sync::RwMutex;
    ///
    /// let lock = RwMutex::new(1);
    /// let r1 = lock.read();
    /// assert!(lock.try_read().is_some());    // readers share
    /// drop(r1);
    /// let w = lock.write();
    /// assert!(lock.try_read().is_none());    // mu.TryRLock() == false
    /// drop(w);
    /// ```
    pub fn try_read(&self) -> Option<RwMutexReadGuard<'_, T>> {
        let mut c = self.reader_count.load(Ordering::Relaxed);
        loop {
            if c < 0 {
                return None;
            }
            match self.reader_count.compare_exchange_weak(
                c,
                c + 1,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Some(RwMutexReadGuard { lock: self }),
                Err(now) => c = now,
            }
        }
    }

    /// Locks for writing, parking until all readers and writers are out
    /// (Go's `Lock`).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use goru::sync::RwMutex;
    ///
    /// goru::run(|| {
    ///     let cache = Arc::new(RwMutex::new(Vec::new()));
    ///     let c = cache.clone();
    ///     let h = goru::spawn(move || {
    ///         c.write().push("entry");       // mu.Lock(); defer mu.Unlock()
    ///     });
    ///     h.join().unwrap();
    ///     assert_eq!(*cache.read(), ["entry"]);
    /// });
    /// ```
    #[track_caller]
    pub fn write(&self) -> RwMutexWriteGuard<'_, T> {
        self.writers.lock();
        // Announce the writer: readers from now on park.
        let readers = self.reader_count.fetch_sub(MAX_READERS, Ordering::Acquire);
        if readers != 0 && self.reader_wait.fetch_add(readers, Ordering::Acquire) + readers != 0 {
            self.writer_sem.acquire(false, WaitReason::SyncWait);
        }
        RwMutexWriteGuard { lock: self }
    }

    /// Locks for writing only if nobody holds it now (Go's `TryLock`).
    ///
    /// ```
    /// use goru::sync::RwMutex;
    ///
    /// let lock = RwMutex::new(0);
    /// let reader = lock.read();
    /// assert!(lock.try_write().is_none());   // a reader is inside
    /// drop(reader);
    /// *lock.try_write().unwrap() += 1;       // mu.TryLock() == true
    /// assert_eq!(*lock.read(), 1);
    /// ```
    pub fn try_write(&self) -> Option<RwMutexWriteGuard<'_, T>> {
        if !self.writers.try_lock() {
            return None;
        }
        if self
            .reader_count
            .compare_exchange(0, -MAX_READERS, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            // SAFETY: locked just above.
            unsafe { self.writers.unlock() };
            return None;
        }
        Some(RwMutexWriteGuard { lock: self })
    }

    /// The value, through exclusive access: no locking needed.
    ///
    /// Go has no equivalent: Go cannot prove that nobody else holds the lock.
    ///
    /// ```
    /// use goru::sync::RwMutex;
    ///
    /// let mut lock = RwMutex::new(5);
    /// *lock.get_mut() += 1;                  // `&mut` proves no one else holds it
    /// assert_eq!(*lock.read(), 6);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }

    fn read_unlock(&self) {
        let r = self.reader_count.fetch_sub(1, Ordering::Release) - 1;
        if r < 0 {
            // A writer waits: the last reader it waits for lets it in.
            if self.reader_wait.fetch_sub(1, Ordering::Release) - 1 == 0 {
                self.writer_sem.release(false);
            }
        }
    }

    fn write_unlock(&self) {
        let readers = self.reader_count.fetch_add(MAX_READERS, Ordering::Release) + MAX_READERS;
        // Let in the readers that queued behind this writer.
        for _ in 0..readers {
            self.reader_sem.release(false);
        }
        // SAFETY: `write` locked it.
        unsafe { self.writers.unlock() };
    }
}

impl<T: Default> Default for RwMutex<T> {
    fn default() -> Self {
        RwMutex::new(T::default())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwMutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.try_read() {
            Some(g) => f.debug_struct("RwMutex").field("data", &&*g).finish(),
            None => f
                .debug_struct("RwMutex")
                .field("data", &"<locked>")
                .finish(),
        }
    }
}

/// Shared access to an [`RwMutex`]'s data; dropping it unlocks (Go's
/// `RUnlock`).
///
/// ```
/// use goru::sync::RwMutex;
///
/// let lock = RwMutex::new(String::from("v1"));
/// {
///     let a = lock.read();               // mu.RLock()
///     let b = lock.read();               // readers share
///     assert_eq!(*a, *b);                // Deref: the data
/// }                                      // dropped: mu.RUnlock() twice
/// assert!(lock.try_write().is_some());
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwMutexReadGuard<'a, T: ?Sized> {
    lock: &'a RwMutex<T>,
}

impl<T: ?Sized> Deref for RwMutexReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: a read guard exists only while no writer holds the lock.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for RwMutexReadGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.lock.read_unlock();
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwMutexReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Exclusive access to an [`RwMutex`]'s data; dropping it unlocks (Go's
/// `Unlock`).
///
/// ```
/// use goru::sync::RwMutex;
///
/// let lock = RwMutex::new(vec![1]);
/// {
///     let mut w = lock.write();          // mu.Lock()
///     w.push(2);                         // DerefMut: the data, exclusively
///     assert!(lock.try_read().is_none());
/// }                                      // dropped: mu.Unlock()
/// assert_eq!(*lock.read(), [1, 2]);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwMutexWriteGuard<'a, T: ?Sized> {
    lock: &'a RwMutex<T>,
}

impl<T: ?Sized> Deref for RwMutexWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the write guard is the only access while it lives.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for RwMutexWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as above.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for RwMutexWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.write_unlock();
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwMutexWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
