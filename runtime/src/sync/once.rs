//! `sync::Once` (Go's sync.Once) and lazily initialised values
//! (`OnceCell`, `Lazy`), parking goroutines while another initialises.

use std::cell::UnsafeCell;
use std::fmt;
use std::ops::Deref;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use super::mutex::Mutex;

/// Go's `sync.Once`: `call_once(f)` runs `f` the first time only; callers
/// that arrive meanwhile park until it has returned. As in Go, if `f`
/// panics the `Once` still counts as done.
///
/// ```
/// use goru::sync::Once;
/// static SETUP: Once = Once::new();
/// let mut runs = 0;
/// SETUP.call_once(|| runs += 1);   // once.Do(setup)
/// SETUP.call_once(|| runs += 1);
/// assert_eq!(runs, 1);
/// ```
pub struct Once {
    done: AtomicBool,
    running: Mutex<()>,
}

impl fmt::Debug for Once {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Once")
            .field("done", &self.is_done())
            .finish()
    }
}

impl Default for Once {
    fn default() -> Self {
        Self::new()
    }
}

impl Once {
    crate::util::prim::const_fn_unless_loom! {
        /// A `Once` that has not run (Go's zero `sync.Once`).
        ///
        /// ```
        /// use goru::sync::Once;
        ///
        /// let once = Once::new();
        /// assert!(!once.is_done());
        /// ```
        pub const fn new() -> Self {
            Once {
                done: AtomicBool::new(false),
                running: Mutex::new(()),
            }
        }
    }

    /// Runs `f` if no call has run yet (Go's `Do`).
    ///
    /// Every caller returns only after `f` has finished, whichever ran it.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// use goru::sync::{Once, WaitGroup};
    ///
    /// goru::run(|| {
    ///     let once = Arc::new(Once::new());
    ///     let inits = Arc::new(AtomicU32::new(0));
    ///     let wg = WaitGroup::new();
    ///     for _ in 0..4 {
    ///         let (once, inits, wg) = (once.clone(), inits.clone(), wg.clone());
    ///         wg.add(1);
    ///         goru::go(move || {
    ///             once.call_once(|| {        // once.Do(func() { ... })
    ///                 inits.fetch_add(1, Ordering::SeqCst);
    ///             });
    ///             assert_eq!(inits.load(Ordering::SeqCst), 1);
    ///             wg.done();
    ///         });
    ///     }
    ///     wg.wait();
    ///     assert_eq!(inits.load(Ordering::SeqCst), 1);
    /// });
    /// ```
    #[track_caller]
    pub fn call_once(&self, f: impl FnOnce()) {
        if self.done.load(Ordering::Acquire) {
            return;
        }
        let _running = self.running.lock();
        if self.done.load(Ordering::Relaxed) {
            return;
        }
        // Done even if `f` panics (Go's deferred store).
        struct MarkDone<'a>(&'a AtomicBool);
        impl Drop for MarkDone<'_> {
            fn drop(&mut self) {
                self.0.store(true, Ordering::Release);
            }
        }
        let _mark = MarkDone(&self.done);
        f();
    }

    /// Whether a call has completed.
    ///
    /// Go has no equivalent (`sync.Once` keeps its `done` flag private).
    ///
    /// ```
    /// use goru::sync::Once;
    ///
    /// let once = Once::new();
    /// assert!(!once.is_done());
    /// once.call_once(|| {});
    /// assert!(once.is_done());
    /// ```
    pub fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }
}

/// A value set once, by whichever goroutine gets there first; the others
/// park until it is ready (Go's `sync.OnceValue`). If the initialiser
/// panics the cell stays empty and the next caller tries again (Rust's
/// `OnceLock` rule).
///
/// ```
/// use goru::sync::OnceCell;
/// static CONFIG: OnceCell<String> = OnceCell::new();
/// let v = CONFIG.get_or_init(|| "loaded".to_string());
/// assert_eq!(v, "loaded");
/// assert_eq!(CONFIG.get().map(String::as_str), Some("loaded"));
/// ```
pub struct OnceCell<T> {
    value: OnceLock<T>,
    init: Mutex<()>,
}

impl<T: fmt::Debug> fmt::Debug for OnceCell<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OnceCell").field(&self.get()).finish()
    }
}

