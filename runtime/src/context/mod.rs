//! Go's `context` package: deadlines, cancellation and request-scoped
//! values carried down a tree of goroutines.
//!
//! A [`Context`] is a cheap, cloneable handle (`Send + Sync`); pass it to
//! each goroutine as Go passes `ctx`. [`Context::done`] is a `Receiver<()>`
//! closed when the context is cancelled or its deadline passes, so it works
//! in `select!` exactly as `<-ctx.Done()` does in Go; [`Context::err`] then
//! says why, with Go's messages. Cancelling a context cancels everything
//! derived from it, at once; its children are unaffected the other way.
//!
//! ```
//! use goru::prelude::*;
//! use goru::context::{self, Context, ContextError};
//!
//! goru! {
//!     fn worker(ctx: Context, results: Sender<u32>) {
//!         let mut n = 0;
//!         loop {
//!             select! {
//!                 <-ctx.done() => { return; }
//!                 results <- n => { n += 1; }
//!             }
//!         }
//!     }
//! }
//!
//! goru::run(|| {
//!     let (ctx, cancel) = context::with_cancel(&context::background());
//!     let results = chan![u32];
//!     go!(worker(ctx.clone(), results.sender()));
//!     assert_eq!(results.recv(), Some(0));
//!     assert_eq!(results.recv(), Some(1));
//!     cancel.cancel();                  // the worker returns
//!     assert_eq!(ctx.err(), Some(ContextError::Canceled));
//! });
//! ```
//!
//! Differences from Go, each for a reason:
//! - Values are keyed by their type, not by a key value: `with_value(&ctx,
//!   RequestId(7))` and `ctx.value::<RequestId>()`. Go's advice to use an
//!   unexported key type per value becomes "a newtype per value", and the
//!   lookup is typed, so no type assertion can fail.
//! - A cancellable context that nothing refers to any more (no handle, no
//!   `CancelFunc`, no child) leaves its parent's registry by itself;
//!   calling `cancel` is still how you release it early, as in Go.
//! - There is no `Context` interface to implement: the kinds Go's package
//!   offers are all here.

mod cancel;
mod error;

use std::any::{Any, TypeId};
use std::error::Error;
use std::fmt;
use std::panic::Location;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use cancel::{AfterFuncEntry, CancelNode, Child};
pub use error::{Cause, ContextError};

use crate::chan::Receiver;

/// A context: a deadline, a cancellation signal and values, handed down a
/// call tree and across goroutines. Cloning is cheap (a reference count);
/// clones are the same context.
///
/// Go: `context.Context`. Make one with [`background`] or [`todo()`] and
/// derive from it with [`with_cancel`], [`with_timeout`],
/// [`with_deadline`], [`with_value`] and the others in this module.
///
/// ```
/// use goru::context;
/// use std::time::Duration;
///
/// let (ctx, cancel) = context::with_timeout(&context::background(), Duration::from_secs(60));
/// assert!(ctx.deadline().is_some());
/// assert_eq!(ctx.err(), None);
/// cancel.cancel();
/// assert!(ctx.err().is_some());
/// ```
#[derive(Clone)]
pub struct Context {
    repr: Repr,
}

#[derive(Clone)]
enum Repr {
    Background,
    Todo,
    Cancel(Arc<CancelNode>),
    Value(Arc<ValueNode>),
    WithoutCancel(Arc<Context>),
}

struct ValueNode {
    parent: Context,
    type_id: TypeId,
    type_name: &'static str,
    value: Box<dyn Any + Send + Sync>,
}

/// Go's `context.Background()`: never cancelled, no deadline, no values.
/// The root of every context tree: main, tests and servers start here.
///
/// ```
/// use goru::context;
///
/// let ctx = context::background();
/// assert_eq!(ctx.err(), None);
/// assert!(ctx.done().is_nil());        // never ready, as Go's nil Done()
/// assert_eq!(ctx.to_string(), "context.Background");
/// ```
pub const fn background() -> Context {
    Context {
        repr: Repr::Background,
    }
}

/// Go's `context.TODO()`: like [`background`], marking a place where the
/// right context is not yet plumbed through.
///
/// ```
/// use goru::context;
///
/// let ctx = context::todo();
/// assert_eq!(ctx.err(), None);
/// assert_eq!(ctx.to_string(), "context.TODO");
/// ```
pub const fn todo() -> Context {
    Context { repr: Repr::Todo }
}

