//! The network poller (Go's netpoll): goroutines waiting for a socket to
//! become readable or writable park here, and the scheduler's workers poll
//! epoll (through mio) for them.
//!
//! Integration, as in Go: workers with nothing to run poll without
//! blocking before they sleep, and one of them (whoever takes the poller's
//! lock) sleeps *in* epoll instead of on its futex, until the next timer is
//! due or a notification breaks the wait (`Idle::notify` wakes it through
//! mio's waker). Busy workers poll without blocking every few scheduling
//! rounds, so I/O readiness is not starved by CPU-bound goroutines. No
//! separate thread runs user code.
//!
//! Each socket has a [`PollDesc`]: per direction, a "ready" flag (an edge
//! arrived that nobody consumed) and at most one parked waiter. Sockets are
//! registered edge-triggered, once, on their first wait in a goroutine. A
//! plain thread waits with `poll(2)` on the socket itself instead.

use std::io;
use std::os::fd::RawFd;
use std::panic::Location;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token, Waker};

use super::context;
use super::parking::{Parking, Wake};
use super::runtime::Shared;
use super::task::WaitReason;
use super::timers::TimerShared;
use crate::util::clock;

const WAKER: Token = Token(usize::MAX);
const EVENTS: usize = 256;

/// A runtime's poller. Created with the runtime's first socket wait.
pub(crate) struct NetPoller {
    /// Held by the one worker polling; others `try_lock` and move on.
    inner: Mutex<PollState>,
    registry: mio::Registry,
    waker: Waker,
    /// Registered sockets by token (slab with a free list).
    descs: Mutex<Slab>,
    /// Goroutines parked on a socket: while any is, the runtime is not
    /// deadlocked (Go's rule) and idle workers poll.
    waiters: AtomicUsize,
    /// The runtime this poller belongs to (deadline timers run there).
    runtime: &'static Shared,
}

struct PollState {
    poll: Poll,
    events: Events,
}

#[derive(Default)]
struct Slab {
    entries: Vec<Option<Weak<PollDesc>>>,
    free: Vec<usize>,
}

impl NetPoller {
    fn new(runtime: &'static Shared) -> io::Result<NetPoller> {
        let poll = Poll::new()?;
        let registry = poll.registry().try_clone()?;
        let waker = Waker::new(poll.registry(), WAKER)?;
        Ok(NetPoller {
            inner: Mutex::new(PollState {
                poll,
                events: Events::with_capacity(EVENTS),
            }),
            registry,
            waker,
            descs: Mutex::new(Slab::default()),
            waiters: AtomicUsize::new(0),
            runtime,
        })
    }