impl<T> Default for OnceCell<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> OnceCell<T> {
    crate::util::prim::const_fn_unless_loom! {
        /// An empty cell.
        ///
        /// ```
        /// use goru::sync::OnceCell;
        ///
        /// static PORT: OnceCell<u16> = OnceCell::new();
        /// assert_eq!(PORT.get(), None);
        /// assert_eq!(*PORT.get_or_init(|| 8080), 8080);
        /// ```
        pub const fn new() -> Self {
            OnceCell {
                value: OnceLock::new(),
                init: Mutex::new(()),
            }
        }
    }

    /// The value, if set.
    ///
    /// Never waits and never runs an initialiser (Go's `sync.OnceValue` has
    /// no equivalent).
    ///
    /// ```
    /// use goru::sync::OnceCell;
    ///
    /// let cell = OnceCell::new();
    /// assert_eq!(cell.get(), None);
    /// cell.get_or_init(|| 42);
    /// assert_eq!(cell.get(), Some(&42));
    /// ```
    pub fn get(&self) -> Option<&T> {
        self.value.get()
    }

    /// The value, running `f` to set it if nobody has.
    ///
    /// Go: calling the function that `sync.OnceValue(f)` returned.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use goru::sync::OnceCell;
    ///
    /// goru::run(|| {
    ///     let cell = Arc::new(OnceCell::new());
    ///     let c = cell.clone();
    ///     let h = goru::spawn(move || *c.get_or_init(|| "first"));
    ///     let mine = *cell.get_or_init(|| "second");
    ///     let theirs = h.join().unwrap();
    ///     assert_eq!(mine, theirs);          // one initialiser ran; both see it
    /// });
    /// ```
    #[track_caller]
    pub fn get_or_init(&self, f: impl FnOnce() -> T) -> &T {
        if let Some(v) = self.value.get() {
            return v;
        }
        let _init = self.init.lock();
        if let Some(v) = self.value.get() {
            return v;
        }
        // Only initialisers set the value, one at a time under `init`, so
        // this cannot find it set.
        let _ = self.value.set(f());
        self.value.get().expect("set just above")
    }
}

/// A value computed on first use (`Deref`), by one goroutine while others
/// park: a `static` that needs work to build.
///
/// ```
/// use goru::sync::Lazy;
/// static PRIMES: Lazy<Vec<u32>> = Lazy::new(|| vec![2, 3, 5, 7]);
/// assert_eq!(PRIMES.len(), 4);
/// ```
pub struct Lazy<T, F = fn() -> T> {
    cell: OnceCell<T>,
    init: UnsafeCell<Option<F>>,
}

// SAFETY: `init` is taken only under the cell's mutex, by one caller; the
// value is shared like a `OnceLock`'s.
unsafe impl<T: Send + Sync, F: Send> Sync for Lazy<T, F> {}

impl<T: fmt::Debug, F> fmt::Debug for Lazy<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Lazy").field(&self.cell.get()).finish()
    }
}

impl<T, F: FnOnce() -> T> Lazy<T, F> {
    crate::util::prim::const_fn_unless_loom! {
        /// A value that `init` computes on first use.
        ///
        /// Go: `var table = sync.OnceValue(func() T { ... })`, then `table()`.
        ///
        /// ```
        /// use goru::sync::Lazy;
        ///
        /// static SQUARES: Lazy<Vec<u64>> = Lazy::new(|| (0..10).map(|i| i * i).collect());
        /// assert_eq!(SQUARES[3], 9);             // computed here, on first use
        ///
        /// let local = Lazy::new(|| String::from("built"));
        /// assert_eq!(local.as_str(), "built");
        /// ```
        pub const fn new(init: F) -> Self {
            Lazy {
                cell: OnceCell::new(),
                init: UnsafeCell::new(Some(init)),
            }
        }
    }
}

impl<T, F: FnOnce() -> T> Deref for Lazy<T, F> {
    type Target = T;
    fn deref(&self) -> &T {
        self.cell.get_or_init(|| {
            // SAFETY: `get_or_init` runs this closure under the cell's
            // mutex, so no other caller touches `init` meanwhile.
            let f = unsafe { (*self.init.get()).take() };
            match f {
                Some(f) => f(),
                None => panic!("Lazy: the initialiser panicked earlier"),
            }
        })
    }
}