impl Default for Context {
    /// [`background`].
    fn default() -> Self {
        background()
    }
}

impl Context {
    /// The nearest node at or above this one that can be cancelled; None
    /// when nothing above can be (background, or cut off by
    /// `without_cancel`).
    fn canceller(&self) -> Option<&Arc<CancelNode>> {
        let mut ctx = self;
        loop {
            match &ctx.repr {
                Repr::Cancel(node) => return Some(node),
                Repr::Value(node) => ctx = &node.parent,
                Repr::Background | Repr::Todo | Repr::WithoutCancel(_) => return None,
            }
        }
    }

    /// A channel closed when this context is cancelled or its deadline
    /// passes (Go's `ctx.Done()`). Receive from it in `select!`; for a
    /// context that can never be cancelled it is a nil channel, never
    /// ready, as in Go. Every call returns the same channel.
    ///
    /// ```
    /// use goru::prelude::*;
    /// use goru::context;
    ///
    /// goru! {
    ///     fn wait_for_timeout() {
    ///         let (ctx, cancel) = context::with_timeout(&context::background(), ms(10));
    ///         defer!(cancel.cancel());
    ///         select! {
    ///             <-ctx.done() => { println!("{}", ctx.err().unwrap()); }
    ///             <-time::after(secs(60)) => { unreachable!(); }
    ///         }
    ///     }
    /// }
    /// goru::run(wait_for_timeout);
    /// ```
    pub fn done(&self) -> Receiver<()> {
        match self.canceller() {
            Some(node) => node.done(),
            None => Receiver::nil(),
        }
    }

    /// Why this context is done, or `None` while it is not (Go's
    /// `ctx.Err()`): [`ContextError::Canceled`] or
    /// [`ContextError::DeadlineExceeded`]. Once `Some`, it never changes.
    ///
    /// ```
    /// use goru::context::{self, ContextError};
    ///
    /// let (ctx, cancel) = context::with_cancel(&context::background());
    /// assert_eq!(ctx.err(), None);
    /// cancel.cancel();
    /// assert_eq!(ctx.err(), Some(ContextError::Canceled));
    /// ```
    pub fn err(&self) -> Option<ContextError> {
        self.canceller().and_then(|node| node.err())
    }

    /// When this context will be cancelled by itself, if ever (Go's
    /// `ctx.Deadline()`): the earliest deadline set on it or above it.
    ///
    /// ```
    /// use goru::context;
    /// use std::time::{Duration, Instant};
    ///
    /// let soon = Instant::now() + Duration::from_secs(60);
    /// let (ctx, _cancel) = context::with_deadline(&context::background(), soon);
    /// let (child, _c) = context::with_timeout(&ctx, Duration::from_secs(3600));
    /// assert_eq!(child.deadline(), Some(soon));  // the parent's is sooner
    /// assert_eq!(context::background().deadline(), None);
    /// ```
    pub fn deadline(&self) -> Option<Instant> {
        self.canceller().and_then(|node| node.deadline)
    }

    /// The value of type `T` carried by this context or the nearest
    /// ancestor that has one (Go's `ctx.Value(key).(T)`, with the type as
    /// the key): an inner [`with_value`] shadows an outer one.
    ///
    /// ```
    /// use goru::context;
    ///
    /// #[derive(Debug, PartialEq)]
    /// struct User(&'static str);
    ///
    /// let ctx = context::with_value(&context::background(), User("gopher"));
    /// let (child, _cancel) = context::with_cancel(&ctx);
    /// assert_eq!(child.value::<User>(), Some(&User("gopher")));
    /// assert_eq!(child.value::<u32>(), None);
    /// ```
    pub fn value<T: Any + Send + Sync>(&self) -> Option<&T> {
        let mut ctx = self;
        loop {
            match &ctx.repr {
                Repr::Value(node) => {
                    if node.type_id == TypeId::of::<T>() {
                        return node.value.downcast_ref::<T>();
                    }
                    ctx = &node.parent;
                }
                Repr::Cancel(node) => ctx = &node.parent,
                Repr::WithoutCancel(parent) => ctx = parent,
                Repr::Background | Repr::Todo => return None,
            }
        }
    }

