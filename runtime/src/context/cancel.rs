//! The cancellable node behind `with_cancel`, `with_deadline` and their
//! `*_cause` forms (Go's `cancelCtx` and `timerCtx` in one), and the
//! registry through which a cancellation reaches the node's children.
//!
//! Ownership runs one way: a child holds its parent strongly (it reads the
//! parent's values and deadline), a parent holds its children weakly. So a
//! child whose handles are all gone is freed, and its `Drop` takes it out
//! of the parent's registry: forgetting to call a `CancelFunc` costs nothing
//! past the child's last handle (in Go it leaks until the parent is done).
//!
//! Locks: each node's `state` mutex is held only for short bookkeeping,
//! never across a channel operation that can park and never together with
//! another node's; whatever a critical section removes (a registry entry
//! that owns a context) is dropped after the unlock. A cancellation walks
//! the tree with an explicit work list, not recursion, so a deep
//! chain cannot overflow a goroutine's fixed stack.

use std::collections::HashMap;
use std::panic::Location;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError, Weak};
use std::time::{Duration, Instant};

use super::Context;
use super::error::{Cause, ContextError};
use crate::chan::{Chan, Receiver};
use crate::sched::runtime::{Shared, current_or_global};
use crate::sched::spawn::{go_entry, spawn_on};
use crate::time::{Timer, after_func};

const LIVE: u8 = 0;
const CANCELED: u8 = 1;
const DEADLINE_EXCEEDED: u8 = 2;

fn code(err: ContextError) -> u8 {
    match err {
        ContextError::Canceled => CANCELED,
        ContextError::DeadlineExceeded => DEADLINE_EXCEEDED,
    }
}

/// Keys in a parent's registry: unique for the life of the process.
pub(super) fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// One channel, closed once, shared by every context that is already done
/// when its `done()` is first asked for (Go's `closedchan`).
fn closed_chan() -> &'static Chan<()> {
    static CLOSED: OnceLock<Chan<()>> = OnceLock::new();
    CLOSED.get_or_init(|| {
        let c = Chan::new(0);
        c.close();
        c
    })
}

/// What a node must reach when it is cancelled.
pub(super) enum Child {
    /// A cancellable child context (held weakly: see the module docs).
    Context(Weak<CancelNode>),
    /// A function registered with `context::after_func`.
    Func(Arc<AfterFuncEntry>),
}

struct State {
    /// Set once, together with `CancelNode::err`.
    cause: Option<Cause>,
    /// Emptied (for good) by the cancellation.
    children: HashMap<u64, Child>,
    /// The deadline's timer; stopped and dropped by the cancellation.
    timer: Option<Timer>,
}

/// A context that can be cancelled: by its `CancelFunc`, by its parent, or
/// by its deadline's timer.
pub(super) struct CancelNode {
    pub(super) parent: Context,
    /// Key of this node in the parent's registry.
    id: u64,
    /// The effective deadline: the earlier of the parent's and its own.
    pub(super) deadline: Option<Instant>,
    /// Whether this node set a deadline of its own (a `with_deadline` node).
    pub(super) timed: bool,
    /// `LIVE`, or why it is done: read without the lock by `err()`.
    err: AtomicU8,
    /// Made on first `done()`, under the lock (Go makes it lazily too).
    done: OnceLock<Chan<()>>,
    state: Mutex<State>,
}

