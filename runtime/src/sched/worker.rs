//! A worker thread: finds a runnable goroutine, resumes it on its stack until
//! it yields, parks or returns, and repeats; idle, it spins briefly, then
//! sleeps on a futex until notified or until its earliest timer.
//!
//! Where work comes from, in order: the runnext slot (the goroutine just
//! readied here runs next, so ping-pong stays on one core), the local ready
//! queue (started goroutines, which never leave this worker), the inbox
//! (started goroutines woken by other threads), the local queue of new
//! goroutines, expired timers, the global injector, then other workers' new
//! goroutines (stealing; never a started one).
//!
//! GOMAXPROCS (`runtime::set_gomaxprocs`) is a limit on which workers may
//! *start* goroutines: a worker above it keeps running the goroutines it
//! started before (they cannot move), passes every new goroutine it meets to
//! the injector, and takes no shared work.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use corosensei::{Coroutine, CoroutineResult};
use crossbeam_deque::{Steal, Worker as Deque};

use super::context;
use super::fatal;
use super::runtime::{Shared, WorkerShared};
use super::task::{GoroutineYielder, Suspend, Task, TaskRef, WaitReason};
use crate::stack::{self, StackPool};
use crate::util::{clock, rand};

/// Consecutive runnext picks before the ready queue gets a turn: a pair of
/// goroutines handing off to each other cannot starve the rest.
const MAX_RUNNEXT_STREAK: u32 = 32;
/// A busy worker polls the network after this many goroutine runs.
const NET_POLL_EVERY: u32 = 64;

/// How long an idle worker keeps looking for work before it sleeps.
const SPIN: Duration = Duration::from_micros(50);

const UNSTARTED_TAG: usize = 1;
/// A worker about to sleep at least this long releases surplus stack memory.
const SCAVENGE_WHEN_IDLE_FOR: Duration = Duration::from_millis(10);
/// How often an idle runtime looks again for a deadlock it could not rule
/// out yet.
const DEADLOCK_RECHECK: Duration = Duration::from_millis(100);

pub(crate) struct WorkerContext {
    pub(crate) shared: &'static Shared,
    pub(crate) index: usize,
    fresh: Deque<TaskRef>,
    local: RefCell<Local>,
}

struct Local {
    ready: VecDeque<TaskRef>,
    pool: StackPool,
    tick: u64,
    runnext_streak: u32,
    /// Goroutine ids reserved for this worker: next..end.
    next_id: u64,
    end_id: u64,
}

impl WorkerContext {
    pub(crate) fn new(shared: &'static Shared, index: usize, fresh: Deque<TaskRef>) -> Self {
        WorkerContext {
            shared,
            index,
            fresh,
            local: RefCell::new(Local {
                ready: VecDeque::with_capacity(256),
                pool: StackPool::new(shared.stacks),
                tick: 0,
                runnext_streak: 0,
                next_id: 0,
                end_id: 0,
            }),
        }
    }