    /// Why this context was cancelled: the method form of [`cause`] (Go's
    /// `context.Cause(ctx)`).
    ///
    /// ```
    /// use goru::context;
    ///
    /// let (ctx, cancel) = context::with_cancel_cause(&context::background());
    /// cancel.cancel("disk full");
    /// assert_eq!(ctx.cause().unwrap().to_string(), "disk full");
    /// ```
    pub fn cause(&self) -> Option<Cause> {
        self.canceller().and_then(|node| node.cause())
    }

    /// How many children and `after_func` registrations the nearest
    /// cancellable context at or above this one is tracking. For tests of
    /// goru itself (leak checks); not a stable API.
    #[doc(hidden)]
    pub fn registered_children(&self) -> usize {
        self.canceller().map_or(0, |node| node.child_count())
    }
}

impl Drop for Context {
    /// Releases the chain of contexts above this one iteratively: a chain
    /// built in a loop (say 100,000 `with_value`s deep) must not overflow a
    /// goroutine's fixed-size stack when its last handle goes away.
    fn drop(&mut self) {
        let mut repr = std::mem::replace(&mut self.repr, Repr::Background);
        loop {
            let mut parent = match repr {
                Repr::Background | Repr::Todo => return,
                Repr::Value(node) => match Arc::into_inner(node) {
                    Some(mut node) => std::mem::take(&mut node.parent),
                    None => return, // still shared: nothing more to free
                },
                Repr::Cancel(node) => match Arc::into_inner(node) {
                    Some(mut node) => node.release(),
                    None => return,
                },
                Repr::WithoutCancel(parent) => match Arc::into_inner(parent) {
                    Some(parent) => parent,
                    None => return,
                },
            };
            repr = std::mem::replace(&mut parent.repr, Repr::Background);
        }
    }
}

impl fmt::Display for Context {
    /// Go's `fmt.Print(ctx)`: the chain of constructors, e.g.
    /// `context.Background.WithCancel`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Background => f.write_str("context.Background"),
            Repr::Todo => f.write_str("context.TODO"),
            Repr::Cancel(node) if node.timed => {
                let deadline = node.deadline.expect("a timed context has a deadline");
                let now = Instant::now();
                let (sign, left) = match deadline.checked_duration_since(now) {
                    Some(d) => ("", d),
                    None => ("-", now.duration_since(deadline)),
                };
                write!(f, "{}.WithDeadline([{sign}{left:?}])", node.parent)
            }
            Repr::Cancel(node) => write!(f, "{}.WithCancel", node.parent),
            Repr::Value(node) => write!(f, "{}.WithValue({})", node.parent, node.type_name),
            Repr::WithoutCancel(parent) => write!(f, "{parent}.WithoutCancel"),
        }
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Cancels its context: what [`with_cancel`], [`with_timeout`] and
/// [`with_deadline`] return beside it (Go's `context.CancelFunc`). Call
/// [`cancel`](CancelFunc::cancel) as soon as the work the context covers
/// is finished (Go's `defer cancel()`), so its timer and its place in the
/// parent are released at once. Cloneable; calling it again does nothing.
///
/// ```
/// use goru::prelude::*;
/// use goru::context;
///
/// goru! {
///     fn handle_request() {
///         let (ctx, cancel) = context::with_cancel(&context::background());
///         defer!(cancel.cancel());            // defer cancel()
///         assert_eq!(ctx.err(), None);
///     }
/// }
/// goru::run(handle_request);
/// ```
#[derive(Clone)]
pub struct CancelFunc {
    node: Arc<CancelNode>,
}

impl CancelFunc {
    /// Cancels the context and everything derived from it, with
    /// [`ContextError::Canceled`]; does nothing if it is already done
    /// (Go's `cancel()`).
    ///
    /// ```
    /// use goru::context::{self, ContextError};
    ///
    /// let (ctx, cancel) = context::with_cancel(&context::background());
    /// cancel.cancel();
    /// cancel.cancel();                        // no effect
    /// assert_eq!(ctx.err(), Some(ContextError::Canceled));
    /// ```
    pub fn cancel(&self) {
        self.node.cancel(true, ContextError::Canceled, None);
    }
}

impl fmt::Debug for CancelFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CancelFunc")
    }
}