impl CancelNode {
    /// A new node under `parent`, already registered with the nearest
    /// cancellable ancestor, or cancelled if that ancestor is done.
    pub(super) fn new(parent: &Context, deadline: Option<Instant>, timed: bool) -> Arc<Self> {
        let node = Arc::new(CancelNode {
            parent: parent.clone(),
            id: next_id(),
            deadline,
            timed,
            err: AtomicU8::new(LIVE),
            done: OnceLock::new(),
            state: Mutex::new(State {
                cause: None,
                children: HashMap::new(),
                timer: None,
            }),
        });
        if let Some(ancestor) = parent.canceller() {
            let child = Child::Context(Arc::downgrade(&node));
            if let Err((err, cause)) = ancestor.register(node.id, child) {
                node.cancel(false, err, Some(cause));
            }
        }
        node
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent if a panic unwinds through user code
        // elsewhere: no user code runs under this lock.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds `child` to the registry under `id`, unless this node is done:
    /// then gives back its error and cause, for the child to take on.
    pub(super) fn register(&self, id: u64, child: Child) -> Result<(), (ContextError, Cause)> {
        let mut st = self.lock();
        if let Some(err) = self.err() {
            let cause = st.cause.clone().expect("a done context has a cause");
            return Err((err, cause));
        }
        st.children.insert(id, child);
        Ok(())
    }

    /// Takes `id` out of the registry (a child that is done or gone).
    pub(super) fn remove_child(&self, id: u64) {
        let removed = {
            let mut st = self.lock();
            let removed = st.children.remove(&id);
            // A burst of children leaves a large table: give it back.
            let cap = st.children.capacity();
            if cap > 64 && st.children.len() * 4 < cap {
                let len = st.children.len();
                st.children.shrink_to(len * 2);
            }
            removed
        };
        // Dropped outside the lock: an after_func entry owns a context,
        // whose drop may take locks of its own.
        drop(removed);
    }

    pub(super) fn child_count(&self) -> usize {
        self.lock().children.len()
    }

    pub(super) fn err(&self) -> Option<ContextError> {
        match self.err.load(Ordering::Acquire) {
            LIVE => None,
            CANCELED => Some(ContextError::Canceled),
            _ => Some(ContextError::DeadlineExceeded),
        }
    }

    pub(super) fn cause(&self) -> Option<Cause> {
        if self.err.load(Ordering::Acquire) == LIVE {
            return None;
        }
        self.lock().cause.clone()
    }

    pub(super) fn done(&self) -> Receiver<()> {
        if let Some(c) = self.done.get() {
            return c.receiver();
        }
        let _st = self.lock();
        self.done
            .get_or_init(|| {
                if self.err.load(Ordering::Acquire) == LIVE {
                    Chan::new(0)
                } else {
                    closed_chan().clone()
                }
            })
            .receiver()
    }

    /// Cancels this node and everything below it with `err`; the cause is
    /// `cause`, or `err` itself. Idempotent: only the first call counts.
    /// `remove_from_parent` is false when the parent is doing the
    /// cancelling (it has already emptied its registry).
    pub(super) fn cancel(
        self: &Arc<Self>,
        remove_from_parent: bool,
        err: ContextError,
        cause: Option<Cause>,
    ) {
        let cause = cause.unwrap_or_else(|| Arc::new(err) as Cause);
        let mut pending = Vec::new();
        if !self.cancel_one(err, &cause, &mut pending) {
            return;
        }
        if remove_from_parent && let Some(ancestor) = self.parent.canceller() {
            ancestor.remove_child(self.id);
        }
        // The whole subtree, breadth by breadth, each node once.
        while let Some(child) = pending.pop() {
            match child {
                Child::Context(weak) => {
                    if let Some(node) = weak.upgrade() {
                        node.cancel_one(err, &cause, &mut pending);
                    }
                }
                Child::Func(entry) => entry.fire(),
            }
        }
    }

    /// Marks this one node done, wakes its `done()` waiters, stops its
    /// timer, and moves its registry to `pending`. False if already done.
    fn cancel_one(&self, err: ContextError, cause: &Cause, pending: &mut Vec<Child>) -> bool {
        let (to_close, timer) = {
            let mut st = self.lock();
            if self.err.load(Ordering::Relaxed) != LIVE {
                return false;
            }
            st.cause = Some(Arc::clone(cause));
            // Before the channel closes: whoever wakes on it sees err().
            self.err.store(code(err), Ordering::Release);
            let to_close = match self.done.get() {
                Some(c) => Some(c.clone()),
                None => {
                    let _ = self.done.set(closed_chan().clone());
                    None
                }
            };
            let children = std::mem::take(&mut st.children);
            pending.extend(children.into_values());
            (to_close, st.timer.take())
        };
        if let Some(timer) = timer {
            timer.stop();
        }
        // Outside the lock: waking thousands of waiters takes a while.
        if let Some(c) = to_close {
            c.close();
        }
        true
    }

    /// Starts the deadline's timer, `after` from now, unless already done.
    /// The timer holds the node weakly, so a stopped timer still waiting in
    /// a timer heap does not keep the context alive.
    pub(super) fn arm_timer(self: &Arc<Self>, after: Duration, cause: Option<Cause>) {
        let mut st = self.lock();
        if self.err.load(Ordering::Relaxed) != LIVE {
            return;
        }
        let node = Arc::downgrade(self);
        st.timer = Some(after_func(after, move || {
            if let Some(node) = node.upgrade() {
                node.cancel(true, ContextError::DeadlineExceeded, cause.clone());
            }
        }));
    }
}

impl CancelNode {
    /// What the last handle going away does: stop the timer, leave the
    /// parent's registry; then hands back the parent, for `Context`'s drop
    /// to release the chain above without recursion.
    pub(super) fn release(&mut self) -> Context {
        let st = self.state.get_mut().unwrap_or_else(PoisonError::into_inner);
        if let Some(timer) = st.timer.take() {
            timer.stop();
        }
        // A node that is done was taken out of the registry then (by its
        // own cancel or by its parent's); a live one leaves it now.
        if *self.err.get_mut() == LIVE
            && let Some(ancestor) = self.parent.canceller()
        {
            ancestor.remove_child(self.id);
        }
        std::mem::take(&mut self.parent)
    }
}

impl Drop for CancelNode {
    fn drop(&mut self) {
        // Without `Context::drop` in the way (the last owner was a
        // `CancelFunc`): the parent goes through `Context::drop` here.
        drop(self.release());
    }
}

/// A function registered by `context::after_func`: runs once, in its own
/// goroutine, when the context is done, unless stopped first.
pub(super) struct AfterFuncEntry {
    claimed: AtomicBool,
    job: Mutex<Option<Job>>,
}

struct Job {
    f: Box<dyn FnOnce() + Send>,
    /// Keeps the context (and so its registry entry) alive until the
    /// function runs or is stopped, as Go's registration does.
    _ctx: Context,
    runtime: &'static Shared,
    site: &'static Location<'static>,
}

impl AfterFuncEntry {
    pub(super) fn new(
        f: Box<dyn FnOnce() + Send>,
        ctx: Context,
        site: &'static Location<'static>,
    ) -> Arc<Self> {
        Arc::new(AfterFuncEntry {
            claimed: AtomicBool::new(false),
            job: Mutex::new(Some(Job {
                f,
                _ctx: ctx,
                runtime: current_or_global(),
                site,
            })),
        })
    }

    /// Wins the right to decide: run (fire) or not (stop). Once only.
    pub(super) fn claim(&self) -> bool {
        !self.claimed.swap(true, Ordering::AcqRel)
    }

    /// Drops the function unrun (after a won `claim`, or when nothing can
    /// ever fire it).
    pub(super) fn discard(&self) {
        let job = self
            .job
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop(job);
    }

    /// Starts the function in a new goroutine, unless stopped first.
    pub(super) fn fire(&self) {
        if !self.claim() {
            return;
        }
        let job = self
            .job
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(Job {
            f, runtime, site, ..
        }) = job
        {
            spawn_on(runtime, go_entry(f), site);
        }
    }
}