    /// The runtime's poller, created on first use.
    pub(crate) fn of(shared: &'static Shared) -> io::Result<&'static NetPoller> {
        if let Some(p) = shared.netpoll.get() {
            return Ok(p);
        }
        let p = NetPoller::new(shared)?;
        let p = shared.netpoll.get_or_init(|| p);
        let p: &'static NetPoller = p;
        shared.idle.set_poll_breaker(Box::new(move || {
            let _ = p.waker.wake();
        }));
        Ok(p)
    }

    /// Goroutines parked on sockets of this runtime.
    pub(crate) fn waiters(&self) -> usize {
        self.waiters.load(Ordering::SeqCst)
    }

    /// Polls epoll once, waiting at most `timeout` (`None`: until an event
    /// or a break), and wakes the goroutines whose sockets became ready.
    /// Returns false without polling if another worker is polling.
    pub(crate) fn poll(&self, timeout: Option<Duration>) -> bool {
        self.poll_with(|| timeout)
    }

    /// `poll`, with the timeout decided once this caller holds the poller
    /// (a worker going to sleep in epoll first tells `Idle` so).
    pub(crate) fn poll_with(&self, timeout: impl FnOnce() -> Option<Duration>) -> bool {
        let Ok(mut guard) = self.inner.try_lock() else {
            return false;
        };
        let timeout = timeout();
        let PollState { poll, events } = &mut *guard;
        if let Err(e) = poll.poll(events, timeout)
            && e.kind() != io::ErrorKind::Interrupted
        {
            // epoll_wait only fails on a bad epoll fd or buffer: a bug.
            panic!("goru: netpoll: epoll_wait failed: {e}");
        }
        // Take the sockets out first: the last reference to one may be
        // dropped here, and dropping deregisters, which takes `descs`.
        let mut ready = Vec::new();
        {
            let descs = self.descs.lock().unwrap_or_else(|e| e.into_inner());
            for ev in events.iter() {
                if ev.token() == WAKER {
                    continue;
                }
                let Some(pd) = descs
                    .entries
                    .get(ev.token().0)
                    .and_then(|e| e.as_ref())
                    .and_then(Weak::upgrade)
                else {
                    continue;
                };
                let failed = ev.is_error() || ev.is_read_closed() && ev.is_write_closed();
                let read = ev.is_readable() || ev.is_read_closed() || failed;
                let write = ev.is_writable() || ev.is_write_closed() || failed;
                ready.push((pd, read, write));
            }
        }
        drop(guard);
        for (pd, read, write) in ready {
            if read && let Some(w) = pd.set_ready(Dir::Read) {
                w.wake();
            }
            if write && let Some(w) = pd.set_ready(Dir::Write) {
                w.wake();
            }
        }
        true
    }

    fn register(&'static self, pd: &Arc<PollDesc>) -> io::Result<usize> {
        let token = {
            let mut slab = self.descs.lock().unwrap_or_else(|e| e.into_inner());
            let weak = Some(Arc::downgrade(pd));
            match slab.free.pop() {
                Some(t) => {
                    slab.entries[t] = weak;
                    t
                }
                None => {
                    slab.entries.push(weak);
                    slab.entries.len() - 1
                }
            }
        };
        if let Err(e) = self.registry.register(
            &mut SourceFd(&pd.fd),
            Token(token),
            Interest::READABLE | Interest::WRITABLE,
        ) {
            self.release_token(token);
            return Err(e);
        }
        Ok(token)
    }

    fn deregister(&self, fd: RawFd, token: usize) {
        // The fd is closed right after; epoll drops closed fds by itself,
        // but deregistering first keeps a reused fd number from inheriting
        // the registration.
        let _ = self.registry.deregister(&mut SourceFd(&fd));
        self.release_token(token);
    }

    fn release_token(&self, token: usize) {
        let mut slab = self.descs.lock().unwrap_or_else(|e| e.into_inner());
        slab.entries[token] = None;
        slab.free.push(token);
    }
}

/// Which way a socket operation waits.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Dir {
    Read,
    Write,
}

/// A socket's poll state (Go's pollDesc).
pub(crate) struct PollDesc {
    fd: RawFd,
    registered: OnceLock<(&'static NetPoller, usize)>,
    sides: Mutex<[Side; 2]>,
    /// Per direction: the deadline on the runtime clock, 0 for none
    /// (Go's SetReadDeadline / SetWriteDeadline).
    deadlines: [AtomicU64; 2],
    /// Per direction: the timer that wakes a waiter at its deadline, made
    /// on the first wait with a deadline.
    timers: [OnceLock<Arc<TimerShared>>; 2],
}

#[derive(Default)]
struct Side {
    /// An edge arrived that no waiter consumed yet.
    ready: bool,
    /// The parked goroutine, on its stack until woken.
    waiter: Option<*const Parking>,
    /// Set with the waiter's wake-up when its deadline passed.
    expired: bool,
}

// SAFETY: the waiter pointers are only used under `sides`' lock, and a
// parked waiter's `Parking` stays in place until it is taken out and woken
// (or the waiter removes it itself when unwinding).
unsafe impl Send for PollDesc {}
// SAFETY: as above.
unsafe impl Sync for PollDesc {}

impl PollDesc {
    pub(crate) fn new(fd: RawFd) -> Arc<PollDesc> {
        Arc::new(PollDesc {
            fd,
            registered: OnceLock::new(),
            sides: Mutex::new([Side::default(), Side::default()]),
            deadlines: [AtomicU64::new(0), AtomicU64::new(0)],
            timers: [OnceLock::new(), OnceLock::new()],
        })
    }