/// Cancels its context with a cause: what [`with_cancel_cause`] returns
/// (Go's `context.CancelCauseFunc`). Cloneable; only the first call counts.
///
/// ```
/// use goru::context::{self, ContextError};
///
/// let (ctx, cancel) = context::with_cancel_cause(&context::background());
/// cancel.cancel("upstream closed the connection");
/// assert_eq!(ctx.err(), Some(ContextError::Canceled));
/// assert_eq!(
///     context::cause(&ctx).unwrap().to_string(),
///     "upstream closed the connection"
/// );
/// ```
#[derive(Clone)]
pub struct CancelCauseFunc {
    node: Arc<CancelNode>,
}

impl CancelCauseFunc {
    /// Cancels the context and everything derived from it, with
    /// [`ContextError::Canceled`] as `err()` and `cause` as what [`cause`]
    /// reports (Go's `cancel(cause)`). Anything convertible into a boxed
    /// error will do: an error value, a `String` or a `&str`. Go's
    /// `cancel(nil)` is `cancel(ContextError::Canceled)`.
    ///
    /// ```
    /// use goru::context::{self, ContextError};
    ///
    /// #[derive(Debug)]
    /// struct Shutdown;
    /// impl std::fmt::Display for Shutdown {
    ///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    ///         f.write_str("shutting down")
    ///     }
    /// }
    /// impl std::error::Error for Shutdown {}
    ///
    /// let (ctx, cancel) = context::with_cancel_cause(&context::background());
    /// cancel.cancel(Shutdown);
    /// let cause = context::cause(&ctx).unwrap();
    /// assert!(cause.downcast_ref::<Shutdown>().is_some());   // errors.As
    /// ```
    pub fn cancel<E>(&self, cause: E)
    where
        E: Into<Box<dyn Error + Send + Sync + 'static>>,
    {
        let cause: Cause = Arc::from(cause.into());
        self.node.cancel(true, ContextError::Canceled, Some(cause));
    }
}

impl fmt::Debug for CancelCauseFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CancelCauseFunc")
    }
}

/// A child of `parent` that is cancelled when the returned [`CancelFunc`]
/// is called or when `parent` is, whichever happens first (Go's
/// `context.WithCancel`). A child of a context that is already done is
/// done at once.
///
/// ```
/// use goru::context::{self, ContextError};
///
/// let (parent, cancel_parent) = context::with_cancel(&context::background());
/// let (child, _cancel_child) = context::with_cancel(&parent);
/// cancel_parent.cancel();
/// assert_eq!(child.err(), Some(ContextError::Canceled));
/// ```
pub fn with_cancel(parent: &Context) -> (Context, CancelFunc) {
    let node = CancelNode::new(parent, parent.deadline(), false);
    (
        Context {
            repr: Repr::Cancel(Arc::clone(&node)),
        },
        CancelFunc { node },
    )
}

/// Like [`with_cancel`], with a cancel function that records why (Go
/// 1.20's `context.WithCancelCause`); read it back with [`cause`].
///
/// ```
/// use goru::context;
///
/// let (ctx, cancel) = context::with_cancel_cause(&context::background());
/// let (child, _c) = context::with_cancel(&ctx);
/// cancel.cancel("quota exceeded");
/// assert_eq!(context::cause(&child).unwrap().to_string(), "quota exceeded");
/// ```
pub fn with_cancel_cause(parent: &Context) -> (Context, CancelCauseFunc) {
    let node = CancelNode::new(parent, parent.deadline(), false);
    (
        Context {
            repr: Repr::Cancel(Arc::clone(&node)),
        },
        CancelCauseFunc { node },
    )
}

fn deadline_context(
    parent: &Context,
    deadline: Instant,
    cause: Option<Cause>,
) -> (Context, CancelFunc) {
    if parent.deadline().is_some_and(|current| current < deadline) {
        // The parent's deadline comes first: it will cancel this one.
        return with_cancel(parent);
    }
    let node = CancelNode::new(parent, Some(deadline), true);
    match deadline.checked_duration_since(Instant::now()) {
        Some(left) if !left.is_zero() => node.arm_timer(left, cause),
        _ => node.cancel(true, ContextError::DeadlineExceeded, cause),
    }
    (
        Context {
            repr: Repr::Cancel(Arc::clone(&node)),
        },
        CancelFunc { node },
    )
}

