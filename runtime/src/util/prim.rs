//! The primitives the lock-free and park/unpark core is built on: atomics,
//! the cell that holds values in flight, thread parking and spin hints.
//!
//! Normally these are std's. Under `--cfg loom` (scripts/loom.sh) they are
//! loom's instrumented versions, so loom can explore every interleaving of
//! the real channel, select, parking and sync code (as tokio does with its
//! `loom` module). Code in the modelled core takes its primitives from here,
//! never from std directly; the rest of the runtime (the scheduler, stacks,
//! statics) keeps std's, which loom sees as plain code.

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{
    AtomicBool, AtomicI32, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence,
};
#[cfg(not(loom))]
pub(crate) use std::sync::{Mutex, MutexGuard};
#[cfg(not(loom))]
pub(crate) use std::thread::{Thread, current as current_thread, park};

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{
    AtomicBool, AtomicI32, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence,
};
#[cfg(loom)]
pub(crate) use loom::sync::{Mutex, MutexGuard};
#[cfg(loom)]
pub(crate) use parker::{Thread, current_thread, park};

/// A busy-wait hint. Under loom a spinning thread must yield, or the model
/// would explore the spin forever.
#[inline]
pub(crate) fn spin_loop() {
    #[cfg(not(loom))]
    std::hint::spin_loop();
    #[cfg(loom)]
    loom::thread::yield_now();
}

/// Where a `SeqCst` access to one atomic must be ordered before a `SeqCst`
/// access to another (a Dekker pair: "raise my flag, then look at yours"),
/// the C++ memory model already orders them, but loom models `SeqCst`
/// accesses as `AcqRel` (a documented limit of loom) and would report lost
/// wake-ups that cannot happen. This `SeqCst` fence, under loom only, gives
/// the model the ordering the real accesses have; it costs nothing outside
/// loom.
#[inline(always)]
pub(crate) fn loom_seqcst_fence() {
    #[cfg(loom)]
    fence(Ordering::SeqCst);
}

/// A cell for values in flight between threads (ring slots, a parked
/// caller's hand-off slot), with loom's closure API (`with`, `with_mut`):
/// under loom, every access is checked to be ordered after the one that
/// handed the value over.
#[cfg(not(loom))]
#[derive(Debug, Default)]
pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(loom)]
#[derive(Debug)]
pub(crate) struct UnsafeCell<T>(loom::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    #[inline]
    pub(crate) const fn new(value: T) -> Self {
        UnsafeCell(std::cell::UnsafeCell::new(value))
    }

    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    #[inline]
    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }

    #[inline]
    pub(crate) fn get_mut(&mut self) -> &mut T {
        self.0.get_mut()
    }
}

#[cfg(loom)]
impl<T> UnsafeCell<T> {
    pub(crate) fn new(value: T) -> Self {
        UnsafeCell(loom::cell::UnsafeCell::new(value))
    }

    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        self.0.with(f)
    }

    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        self.0.with_mut(f)
    }

    pub(crate) fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` is exclusive; loom records the access here.
        self.0.with_mut(|p| unsafe { &mut *p })
    }
}

/// Declares a `const fn` that is a plain `fn` under loom, whose atomics have
/// no `const` constructor. Public constructors keep their `const` for users
/// (`static M: Mutex<u32> = Mutex::new(0)`).
macro_rules! const_fn_unless_loom {
    ($(#[$attr:meta])* $vis:vis const fn $($rest:tt)*) => {
        #[cfg(not(loom))]
        $(#[$attr])*
        $vis const fn $($rest)*

        #[cfg(loom)]
        $(#[$attr])*
        $vis fn $($rest)*
    };
}
pub(crate) use const_fn_unless_loom;

/// std's thread parking for loom: a token per thread, which `unpark` sets
/// and `park` waits for and consumes. Built on loom's lock and condition
/// variable rather than loom's own `park`, because a waker may unpark a
/// thread that has already seen its wake-up and moved on (harmless with
/// std's token), and loom's `unpark` would then wake that thread out of an
/// unrelated wait, such as a join.
#[cfg(loom)]
mod parker {
    use std::sync::Arc;

    use loom::sync::{Condvar, Mutex};

    #[derive(Clone, Debug)]
    pub(crate) struct Thread(Arc<Token>);

    #[derive(Debug)]
    struct Token {
        set: Mutex<bool>,
        cv: Condvar,
    }

    loom::thread_local! {
        static CURRENT: Thread = Thread(Arc::new(Token {
            set: Mutex::new(false),
            cv: Condvar::new(),
        }));
    }

    pub(crate) fn current_thread() -> Thread {
        CURRENT.with(Thread::clone)
    }

    pub(crate) fn park() {
        let me = current_thread();
        let mut set = me.0.set.lock().unwrap();
        while !*set {
            set = me.0.cv.wait(set).unwrap();
        }
        *set = false;
    }

    impl Thread {
        pub(crate) fn unpark(&self) {
            *self.0.set.lock().unwrap() = true;
            self.0.cv.notify_one();
        }
    }
}

/// Runs a loom model of the real code: every interleaving up to a bound on
/// preemptions (`LOOM_MAX_PREEMPTIONS`, default 2, which finds the known
/// classes of concurrency bugs at a cost CI can pay; scripts/loom.sh).
#[cfg(all(test, loom))]
pub(crate) fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(2);
    }
    // A channel operation is dozens of atomic accesses, each a branch; the
    // default of 1,000 is too few for three threads.
    builder.max_branches = builder.max_branches.max(20_000);
    builder.check(f);
}