    /// Sets the deadline for `dir` (`None`: no deadline). A goroutine
    /// waiting in that direction sees the new deadline at once: a past one
    /// wakes it with "i/o timeout", a later one extends its wait.
    pub(crate) fn set_deadline(self: &Arc<Self>, dir: Dir, deadline: Option<std::time::Instant>) {
        let when = deadline.map_or(0, |d| {
            let now = std::time::Instant::now();
            let left = d.saturating_duration_since(now);
            // Never 0 (that means "none"); a past deadline is "now".
            clock::deadline_after(left).max(1)
        });
        self.deadlines[dir as usize].store(when, Ordering::SeqCst);
        let waiting = self.lock()[dir as usize].waiter.is_some();
        if !waiting {
            return;
        }
        match (when, self.timers[dir as usize].get()) {
            (0, Some(t)) => {
                t.stop();
            }
            (0, None) => {}
            (when, Some(t)) => {
                t.start(when, 0);
            }
            // A goroutine waiting without a timer (it had no deadline when
            // it parked): arm one on its runtime now.
            (when, None) => {
                if let Some((poller, _)) = self.registered.get() {
                    self.timer(dir, poller.runtime).start(when, 0);
                }
            }
        }
    }

    /// The deadline timer for `dir`, made on first use.
    fn timer(self: &Arc<Self>, dir: Dir, runtime: &'static Shared) -> &Arc<TimerShared> {
        self.timers[dir as usize].get_or_init(|| {
            let pd = Arc::downgrade(self);
            TimerShared::new(
                runtime,
                Box::new(move || {
                    if let Some(pd) = pd.upgrade() {
                        pd.expire(dir);
                    }
                }),
            )
        })
    }

