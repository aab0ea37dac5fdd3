//! The one park/unpark interface the layers above use (channels, select,
//! time, sync): a `Parking` lives on the blocked caller's stack, is handed to
//! wakers by pointer, and is woken exactly once.
//!
//! In a goroutine, parking suspends the coroutine and waking queues it on its
//! home worker. On any other thread, parking blocks the thread until woken.
//!
//! Because a started goroutine only ever runs on its home worker, a wake that
//! arrives before the goroutine has finished suspending is harmless: the
//! worker cannot resume it until it has suspended.

use std::panic::Location;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use super::context;
use super::task::{Suspend, Task, WaitReason};
use crate::util::clock;
use crate::util::prim::{self, AtomicBool, Ordering, Thread};

/// Threads that are not goru workers and are in the middle of a goru
/// operation (see [`ExternalOp`]): while any is, the deadlock detector holds
/// off, since such a thread may be about to wake a goroutine.
pub(crate) static EXTERNAL_ACTIVE: AtomicUsize = AtomicUsize::new(0);

enum Target {
    Task(*const Task),
    Thread(Thread),
}

/// A blocked caller, woken once.
pub(crate) struct Parking {
    target: Target,
    woken: AtomicBool,
    /// For select: the first waker to flip this owns the wake-up.
    claimed: AtomicBool,
    /// For select: the index of the case that fired, written by the claimer.
    fired_case: prim::AtomicUsize,
}

/// An owned handle to wake a parked caller after its `Parking` may be gone.
pub(crate) enum Wake {
    Task(Arc<Task>),
    Thread(Thread),
}

impl Parking {
    /// A parking for the calling goroutine or thread.
    #[inline]
    pub(crate) fn for_current() -> Parking {
        let target = match context::current_task() {
            Some(t) => Target::Task(t),
            None => Target::Thread(prim::current_thread()),
        };
        Parking {
            target,
            woken: AtomicBool::new(false),
            claimed: AtomicBool::new(false),
            fired_case: prim::AtomicUsize::new(usize::MAX),
        }
    }

    /// For select's wakers: claims this parking; false if another case won.
    #[inline]
    pub(crate) fn try_claim(&self, case: usize) -> bool {
        if self
            .claimed
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
        {
            self.fired_case.store(case, Ordering::Relaxed);
            true
        } else {
            false
        }
    }

    pub(crate) fn fired_case(&self) -> usize {
        self.fired_case.load(Ordering::Relaxed)
    }

    /// Marks the parked caller woken and returns the handle to wake it with.
    /// Call with the lock that protects the wait queue held, after the data
    /// transfer; call `Wake::wake` after unlocking. After this returns, the
    /// `Parking` may be gone (a thread sees `woken` and returns).
    #[inline]
    pub(crate) fn prepare_wake(&self) -> Wake {
        let wake = match &self.target {
            Target::Task(t) => {
                // SAFETY: a parked task is kept alive by its home registry, and
                // it cannot finish before this wake-up reaches it.
                unsafe {
                    Arc::increment_strong_count(*t);
                    Wake::Task(Arc::from_raw(*t))
                }
            }
            Target::Thread(th) => {
                // The thread counts as active again until its operation ends.
                EXTERNAL_ACTIVE.fetch_add(1, Ordering::SeqCst);
                Wake::Thread(th.clone())
            }
        };
        self.woken.store(true, Ordering::Release);
        wake
    }

    /// Blocks until woken. `reason` and `at` show in goroutine dumps.
    #[inline]
    pub(crate) fn park(&self, reason: WaitReason, at: &'static Location<'static>) {
        match &self.target {
            Target::Task(t) => {
                // SAFETY: the target is the running goroutine (a Parking is
                // only created for the current caller and used on its stack).
                let task = unsafe { &**t };
                park_current_task(task, reason, at);
                debug_assert!(self.woken.load(Ordering::Acquire));
            }
            Target::Thread(_) => {
                EXTERNAL_ACTIVE.fetch_sub(1, Ordering::SeqCst);
                while !self.woken.load(Ordering::Acquire) {
                    prim::park();
                }
            }
        }
    }

    /// Blocks for good: nothing holds this parking, so nothing wakes it
    /// (nil channels, empty select). Only a runtime shutdown unwinds it.
    pub(crate) fn park_forever(&self, reason: WaitReason, at: &'static Location<'static>) -> ! {
        match &self.target {
            Target::Task(t) => {
                // SAFETY: as in `park`.
                let task = unsafe { &**t };
                loop {
                    park_current_task(task, reason, at);
                }
            }
            Target::Thread(_) => loop {
                prim::park();
            },
        }
    }
}

impl Wake {
    #[inline]
    pub(crate) fn wake(self) {
        match self {
            Wake::Task(t) => context::ready(t),
            Wake::Thread(th) => th.unpark(),
        }
    }
}

/// Suspends the running goroutine until something queues it again.
pub(crate) fn park_current_task(task: &Task, reason: WaitReason, at: &'static Location<'static>) {
    task.wait_reason.store(reason as u8, Ordering::Relaxed);
    task.blocked_at.store(
        (at as *const Location<'static>).cast_mut(),
        Ordering::Relaxed,
    );
    task.parked_since
        .store(clock::coarse_now(), Ordering::Relaxed);
    suspend(task, Suspend::Park);
    task.wait_reason
        .store(WaitReason::Running as u8, Ordering::Relaxed);
}

pub(crate) fn suspend(task: &Task, how: Suspend) {
    let yielder = task.yielder.get();
    assert!(!yielder.is_null(), "goroutine has no yielder");
    // SAFETY: the yielder belongs to the running coroutine of `task` (set at
    // its start, valid for its whole life) and we are running on that
    // coroutine's stack.
    unsafe { (*yielder).suspend(how) };
}

/// Brackets an operation of a non-worker thread, for the deadlock detector.
pub(crate) struct ExternalOp {
    active: bool,
}

impl ExternalOp {
    #[inline]
    pub(crate) fn enter() -> ExternalOp {
        // Goroutines (and timer callbacks) only run on workers.
        if context::on_worker() {
            return ExternalOp { active: false };
        }
        EXTERNAL_ACTIVE.fetch_add(1, Ordering::SeqCst);
        ExternalOp { active: true }
    }
}

impl Drop for ExternalOp {
    fn drop(&mut self) {
        if self.active {
            EXTERNAL_ACTIVE.fetch_sub(1, Ordering::SeqCst);
        }
    }
}
