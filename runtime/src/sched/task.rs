//! The goroutine record (Go's `g`).
//!
//! Ownership: an `Arc<Task>` lives in exactly one run queue while runnable; a
//! started task is also held by its home worker's registry until it finishes,
//! which keeps it alive while parked (waiters point at it with raw pointers).
//! Fields in `Cell`/`UnsafeCell` are touched only by the home worker thread —
//! before the task starts, no thread touches them at all.

use std::cell::{Cell, UnsafeCell};
use std::panic::Location;
use std::sync::Arc;
use std::sync::atomic::{AtomicPtr, AtomicU8, AtomicU64, AtomicUsize, Ordering};

use corosensei::{Coroutine, Yielder};

use super::entry::Entry;
use super::runtime::Shared;
use crate::stack::GoroutineStack;

/// Why a goroutine gave up its worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Suspend {
    /// `gosched`: still runnable, goes to the back of the queue.
    Yield,
    /// Parked on a `Parking`; someone will wake it.
    Park,
}

pub(crate) type GoroutineCoroutine = Coroutine<(), Suspend, (), GoroutineStack>;
pub(crate) type GoroutineYielder = Yielder<(), Suspend>;
pub(crate) type TaskRef = Arc<Task>;

/// What a parked goroutine waits for, as Go's goroutine dump names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum WaitReason {
    Running = 0,
    Runnable,
    ChanReceive,
    ChanSend,
    ChanReceiveNilChan,
    ChanSendNilChan,
    Select,
    SelectNoCases,
    Sleep,
    Join,
    Blocking,
    SyncWait,
    IoWait,
    SyncCondWait,
}

impl WaitReason {
    pub(crate) fn from_u8(v: u8) -> WaitReason {
        use WaitReason::*;
        [
            Running,
            Runnable,
            ChanReceive,
            ChanSend,
            ChanReceiveNilChan,
            ChanSendNilChan,
            Select,
            SelectNoCases,
            Sleep,
            Join,
            Blocking,
            SyncWait,
            IoWait,
            SyncCondWait,
        ]
        .get(v as usize)
        .copied()
        .unwrap_or(Running)
    }

    /// The bracketed state in a goroutine dump, in Go's words.
    pub fn as_str(self) -> &'static str {
        match self {
            WaitReason::Running => "running",
            WaitReason::Runnable => "runnable",
            WaitReason::ChanReceive => "chan receive",
            WaitReason::ChanSend => "chan send",
            WaitReason::ChanReceiveNilChan => "chan receive (nil chan)",
            WaitReason::ChanSendNilChan => "chan send (nil chan)",
            WaitReason::Select => "select",
            WaitReason::SelectNoCases => "select (no cases)",
            WaitReason::Sleep => "sleep",
            WaitReason::Join => "goroutine join",
            WaitReason::Blocking => "syscall",
            WaitReason::SyncWait => "semacquire",
            WaitReason::IoWait => "IO wait",
            WaitReason::SyncCondWait => "sync.Cond.Wait",
        }
    }
}

pub(crate) const NO_HOME: usize = usize::MAX;

pub(crate) struct Task {
    pub(crate) id: u64,
    pub(crate) spawn_site: &'static Location<'static>,
    pub(crate) shared: &'static Shared,
    /// The worker that started it, for life; NO_HOME until then. Written once
    /// by that worker before the task can park, read by wakers after they
    /// found it parked (ordered by the lock of whatever it parked on).
    pub(crate) home: AtomicUsize,
    /// The code to run; taken when the task starts.
    pub(crate) entry: UnsafeCell<Entry>,
    /// The worker whose thread allocated this record (NO_HOME for other
    /// threads): a finished task is freed there.
    pub(crate) spawner: usize,
    pub(crate) coroutine: UnsafeCell<Option<GoroutineCoroutine>>,
    pub(crate) yielder: Cell<*const GoroutineYielder>,
    /// Link in a worker's inbox (a task is in at most one queue at a time).
    pub(crate) inbox_next: AtomicPtr<Task>,
    /// Index in the home worker's registry.
    pub(crate) registry_index: Cell<usize>,
    pub(crate) wait_reason: AtomicU8,
    pub(crate) blocked_at: AtomicPtr<Location<'static>>,
    /// Runtime clock reading when it last parked.
    pub(crate) parked_since: AtomicU64,
    /// Set while the runtime shuts down and unwinds this goroutine's stack, so
    /// the entry does not mistake that unwind for a panic.
    pub(crate) cancelled: Cell<bool>,
    /// defer/recover bookkeeping of this goroutine.
    pub(crate) locals: super::locals::GoroutineLocals,
}

// SAFETY: the `Cell`/`UnsafeCell` fields are only accessed by the task's home
// worker thread (or, before the task has started, by nobody but the thread
// that starts it); every field shared between threads is atomic.
unsafe impl Send for Task {}
// SAFETY: as above.
unsafe impl Sync for Task {}

impl std::fmt::Debug for Task {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Task")
            .field("id", &self.id)
            .field("spawn_site", &self.spawn_site)
            .finish()
    }
}

impl Task {
    pub(crate) fn new(
        shared: &'static Shared,
        id: u64,
        spawn_site: &'static Location<'static>,
        spawner: usize,
        entry: Entry,
    ) -> TaskRef {
        Arc::new(Task {
            id,
            spawn_site,
            shared,
            home: AtomicUsize::new(NO_HOME),
            entry: UnsafeCell::new(entry),
            spawner,
            coroutine: UnsafeCell::new(None),
            yielder: Cell::new(std::ptr::null()),
            inbox_next: AtomicPtr::new(std::ptr::null_mut()),
            registry_index: Cell::new(usize::MAX),
            wait_reason: AtomicU8::new(WaitReason::Runnable as u8),
            blocked_at: AtomicPtr::new(std::ptr::null_mut()),
            parked_since: AtomicU64::new(0),
            cancelled: Cell::new(false),
            locals: super::locals::GoroutineLocals::new(),
        })
    }

    pub(crate) fn started(&self) -> bool {
        self.home.load(Ordering::Relaxed) != NO_HOME
    }

    pub(crate) fn wait_reason(&self) -> WaitReason {
        WaitReason::from_u8(self.wait_reason.load(Ordering::Relaxed))
    }

    pub(crate) fn blocked_at(&self) -> Option<&'static Location<'static>> {
        let p = self.blocked_at.load(Ordering::Relaxed);
        // SAFETY: only ever set from a `&'static Location`.
        (!p.is_null()).then(|| unsafe { &*p })
    }
}
