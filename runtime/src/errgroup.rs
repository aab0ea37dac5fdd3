//! `errgroup`: goroutines working on parts of one task, with the first
//! error reported and (optionally) everyone else told to stop. Go's
//! `golang.org/x/sync/errgroup`.
//!
//! ```
//! use goru::errgroup::Group;
//!
//! goru::run(|| {
//!     let g: Group = Group::new();
//!     for url in ["a", "b", "c"] {
//!         g.go(move || {
//!             // fetch(url)?;
//!             let _ = url;
//!             Ok(())
//!         });
//!     }
//!     assert!(g.wait().is_ok());          // like Promise.all
//! });
//! ```

use std::error::Error;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::chan::Chan;
use crate::context::{self, CancelCauseFunc, Context, ContextError};
use crate::sync::WaitGroup;

/// The default error type of a [`Group`]: any error (Go's `error`), so `?`
/// works on every error type inside the group's functions.
///
/// ```
/// use goru::errgroup::{BoxError, Group};
///
/// goru::run(|| {
///     let g: Group = Group::new();             // Group<BoxError>
///     g.go(|| {
///         let port: u16 = "80a".parse()?;     // any error converts
///         let _ = port;
///         Ok(())
///     });
///     let err: BoxError = g.wait().unwrap_err();
///     assert_eq!(err.to_string(), "invalid digit found in string");
/// });
/// ```
pub type BoxError = Box<dyn Error + Send + Sync + 'static>;

/// A group of goroutines working on parts of one task (Go's
/// `errgroup.Group`): [`go`](Group::go) starts one, [`wait`](Group::wait)
/// waits for all and returns the first error. Made with
/// [`with_context`](Group::with_context), the first error also cancels a
/// context the others watch. Cloning gives another handle to the same
/// group, so a goroutine in the group can start more.
///
/// The error type `E` is any `Send + 'static` type; it defaults to
/// [`BoxError`], which plays the part of Go's `error`.
///
/// ```
/// use goru::errgroup::Group;
///
/// goru::run(|| {
///     let g: Group<String> = Group::new();
///     g.go(|| Ok(()));
///     g.go(|| Err("no such host".to_string()));
///     assert_eq!(g.wait(), Err("no such host".to_string()));
/// });
/// ```
pub struct Group<E = BoxError> {
    inner: Arc<Inner<E>>,
}

struct Inner<E> {
    wg: WaitGroup,
    /// The first error; later ones are dropped (Go's `errOnce`).
    first: Mutex<First<E>>,
    /// With `with_context`: cancels the derived context.
    cancel: Option<GroupCancel<E>>,
    /// Tokens of running goroutines, when a limit is set (Go's `sem`).
    sem: Mutex<Option<Chan<()>>>,
}

/// How a group made by `with_context` cancels its context.
struct GroupCancel<E> {
    cancel: CancelCauseFunc,
    /// The cause to report for the first error: its message.
    cause_of: fn(&E) -> BoxError,
}

enum First<E> {
    None,
    Err(E),
    /// Handed out by `wait`; the group still ignores later errors.
    Taken,
}

