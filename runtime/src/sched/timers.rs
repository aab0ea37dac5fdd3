//! Per-worker timer heaps (Go's per-P timers): a goroutine's sleep and the
//! time package's timers sit on the heap of the worker they were armed on;
//! that worker fires them between goroutines, and an idle worker fires the
//! expired timers of a busy one. No timer thread runs user code.

use std::cell::UnsafeCell;
use std::cmp::Ordering as CmpOrdering;
use std::collections::BinaryHeap;
use std::sync::Arc;
use std::sync::atomic::{AtomicPtr, AtomicU64, AtomicUsize, Ordering};

use super::runtime::Shared;
use super::task::TaskRef;
use crate::util::lock::RawLock;

enum Action {
    /// A sleeping goroutine.
    Wake(TaskRef),
    /// A cancellable timer, valid while its generation matches.
    Timer(Arc<TimerShared>, u64),
}

struct Entry {
    when: u64,
    seq: u64,
    action: Action,
}

impl Entry {
    /// Whether firing it would do anything: a stopped or re-armed timer
    /// leaves a dead entry behind until it is popped or compacted away.
    fn is_live(&self) -> bool {
        match &self.action {
            Action::Wake(_) => true,
            Action::Timer(t, generation) => {
                t.state.load(Ordering::Acquire) == generation << 1 | ARMED
            }
        }
    }
}

/// Dead entries tolerated before a compaction (and at least half the heap):
/// a server that arms and stops a timeout per request keeps its heap small.
const COMPACT_MIN_DEAD: usize = 256;

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.when, self.seq) == (other.when, other.seq)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    // Reversed: BinaryHeap is a max-heap, we want the earliest first.
    fn cmp(&self, other: &Self) -> CmpOrdering {
        (other.when, other.seq).cmp(&(self.when, self.seq))
    }
}

pub(crate) struct TimerHeap {
    lock: RawLock,
    heap: UnsafeCell<BinaryHeap<Entry>>,
    seq: UnsafeCell<u64>,
    /// Earliest deadline, or u64::MAX when empty: read without the lock.
    next: AtomicU64,
    len: AtomicUsize,
    /// Entries that died since the last compaction (an estimate: only
    /// triggers compactions, which count exactly).
    dead: AtomicUsize,
}

// SAFETY: `heap` and `seq` are only touched with `lock` held.
unsafe impl Sync for TimerHeap {}
// SAFETY: as above.
unsafe impl Send for TimerHeap {}

impl std::fmt::Debug for TimerHeap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimerHeap")
            .field("next", &self.next)
            .finish()
    }
}

impl TimerHeap {
    pub(crate) fn new() -> Self {
        TimerHeap {
            lock: RawLock::new(),
            heap: UnsafeCell::new(BinaryHeap::new()),
            seq: UnsafeCell::new(0),
            next: AtomicU64::new(u64::MAX),
            len: AtomicUsize::new(0),
            dead: AtomicUsize::new(0),
        }
    }

    #[inline]
    pub(crate) fn next_deadline(&self) -> u64 {
        self.next.load(Ordering::Acquire)
    }

    fn push(&self, when: u64, action: Action) {
        self.lock.lock();
        // SAFETY: lock held.
        unsafe {
            let seq = &mut *self.seq.get();
            *seq += 1;
            let heap = &mut *self.heap.get();
            heap.push(Entry {
                when,
                seq: *seq,
                action,
            });
            self.len.store(heap.len(), Ordering::Relaxed);
            self.next
                .store(heap.peek().map_or(u64::MAX, |e| e.when), Ordering::Release);
            self.lock.unlock();
        }
    }

    pub(crate) fn push_wake(&self, when: u64, task: TaskRef) {
        self.push(when, Action::Wake(task));
    }

    /// Fires every entry due at `now`. Returns whether any fired.
    pub(crate) fn run_expired(&self, now: u64) -> bool {
        if self.next_deadline() > now {
            return false;
        }
        let mut due = Vec::new();
        self.lock.lock();
        // SAFETY: lock held.
        unsafe {
            let heap = &mut *self.heap.get();
            while heap.peek().is_some_and(|e| e.when <= now) {
                due.extend(heap.pop());
            }
            self.len.store(heap.len(), Ordering::Relaxed);
            self.next
                .store(heap.peek().map_or(u64::MAX, |e| e.when), Ordering::Release);
            self.lock.unlock();
        }
        let fired = !due.is_empty();
        for e in due {
            match e.action {
                Action::Wake(task) => super::context::ready(task),
                Action::Timer(t, generation) => t.fire(e.when, generation, now),
            }
        }
        fired
    }

    /// Whether any entry would still do something when it fires. Exact
    /// (scans under the lock): for the deadlock detector, to which a
    /// stopped timer's leftover entry must not look like pending work.
    pub(crate) fn has_live_entries(&self) -> bool {
        if self.next_deadline() == u64::MAX {
            return false;
        }
        self.lock.lock();
        // SAFETY: lock held.
        unsafe {
            let live = (*self.heap.get()).iter().any(Entry::is_live);
            self.lock.unlock();
            live
        }
    }