    /// The deadline timer fired: wake the waiter with "i/o timeout" if its
    /// deadline has really passed (it may have been moved since).
    fn expire(&self, dir: Dir) {
        let deadline = self.deadlines[dir as usize].load(Ordering::SeqCst);
        if deadline == 0 || deadline > clock::now() {
            return;
        }
        let wake = {
            let mut sides = self.lock();
            let side = &mut sides[dir as usize];
            side.waiter.take().map(|p| {
                side.expired = true;
                // SAFETY: a queued waiter's parking is alive until woken.
                unsafe { &*p }.prepare_wake()
            })
        };
        if let Some(w) = wake {
            w.wake();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, [Side; 2]> {
        self.sides.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// An edge for `dir`: wake its waiter, or remember it.
    fn set_ready(&self, dir: Dir) -> Option<Wake> {
        let mut sides = self.lock();
        let side = &mut sides[dir as usize];
        match side.waiter.take() {
            Some(p) => {
                side.ready = false;
                // SAFETY: a queued waiter's parking is alive until woken.
                Some(unsafe { &*p }.prepare_wake())
            }
            None => {
                side.ready = true;
                None
            }
        }
    }

    /// Runs `op` until it stops returning `WouldBlock`, waiting for the
    /// socket in between: a goroutine parks on the runtime's poller, a
    /// plain thread blocks in `poll(2)`.
    #[track_caller]
    pub(crate) fn io<R>(
        self: &Arc<Self>,
        dir: Dir,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> io::Result<R> {
        let at = Location::caller();
        loop {
            match op() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                r => return r,
            }
            self.wait(dir, at)?;
        }
    }

    fn wait(self: &Arc<Self>, dir: Dir, at: &'static Location<'static>) -> io::Result<()> {
        let deadline = self.deadlines[dir as usize].load(Ordering::SeqCst);
        if deadline != 0 && deadline <= clock::now() {
            return Err(timeout_error());
        }
        let Some(task) = context::current_task_ref() else {
            return poll_fd(self.fd, dir, (deadline != 0).then_some(deadline));
        };
        let poller = match self.registered.get() {
            Some((p, _)) => *p,
            None => {
                let p = NetPoller::of(task.shared)?;
                if self.registered.get().is_none() {
                    let token = p.register(self)?;
                    if self.registered.set((p, token)).is_err() {
                        p.release_token(token);
                    }
                }
                self.registered.get().expect("registered above").0
            }
        };
        let parking = Parking::for_current();
        {
            let mut sides = self.lock();
            let side = &mut sides[dir as usize];
            if side.ready {
                // An edge since the last wait: the operation may go through.
                side.ready = false;
                return Ok(());
            }
            assert!(
                side.waiter.is_none(),
                "goru: two goroutines wait to {} on one socket at once; give each its own \
                 (try_clone) or guard it with a Mutex",
                if dir == Dir::Read { "read" } else { "write" }
            );
            side.waiter = Some(&parking);
            side.expired = false;
        }
        poller.waiters.fetch_add(1, Ordering::SeqCst);
        let guard = LeaveOnUnwind {
            pd: self,
            dir,
            parking: &parking,
            poller,
        };
        let timer = (deadline != 0).then(|| {
            let t = self.timer(dir, task.shared);
            t.start(deadline, 0);
            t
        });
        parking.park(WaitReason::IoWait, at);
        std::mem::forget(guard);
        poller.waiters.fetch_sub(1, Ordering::SeqCst);
        if let Some(t) = timer {
            t.stop();
        }
        if std::mem::take(&mut self.lock()[dir as usize].expired) {
            return Err(timeout_error());
        }
        Ok(())
    }
}

impl Drop for PollDesc {
    fn drop(&mut self) {
        if let Some((poller, token)) = self.registered.get() {
            poller.deregister(self.fd, *token);
        }
    }
}

/// Takes a parked waiter out of its socket if it unwinds instead of being
/// woken (a runtime shutting down unwinds its parked goroutines).
struct LeaveOnUnwind<'a> {
    pd: &'a PollDesc,
    dir: Dir,
    parking: &'a Parking,
    poller: &'a NetPoller,
}

impl Drop for LeaveOnUnwind<'_> {
    fn drop(&mut self) {
        let mut sides = self.pd.lock();
        let side = &mut sides[self.dir as usize];
        if side.waiter == Some(self.parking as *const Parking) {
            side.waiter = None;
        }
        self.poller.waiters.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A plain thread's wait: `poll(2)` on the socket alone.
fn poll_fd(fd: RawFd, dir: Dir, deadline: Option<u64>) -> io::Result<()> {
    let events = match dir {
        Dir::Read => libc::POLLIN,
        Dir::Write => libc::POLLOUT,
    };
    let mut pfd = libc::pollfd {
        fd,
        events,
        revents: 0,
    };
    let timeout = match deadline {
        None => -1,
        Some(d) => {
            let left = d.saturating_sub(clock::now());
            if left == 0 {
                return Err(timeout_error());
            }
            // Round up, so a wait never ends before the deadline.
            left.div_ceil(1_000_000).min(i32::MAX as u64) as i32
        }
    };
    // SAFETY: `pfd` is a valid pollfd for the duration of the call.
    let n = unsafe { libc::poll(&mut pfd, 1, timeout) };
    if n < 0 {
        let e = io::Error::last_os_error();
        return if e.kind() == io::ErrorKind::Interrupted {
            Ok(())
        } else {
            Err(e)
        };
    }
    if n == 0 {
        return Err(timeout_error());
    }
    Ok(())
}

/// Go's "i/o timeout", as an `io::ErrorKind::TimedOut` error.
pub(crate) fn timeout_error() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "i/o timeout")
}