/// A child of `parent` that is cancelled at `deadline`, when the returned
/// [`CancelFunc`] is called, or when `parent` is (Go's
/// `context.WithDeadline`). Its deadline is the earlier of `deadline` and
/// the parent's. At the deadline, `err()` is
/// [`ContextError::DeadlineExceeded`]; cancelling stops the timer.
///
/// ```
/// use goru::context::{self, ContextError};
/// use std::time::Instant;
///
/// let (ctx, _cancel) = context::with_deadline(&context::background(), Instant::now());
/// assert_eq!(ctx.err(), Some(ContextError::DeadlineExceeded));  // already past
/// ```
pub fn with_deadline(parent: &Context, deadline: Instant) -> (Context, CancelFunc) {
    deadline_context(parent, deadline, None)
}

/// Like [`with_deadline`], reporting `cause` from [`cause`] when the
/// deadline passes (Go 1.21's `context.WithDeadlineCause`).
///
/// ```
/// use goru::context;
/// use std::time::Instant;
///
/// let (ctx, _cancel) =
///     context::with_deadline_cause(&context::background(), Instant::now(), "too slow");
/// assert_eq!(context::cause(&ctx).unwrap().to_string(), "too slow");
/// ```
pub fn with_deadline_cause<E>(
    parent: &Context,
    deadline: Instant,
    cause: E,
) -> (Context, CancelFunc)
where
    E: Into<Box<dyn Error + Send + Sync + 'static>>,
{
    deadline_context(parent, deadline, Some(Arc::from(cause.into())))
}

/// `with_deadline(parent, now + timeout)` (Go's `context.WithTimeout`).
///
/// ```
/// use goru::prelude::*;
/// use goru::context::{self, ContextError};
///
/// goru::run(|| {
///     let (ctx, cancel) = context::with_timeout(&context::background(), ms(20));
///     ctx.done().recv();                  // <-ctx.Done()
///     assert_eq!(ctx.err(), Some(ContextError::DeadlineExceeded));
///     cancel.cancel();
/// });
/// ```
pub fn with_timeout(parent: &Context, timeout: Duration) -> (Context, CancelFunc) {
    deadline_context(parent, deadline_after(timeout), None)
}

/// Like [`with_timeout`], reporting `cause` from [`cause`] when the time is
/// up (Go 1.21's `context.WithTimeoutCause`).
///
/// ```
/// use goru::prelude::*;
/// use goru::context;
///
/// goru::run(|| {
///     let (ctx, _cancel) = context::with_timeout_cause(&context::background(), ms(5), "slow backend");
///     ctx.done().recv();
///     assert_eq!(context::cause(&ctx).unwrap().to_string(), "slow backend");
/// });
/// ```
pub fn with_timeout_cause<E>(parent: &Context, timeout: Duration, cause: E) -> (Context, CancelFunc)
where
    E: Into<Box<dyn Error + Send + Sync + 'static>>,
{
    deadline_context(
        parent,
        deadline_after(timeout),
        Some(Arc::from(cause.into())),
    )
}

fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    // A timeout too long to represent is no deadline in practice.
    now.checked_add(timeout)
        .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 3600))
}

/// A child of `parent` carrying `value`, found by [`Context::value`] with
/// its type as the key (Go's `context.WithValue(parent, key, value)`, where
/// Go code declares a key type per value and goru uses the value's type).
/// Define a newtype per meaning, so two `String`s cannot collide.
///
/// ```
/// use goru::context;
///
/// #[derive(Debug, PartialEq)]
/// struct RequestId(u64);
///
/// let ctx = context::with_value(&context::background(), RequestId(1));
/// let inner = context::with_value(&ctx, RequestId(2));      // shadows
/// assert_eq!(inner.value::<RequestId>(), Some(&RequestId(2)));
/// assert_eq!(ctx.value::<RequestId>(), Some(&RequestId(1)));
/// ```
pub fn with_value<T: Any + Send + Sync>(parent: &Context, value: T) -> Context {
    Context {
        repr: Repr::Value(Arc::new(ValueNode {
            parent: parent.clone(),
            type_id: TypeId::of::<T>(),
            type_name: std::any::type_name::<T>(),
            value: Box::new(value),
        })),
    }
}