    /// A timer armed on this heap died (stopped, or re-armed elsewhere in
    /// time): compact once dead entries are many and at least half.
    fn note_dead(&self) {
        let dead = self.dead.fetch_add(1, Ordering::Relaxed) + 1;
        if dead < COMPACT_MIN_DEAD || dead * 2 < self.len.load(Ordering::Relaxed) {
            return;
        }
        self.lock.lock();
        // SAFETY: lock held. Dropping the dead entries' `Arc`s only frees
        // memory (no callback runs).
        let removed = unsafe {
            let heap = &mut *self.heap.get();
            let entries = std::mem::take(heap).into_vec();
            let (live, dead): (Vec<Entry>, Vec<Entry>) =
                entries.into_iter().partition(Entry::is_live);
            *heap = BinaryHeap::from(live);
            self.dead.store(0, Ordering::Relaxed);
            self.len.store(heap.len(), Ordering::Relaxed);
            self.next
                .store(heap.peek().map_or(u64::MAX, |e| e.when), Ordering::Release);
            self.lock.unlock();
            dead
        };
        drop(removed);
    }

    /// Drops every entry (runtime shutdown).
    pub(crate) fn clear(&self) {
        self.lock.lock();
        // SAFETY: lock held.
        let entries = unsafe {
            let heap = &mut *self.heap.get();
            let v = std::mem::take(heap);
            self.len.store(0, Ordering::Relaxed);
            self.next.store(u64::MAX, Ordering::Release);
            self.lock.unlock();
            v
        };
        drop(entries);
    }
}

const ARMED: u64 = 1;

/// A cancellable, re-armable timer: what `time::Timer`, `Ticker`, `after`
/// and `after_func` are built on. Its callback runs on a worker's scheduler
/// context and must not block (it sends with `try_send` or spawns).
pub(crate) struct TimerShared {
    runtime: &'static Shared,
    /// generation << 1 | ARMED
    state: AtomicU64,
    /// Nanoseconds between firings; 0 for a one-shot timer.
    period: AtomicU64,
    /// The heap its current entry sits on (told when the entry dies).
    heap: AtomicPtr<TimerHeap>,
    callback: Box<dyn Fn() + Send + Sync>,
}

impl TimerShared {
    pub(crate) fn new(
        runtime: &'static Shared,
        callback: Box<dyn Fn() + Send + Sync>,
    ) -> Arc<Self> {
        Arc::new(TimerShared {
            runtime,
            state: AtomicU64::new(0),
            period: AtomicU64::new(0),
            heap: AtomicPtr::new(std::ptr::null_mut()),
            callback,
        })
    }

    /// Arms the timer for `when` (runtime clock), firing every `period` ns
    /// after that if non-zero. Returns whether it was armed before (and is
    /// thereby re-armed, as Go's Reset).
    pub(crate) fn start(self: &Arc<Self>, when: u64, period: u64) -> bool {
        self.period.store(period, Ordering::Relaxed);
        let mut s = self.state.load(Ordering::Acquire);
        let generation = loop {
            let generation = (s >> 1) + 1;
            match self.state.compare_exchange(
                s,
                generation << 1 | ARMED,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break generation,
                Err(actual) => s = actual,
            }
        };
        let was_armed = s & ARMED != 0;
        if was_armed {
            self.note_dead();
        }
        let heap = self.runtime.timer_heap_for_current();
        self.heap
            .store((heap as *const TimerHeap).cast_mut(), Ordering::Release);
        heap.push(when, Action::Timer(Arc::clone(self), generation));
        self.runtime.timer_armed();
        was_armed
    }

    fn note_dead(&self) {
        let heap = self.heap.load(Ordering::Acquire);
        if !heap.is_null() {
            // SAFETY: heaps live in their runtime's `Shared`, which is
            // 'static (leaked for the process's life).
            unsafe { (*heap).note_dead() };
        }
    }

    /// Disarms the timer. Returns true if this stopped a pending firing.
    pub(crate) fn stop(&self) -> bool {
        let mut s = self.state.load(Ordering::Acquire);
        while s & ARMED != 0 {
            let next = ((s >> 1) + 1) << 1;
            match self
                .state
                .compare_exchange(s, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => {
                    self.note_dead();
                    return true;
                }
                Err(actual) => s = actual,
            }
        }
        false
    }

    fn fire(self: Arc<Self>, when: u64, generation: u64, now: u64) {
        let armed = generation << 1 | ARMED;
        let period = self.period.load(Ordering::Relaxed);
        if period == 0 {
            if self
                .state
                .compare_exchange(armed, generation << 1, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                (self.callback)();
            }
            return;
        }
        if self.state.load(Ordering::Acquire) != armed {
            return;
        }
        (self.callback)();
        // Next tick on the period's grid, skipping ticks we are too late for.
        let mut next = when.saturating_add(period);
        if next <= now {
            next = now + period - (now - when) % period;
        }
        if self.state.load(Ordering::Acquire) == armed {
            self.runtime
                .timer_heap_for_current()
                .push(next, Action::Timer(Arc::clone(&self), generation));
        }
    }
}