    fn me(&self) -> &'static WorkerShared {
        &self.shared.workers[self.index]
    }

    /// A goroutine id, from a batch reserved by this worker.
    pub(crate) fn next_goroutine_id(&self) -> u64 {
        let mut l = self.local.borrow_mut();
        if l.next_id == l.end_id {
            const BATCH: u64 = 64;
            l.next_id = self.shared.next_id.fetch_add(BATCH, Ordering::Relaxed);
            l.end_id = l.next_id + BATCH;
        }
        let id = l.next_id;
        l.next_id += 1;
        id
    }

    /// A new goroutine spawned here goes to runnext (Go's newproc), unstarted
    /// and so stealable; whatever was there moves back. On a worker above
    /// the GOMAXPROCS limit it goes to the injector instead.
    pub(crate) fn push_new(&self, task: TaskRef) {
        let graveyard = &self.me().graveyard;
        if !graveyard.is_empty() {
            graveyard.clear();
        }
        if !self.shared.may_start_goroutines(self.index) {
            self.hand_off(task);
            return;
        }
        let raw = (Arc::into_raw(task) as usize | UNSTARTED_TAG) as *mut Task;
        let old = self.me().runnext.swap(raw, Ordering::AcqRel);
        self.requeue_runnext(old);
        self.shared.wake_idle();
    }

    /// Readies `task` here if this is its home; else gives it back.
    #[inline]
    pub(crate) fn ready_local(
        &self,
        task: TaskRef,
        home: usize,
        shared: &'static Shared,
    ) -> Option<TaskRef> {
        if home != self.index || !std::ptr::eq(shared, self.shared) {
            return Some(task);
        }
        let raw = Arc::into_raw(task).cast_mut();
        let old = self.me().runnext.swap(raw, Ordering::AcqRel);
        self.requeue_runnext(old);
        None
    }

    fn requeue_runnext(&self, old: *mut Task) {
        if old.is_null() {
            return;
        }
        let (task, unstarted) = untag(old);
        if unstarted {
            self.fresh.push(task);
        } else {
            self.local.borrow_mut().ready.push_back(task);
        }
    }

    fn take_runnext(&self) -> Option<TaskRef> {
        let p = self
            .me()
            .runnext
            .swap(std::ptr::null_mut(), Ordering::AcqRel);
        (!p.is_null()).then(|| untag(p).0)
    }

    /// The next goroutine from this worker's own queues.
    fn next_local(&self) -> Option<TaskRef> {
        let me = self.me();
        let (tick, streak) = {
            let mut l = self.local.borrow_mut();
            l.tick = l.tick.wrapping_add(1);
            if !me.inbox.is_empty() {
                me.inbox.drain_into(&mut l.ready);
            }
            (l.tick, l.runnext_streak)
        };
        me.activity.tick.store(tick, Ordering::Relaxed);
        if me.timers.next_deadline() != u64::MAX {
            let now = clock::now();
            clock::refresh_coarse(now);
            me.timers.run_expired(now);
        } else if tick.is_multiple_of(256) {
            clock::refresh_coarse(clock::now());
        }
        if tick.is_multiple_of(61) && !me.graveyard.is_empty() {
            me.graveyard.clear();
        }
        if tick.is_multiple_of(61) {
            // Fairness: now and then the global queue and new goroutines go first.
            if self.shared.may_start_goroutines(self.index)
                && let Some(t) = self.steal_injector()
            {
                return Some(t);
            }
            if let Some(t) = self.fresh.pop() {
                return Some(t);
            }
        }
        if streak < MAX_RUNNEXT_STREAK {
            if let Some(t) = self.take_runnext() {
                self.local.borrow_mut().runnext_streak += 1;
                return Some(t);
            }
        } else {
            let p = self
                .me()
                .runnext
                .swap(std::ptr::null_mut(), Ordering::AcqRel);
            self.requeue_runnext(p);
        }
        let mut l = self.local.borrow_mut();
        l.runnext_streak = 0;
        if let Some(t) = l.ready.pop_front() {
            return Some(t);
        }
        drop(l);
        self.fresh.pop()
    }

    fn steal_injector(&self) -> Option<TaskRef> {
        loop {
            match self.shared.injector.steal_batch_and_pop(&self.fresh) {
                Steal::Success(t) => return Some(t),
                Steal::Empty => return None,
                Steal::Retry => {}
            }
        }
    }

    /// Work from elsewhere: the injector, other workers' new goroutines and
    /// their expired timers.
    ///
    /// Not another worker's runnext, even unstarted. Go steals it after
    /// ~3 µs, but Go can move a goroutine later and goru cannot: a new
    /// goroutine stolen away from the one it talks to pays a cross-thread
    /// wake-up on every message for life. A thief cannot tell a spawner stuck
    /// in a goroutine from a spawner's thread that the OS merely paused (on a
    /// loaded machine, for milliseconds), so the stall monitor decides: it
    /// hands a stuck worker's unstarted runnext on once the kernel shows that
    /// worker's thread blocked or busy.
    fn find_remote(&self) -> Option<TaskRef> {
        if let Some(t) = self.steal_injector() {
            return Some(t);
        }
        let n = self.shared.workers.len();
        if n > 1 {
            let start = rand::below(n);
            for k in 0..n {
                let i = (start + k) % n;
                if i == self.index {
                    continue;
                }
                loop {
                    match self.shared.workers[i]
                        .stealer
                        .steal_batch_and_pop(&self.fresh)
                    {
                        Steal::Success(t) => return Some(t),
                        Steal::Empty => break,
                        Steal::Retry => {}
                    }
                }
            }
            let now = clock::now();
            for (i, w) in self.shared.workers.iter().enumerate() {
                if i != self.index && w.timers.next_deadline() <= now {
                    w.timers.run_expired(now);
                }
            }
        }
        None
    }

    fn has_work_anywhere(&self) -> bool {
        let me = self.me();
        if !me.inbox.is_empty() || !self.fresh.is_empty() || !self.local.borrow().ready.is_empty() {
            return true;
        }
        if !me.runnext.load(Ordering::Acquire).is_null() {
            return true;
        }
        let now = clock::now();
        if !self.shared.may_start_goroutines(self.index) {
            // Shared work is not ours to take.
            return me.timers.next_deadline() <= now;
        }
        if !self.shared.injector.is_empty() {
            return true;
        }
        self.shared.workers.iter().any(|w| {
            !w.stealer.is_empty()
                || w.timers.next_deadline() <= now
                || (w.runnext.load(Ordering::Acquire) as usize) & UNSTARTED_TAG != 0
        })
    }

    /// A new goroutine this worker may not start (it is above the GOMAXPROCS
    /// limit): to the injector, for a worker that may.
    #[cold]
    fn hand_off(&self, task: TaskRef) {
        self.shared.injector.push(task);
        self.shared.wake_idle();
    }

    fn run_task(&self, task: TaskRef) {
        if !task.started() {
            if !self.shared.may_start_goroutines(self.index) {
                self.hand_off(task);
                return;
            }
            self.start_task(&task);
        }
        // For the stall monitor: which goroutine holds this worker.
        let activity = &self.me().activity;
        activity.goroutine.store(task.id, Ordering::Relaxed);
        context::set_task(Arc::as_ptr(&task));
        stack::enter_goroutine(task.id, task.spawn_site);
        // SAFETY: the coroutine of a started task is only touched by its home
        // worker, which is this thread, and not re-entrantly.
        let result = unsafe {
            (*task.coroutine.get())
                .as_mut()
                .expect("started task has a coroutine")
                .resume(())
        };
        stack::leave_goroutine();
        context::set_task(std::ptr::null());
        activity.goroutine.store(0, Ordering::Relaxed);
        match result {
            CoroutineResult::Yield(Suspend::Yield) => {
                task.wait_reason
                    .store(WaitReason::Runnable as u8, Ordering::Relaxed);
                self.local.borrow_mut().ready.push_back(task);
            }
            CoroutineResult::Yield(Suspend::Park) => {}
            CoroutineResult::Return(()) => self.finish_task(task),
        }
    }

    /// Gives `task` a stack and a coroutine and makes this worker its home.
    fn start_task(&self, task: &TaskRef) {
        let stack = match self.local.borrow_mut().pool.get() {
            Ok(s) => s,
            Err(e) => fatal::stack_exhausted(&e),
        };
        let task_ptr = Arc::as_ptr(task) as usize;
        let coroutine = Coroutine::with_stack(stack, move |yielder: &GoroutineYielder, ()| {
            // SAFETY: the task outlives its coroutine (its registry entry is
            // removed only after the coroutine finished or was unwound).
            let task = unsafe { &*(task_ptr as *const Task) };
            task.yielder.set(yielder);
            // SAFETY: the entry is run once, here, on the home worker; nothing
            // else touches it after the task started.
            unsafe { (*task.entry.get()).run() };
        });
        task.home.store(self.index, Ordering::Relaxed);
        task.wait_reason
            .store(WaitReason::Running as u8, Ordering::Relaxed);
        // SAFETY: not started, so no other thread touches these fields.
        unsafe { *task.coroutine.get() = Some(coroutine) };
        let me = self.me();
        me.registry_lock.lock();
        // SAFETY: registry lock held.
        unsafe {
            let reg = &mut *me.registry.get();
            task.registry_index.set(reg.len());
            reg.push(Arc::clone(task));
            me.registry_lock.unlock();
        }
    }

    fn finish_task(&self, task: TaskRef) {
        // SAFETY: home worker; the coroutine has returned.
        let coroutine =
            unsafe { (*task.coroutine.get()).take() }.expect("finished task has a coroutine");
        self.local.borrow_mut().pool.put(coroutine.into_stack());
        self.unregister(&task);
        self.me().live.fetch_sub(1, Ordering::Relaxed);
        let spawner = task.spawner;
        if spawner != self.index && spawner < self.shared.workers.len() {
            self.shared.workers[spawner].graveyard.push(task);
        }
    }

    fn unregister(&self, task: &TaskRef) {
        let me = self.me();
        me.registry_lock.lock();
        // SAFETY: registry lock held.
        unsafe {
            let reg = &mut *me.registry.get();
            let i = task.registry_index.get();
            let removed = reg.swap_remove(i);
            debug_assert!(Arc::ptr_eq(&removed, task));
            if let Some(moved) = reg.get(i) {
                moved.registry_index.set(i);
            }
            me.registry_lock.unlock();
            drop(removed);
        }
    }

    fn idle(&self) -> Option<TaskRef> {
        let shared = self.shared;
        if !shared.may_start_goroutines(self.index) {
            // Above the GOMAXPROCS limit: only this worker's own goroutines
            // (next_local), no spinning for shared work.
            return self.next_local();
        }
        shared.idle.start_spinning();
        let start = Instant::now();
        let mut rounds = 0u32;
        let found = loop {
            if let Some(t) = self.next_local().or_else(|| self.find_remote()) {
                break Some(t);
            }
            if shared.shutdown.load(Ordering::Relaxed) {
                break None;
            }
            // Sockets may have readied goroutines: poll on the first round
            // and now and then after (an empty epoll_wait costs a syscall).
            if rounds.is_multiple_of(32)
                && let Some(np) = shared.netpoll.get()
                && np.waiters() > 0
                && np.poll(Some(Duration::ZERO))
            {
                rounds += 1;
                continue;
            }
            rounds += 1;
            if rounds.is_multiple_of(16) && start.elapsed() >= SPIN {
                break None;
            }
            if rounds.is_multiple_of(64) {
                // Let another thread have this CPU if one wants it: on a
                // loaded machine our peer worker may be that thread.
                std::thread::yield_now();
            } else {
                for _ in 0..32 {
                    std::hint::spin_loop();
                }
            }
        };
        let was_last = shared.idle.stop_spinning();
        if found.is_some() && was_last {
            // The last spinner found work: there may be more for a sleeper.
            shared.wake_idle();
        }
        found
    }

    fn sleep(&self) {
        let shared = self.shared;
        self.me().graveyard.clear();
        clock::refresh_coarse(clock::now());
        let me = self.me();
        shared.idle.announce_sleep(self.index);
        if !self.has_work_anywhere() && !shared.shutdown.load(Ordering::SeqCst) {
            // When deadlock detection could not decide (a plain thread or a
            // blocking job may still wake someone), look again later.
            let recheck = shared.has_main.load(Ordering::Relaxed) && fatal::check_deadlock(shared);
            // A worker that may start goroutines fires any worker's expired
            // timers; one above the GOMAXPROCS limit only its own.
            let next_timer = if shared.may_start_goroutines(self.index) {
                shared
                    .workers
                    .iter()
                    .map(|w| w.timers.next_deadline())
                    .min()
                    .unwrap_or(u64::MAX)
            } else {
                me.timers.next_deadline()
            };
            let timer_timeout = (next_timer != u64::MAX)
                .then(|| Duration::from_nanos(next_timer.saturating_sub(clock::now())));
            let timeout = match (timer_timeout, recheck) {
                (Some(t), true) => Some(t.min(DEADLOCK_RECHECK)),
                (None, true) => Some(DEADLOCK_RECHECK),
                (t, false) => t,
            };
            if timeout.is_none_or(|t| t >= SCAVENGE_WHEN_IDLE_FOR) {
                // A long rest ahead: give back the stack memory of a past burst.
                shared.stacks.scavenge();
            }
            if timeout != Some(Duration::ZERO) {
                // With goroutines waiting on sockets, sleep in the poller
                // (unless another worker does): its events are what will
                // wake them, and `Idle::notify` breaks the wait.
                let polled = shared
                    .netpoll
                    .get()
                    .filter(|np| np.waiters() > 0)
                    .is_some_and(|np| {
                        np.poll_with(|| {
                            if shared.idle.begin_poll_sleep(self.index) {
                                timeout
                            } else {
                                Some(Duration::ZERO)
                            }
                        })
                    });
                if !polled {
                    shared.idle.sleep(self.index, timeout);
                }
                // The coarse clock times how long goroutines block: keep it
                // from lagging by the length of this sleep.
                clock::refresh_coarse(clock::now());
            }
        }
        shared.idle.end_sleep(self.index);
        // The stall monitor sleeps while every worker does.
        shared.monitor.wake_if_parked();
    }

    /// Runtime shutdown: unwind this worker's parked goroutines on this
    /// thread (their destructors run), drop queued ones.
    fn shutdown(&self) {
        let me = self.me();
        loop {
            me.registry_lock.lock();
            // SAFETY: registry lock held.
            let task = unsafe {
                let t = (*me.registry.get()).last().cloned();
                me.registry_lock.unlock();
                t
            };
            let Some(task) = task else { break };
            task.cancelled.set(true);
            context::set_task(Arc::as_ptr(&task));
            stack::enter_goroutine(task.id, task.spawn_site);
            // SAFETY: home worker; nothing else resumes it any more.
            let coroutine = unsafe { (*task.coroutine.get()).take() };
            if let Some(mut co) = coroutine {
                let unwound = std::panic::catch_unwind(AssertUnwindSafe(|| co.force_unwind()));
                if unwound.is_ok() && co.done() {
                    self.local.borrow_mut().pool.put(co.into_stack());
                } else {
                    std::mem::forget(co);
                }
            }
            stack::leave_goroutine();
            context::set_task(std::ptr::null());
            self.unregister(&task);
        }
        drop(self.take_runnext());
        self.local.borrow_mut().ready.clear();
        let mut sink = VecDeque::new();
        me.inbox.drain_into(&mut sink);
        drop(sink);
        while self.fresh.pop().is_some() {}
        me.timers.clear();
        me.graveyard.clear();
    }
}