impl<E> Clone for Group<E> {
    fn clone(&self) -> Self {
        Group {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<E> fmt::Debug for Group<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Group")
            .field("limit", &self.sem().map(|s| s.cap()))
            .field("with_context", &self.inner.cancel.is_some())
            .finish()
    }
}

impl<E: Send + 'static> Default for Group<E> {
    fn default() -> Self {
        Self::new()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Held for bookkeeping only (and the first error's `Display`), so a
    // poisoned lock still holds consistent data.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Releases the goroutine's slot when its function returns or panics (Go's
/// `defer g.done()`).
struct DoneGuard<E> {
    inner: Arc<Inner<E>>,
    token: Option<Chan<()>>,
}

impl<E> Drop for DoneGuard<E> {
    fn drop(&mut self) {
        if let Some(sem) = &self.token {
            let _ = sem.try_recv();
        }
        self.inner.wg.done();
    }
}

impl<E> Group<E> {
    fn sem(&self) -> Option<Chan<()>> {
        lock(&self.inner.sem).clone()
    }
}

impl<E: Send + 'static> Group<E> {
    /// An empty group with no limit and no context (Go's zero
    /// `errgroup.Group`).
    ///
    /// ```
    /// use goru::errgroup::Group;
    ///
    /// let g: Group = Group::new();
    /// assert!(g.wait().is_ok());          // nothing to wait for
    /// ```
    pub fn new() -> Self {
        Group {
            inner: Arc::new(Inner {
                wg: WaitGroup::new(),
                first: Mutex::new(First::None),
                cancel: None,
                sem: Mutex::new(None),
            }),
        }
    }

    /// Starts `f` in a new goroutine (Go's `g.Go(f)`). With a limit set and
    /// that many goroutines running, first parks until one of them returns.
    /// The first `Err` is what [`wait`](Group::wait) returns; with a
    /// context, it also cancels the context.
    ///
    /// ```
    /// use goru::errgroup::Group;
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// use std::sync::Arc;
    ///
    /// goru::run(|| {
    ///     let g: Group = Group::new();
    ///     let total = Arc::new(AtomicU32::new(0));
    ///     for i in 1..=4 {
    ///         let total = total.clone();
    ///         g.go(move || {
    ///             total.fetch_add(i, Ordering::SeqCst);
    ///             Ok(())
    ///         });
    ///     }
    ///     g.wait().unwrap();
    ///     assert_eq!(total.load(Ordering::SeqCst), 10);
    /// });
    /// ```
    #[track_caller]
    pub fn go<F>(&self, f: F)
    where
        F: FnOnce() -> Result<(), E> + Send + 'static,
    {
        let token = self.sem();
        if let Some(sem) = &token {
            // Parks while the group is at its limit: g.sem <- token{}.
            let _ = sem.send(());
        }
        self.start(f, token);
    }

    /// Starts `f` in a new goroutine only if that stays within the limit;
    /// returns whether it did (Go's `g.TryGo(f)`).
    ///
    /// ```
    /// use goru::prelude::*;
    /// use goru::errgroup::Group;
    ///
    /// goru::run(|| {
    ///     let g: Group = Group::new();
    ///     g.set_limit(1);
    ///     let release = chan![()];
    ///     let rx = release.receiver();
    ///     assert!(g.try_go(move || { rx.recv(); Ok(()) }));
    ///     assert!(!g.try_go(|| Ok(())));     // at the limit
    ///     release.close();
    ///     g.wait().unwrap();
    /// });
    /// ```
    #[track_caller]
    pub fn try_go<F>(&self, f: F) -> bool
    where
        F: FnOnce() -> Result<(), E> + Send + 'static,
    {
        let token = self.sem();
        if let Some(sem) = &token
            && sem.try_send(()).is_err()
        {
            return false;
        }
        self.start(f, token);
        true
    }

    #[track_caller]
    fn start<F>(&self, f: F, token: Option<Chan<()>>)
    where
        F: FnOnce() -> Result<(), E> + Send + 'static,
    {
        self.inner.wg.add(1);
        let inner = Arc::clone(&self.inner);
        crate::go(move || {
            let guard = DoneGuard { inner, token };
            if let Err(e) = f() {
                guard.inner.record(e);
            }
        });
    }

    /// Parks until every goroutine started with [`go`](Group::go) has
    /// returned, then gives the first error, if any (Go's `g.Wait()`). A
    /// group's context is cancelled when `wait` returns. The error is
    /// handed out once: a second `wait` returns `Ok(())`.
    ///
    /// ```
    /// use goru::errgroup::Group;
    ///
    /// goru::run(|| {
    ///     let g: Group = Group::new();
    ///     g.go(|| Err("boom".into()));
    ///     assert_eq!(g.wait().unwrap_err().to_string(), "boom");
    /// });
    /// ```
    #[track_caller]
    pub fn wait(&self) -> Result<(), E> {
        self.inner.wg.wait();
        if let Some(gc) = &self.inner.cancel {
            // Does nothing after an error; else Go's cancel(nil), whose
            // cause is Canceled.
            gc.cancel.cancel(ContextError::Canceled);
        }
        let mut first = lock(&self.inner.first);
        match std::mem::replace(&mut *first, First::Taken) {
            First::Err(e) => Err(e),
            First::Taken => Ok(()),
            // No error yet: a later one may still be the group's first.
            First::None => {
                *first = First::None;
                Ok(())
            }
        }
    }

    /// Limits the group to `n` goroutines running at once: [`go`](Group::go)
    /// parks and [`try_go`](Group::try_go) declines while `n` run. A
    /// negative `n` removes the limit (Go's `g.SetLimit(n)`). Panics, with
    /// Go's message, if goroutines of the group are running.
    ///
    /// ```
    /// use goru::errgroup::Group;
    ///
    /// goru::run(|| {
    ///     let g: Group = Group::new();
    ///     g.set_limit(2);                     // at most two at a time
    ///     for _ in 0..10 {
    ///         g.go(|| Ok(()));
    ///     }
    ///     g.wait().unwrap();
    /// });
    /// ```
    #[track_caller]
    pub fn set_limit(&self, n: isize) {
        let mut sem = lock(&self.inner.sem);
        let Ok(n) = usize::try_from(n) else {
            *sem = None;
            return;
        };
        if let Some(active) = sem.as_ref().map(Chan::len).filter(|&len| len != 0) {
            drop(sem);
            panic!(
                "errgroup: modify limit while {active} goroutines in the group are still active"
            );
        }
        *sem = Some(Chan::new(n));
    }
}

impl<E: fmt::Display + Send + 'static> Group<E> {
    /// A group and a context derived from `ctx` that is cancelled the first
    /// time a function of the group returns an error, or when
    /// [`wait`](Group::wait) returns, whichever comes first (Go's
    /// `errgroup.WithContext(ctx)`). After an error,
    /// [`context::cause`] of the context gives that
    /// error's message.
    ///
    /// ```
    /// use goru::prelude::*;
    /// use goru::context::{self, ContextError};
    /// use goru::errgroup::Group;
    ///
    /// goru::run(|| {
    ///     let (g, ctx) = Group::<String>::with_context(&context::background());
    ///     let c = ctx.clone();
    ///     g.go(move || {
    ///         c.done().recv();                // stops when a sibling fails
    ///         Err(c.err().unwrap().to_string())
    ///     });
    ///     g.go(|| Err("disk full".to_string()));
    ///     assert_eq!(g.wait(), Err("disk full".to_string()));
    ///     assert_eq!(ctx.err(), Some(ContextError::Canceled));
    /// });
    /// ```
    pub fn with_context(ctx: &Context) -> (Self, Context) {
        let (ctx, cancel) = context::with_cancel_cause(ctx);
        let cause_of: fn(&E) -> BoxError = |e| e.to_string().into();
        let group = Group {
            inner: Arc::new(Inner {
                wg: WaitGroup::new(),
                first: Mutex::new(First::None),
                cancel: Some(GroupCancel { cancel, cause_of }),
                sem: Mutex::new(None),
            }),
        };
        (group, ctx)
    }
}

/// [`Group::with_context`] as a function, for Go's spelling
/// `g, ctx := errgroup.WithContext(ctx)`.
///
/// ```
/// use goru::context;
/// use goru::errgroup::{self, Group};
///
/// goru::run(|| {
///     let (g, ctx): (Group, _) = errgroup::with_context(&context::background());
///     g.go(|| Ok(()));
///     g.wait().unwrap();
///     assert!(ctx.err().is_some());       // cancelled when wait returned
/// });
/// ```
pub fn with_context<E: fmt::Display + Send + 'static>(ctx: &Context) -> (Group<E>, Context) {
    Group::with_context(ctx)
}

impl<E> Inner<E> {
    /// Keeps `e` if it is the group's first error, and cancels the context.
    fn record(&self, e: E) {
        let cause = {
            let mut first = lock(&self.first);
            if !matches!(*first, First::None) {
                return;
            }
            let cause = self.cancel.as_ref().map(|gc| (gc.cause_of)(&e));
            *first = First::Err(e);
            cause
        };
        if let (Some(gc), Some(cause)) = (&self.cancel, cause) {
            gc.cancel.cancel(cause);
        }
    }
}