/// A child of `parent` with its values but not its cancellation: never
/// done, no deadline (Go 1.21's `context.WithoutCancel`), for work that
/// must outlive the request that started it.
///
/// ```
/// use goru::context;
///
/// struct Tenant(&'static str);
/// let (ctx, cancel) = context::with_cancel(&context::with_value(&context::background(), Tenant("acme")));
/// let detached = context::without_cancel(&ctx);
/// cancel.cancel();
/// assert_eq!(detached.err(), None);
/// assert_eq!(detached.value::<Tenant>().unwrap().0, "acme");
/// ```
pub fn without_cancel(parent: &Context) -> Context {
    Context {
        repr: Repr::WithoutCancel(Arc::new(parent.clone())),
    }
}

/// Why `ctx` was cancelled (Go 1.20's `context.Cause(ctx)`): the cause
/// given to a [`CancelCauseFunc`] or a `*_cause` deadline at or above
/// `ctx`, else the same as [`Context::err`] as an error; `None` while
/// `ctx` is not done.
///
/// ```
/// use goru::context::{self, ContextError};
///
/// let (ctx, cancel) = context::with_cancel(&context::background());
/// assert!(context::cause(&ctx).is_none());
/// cancel.cancel();
/// assert_eq!(context::cause(&ctx).unwrap().to_string(), "context canceled");
/// ```
pub fn cause(ctx: &Context) -> Option<Cause> {
    ctx.cause()
}

/// Stops a function registered with [`after_func`] (Go's `stop func()
/// bool`, returned by `context.AfterFunc`).
///
/// ```
/// use goru::context;
///
/// let (ctx, cancel) = context::with_cancel(&context::background());
/// let stop = context::after_func(&ctx, || println!("never printed"));
/// assert!(stop.stop());                   // stopped before it ran
/// cancel.cancel();
/// ```
pub struct StopFunc {
    entry: Arc<AfterFuncEntry>,
    node: Option<(Weak<CancelNode>, u64)>,
}

impl StopFunc {
    /// Unregisters the function: true if that kept it from running, false
    /// if it has already been started (or stopped) (Go's `stop()`).
    ///
    /// ```
    /// use goru::context;
    ///
    /// goru::run(|| {
    ///     let (ctx, cancel) = context::with_cancel(&context::background());
    ///     let stop = context::after_func(&ctx, || {});
    ///     cancel.cancel();                    // starts the function
    ///     assert!(!stop.stop());
    /// });
    /// ```
    pub fn stop(&self) -> bool {
        if !self.entry.claim() {
            return false;
        }
        if let Some((node, id)) = &self.node
            && let Some(node) = node.upgrade()
        {
            node.remove_child(*id);
        }
        self.entry.discard();
        true
    }
}

impl fmt::Debug for StopFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StopFunc")
    }
}

/// Runs `f` in its own goroutine once `ctx` is done, or at once (in a new
/// goroutine) if it already is (Go 1.21's `context.AfterFunc`). The
/// registration keeps `ctx` alive until `f` starts or [`StopFunc::stop`] is
/// called. On a context that can never be done, `f` never runs.
///
/// ```
/// use goru::prelude::*;
/// use goru::context;
///
/// goru::run(|| {
///     let (ctx, cancel) = context::with_cancel(&context::background());
///     let closed = chan![&'static str; 1];
///     let out = closed.sender();
///     let _stop = context::after_func(&ctx, move || { let _ = out.send("connection closed"); });
///     cancel.cancel();
///     assert_eq!(closed.recv(), Some("connection closed"));
/// });
/// ```
#[track_caller]
pub fn after_func<F>(ctx: &Context, f: F) -> StopFunc
where
    F: FnOnce() + Send + 'static,
{
    let site = Location::caller();
    let entry = AfterFuncEntry::new(Box::new(f), ctx.clone(), site);
    let Some(node) = ctx.canceller() else {
        // Never done: nothing will run it; drop the function now (`stop`
        // still reports that it kept it from running, as Go's does).
        entry.discard();
        return StopFunc { entry, node: None };
    };
    let id = cancel::next_id();
    if node.register(id, Child::Func(Arc::clone(&entry))).is_err() {
        entry.fire();
        return StopFunc { entry, node: None };
    }
    StopFunc {
        entry,
        node: Some((Arc::downgrade(node), id)),
    }
}