/// Takes `w`'s runnext if it holds a goroutine that has not started (the
/// stall monitor hands it to the injector when `w` is stuck).
pub(crate) fn take_unstarted_runnext(w: &WorkerShared) -> Option<TaskRef> {
    let p = w.runnext.load(Ordering::Acquire);
    if p.is_null() || (p as usize) & UNSTARTED_TAG == 0 {
        return None;
    }
    w.runnext
        .compare_exchange(p, std::ptr::null_mut(), Ordering::AcqRel, Ordering::Relaxed)
        .ok()
        .map(|p| untag(p).0)
}

fn untag(p: *mut Task) -> (TaskRef, bool) {
    let unstarted = (p as usize) & UNSTARTED_TAG != 0;
    let raw = ((p as usize) & !UNSTARTED_TAG) as *const Task;
    // SAFETY: every pointer stored in a runnext slot came from
    // `Arc::into_raw` (possibly tagged), and whoever swapped or CASed it out
    // owns that reference.
    (unsafe { Arc::from_raw(raw) }, unstarted)
}

/// The worker thread's body.
pub(crate) fn run_worker(ctx: WorkerContext) {
    let _known = fatal::KnownThread::enter();
    stack::install_overflow_handler();
    // SAFETY: gettid has no preconditions.
    let tid = unsafe { libc::gettid() };
    ctx.me().activity.tid.store(tid, Ordering::Relaxed);
    context::set_worker(&ctx);
    let shared = ctx.shared;
    let mut runs = 0u32;
    while !shared.shutdown.load(Ordering::Relaxed) {
        // idle() looks at other workers and the injector before it spins.
        if let Some(t) = ctx.next_local().or_else(|| ctx.idle()) {
            ctx.run_task(t);
            // A busy worker polls the network now and then, so goroutines
            // waiting on sockets are not starved by ones that keep every
            // worker busy (Go's sysmon does the same).
            runs = runs.wrapping_add(1);
            if runs.is_multiple_of(NET_POLL_EVERY)
                && let Some(np) = shared.netpoll.get()
                && np.waiters() > 0
            {
                np.poll(Some(Duration::ZERO));
            }
            continue;
        }
        if shared.shutdown.load(Ordering::Relaxed) {
            break;
        }
        ctx.sleep();
    }
    ctx.shutdown();
    context::set_worker(std::ptr::null());
    let mut exited = shared
        .workers_exited
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    *exited += 1;
    shared.workers_exited_cv.notify_all();
}
