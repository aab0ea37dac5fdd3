//! Linux futex wait/wake on an `AtomicU32`: the one OS primitive the raw lock
//! and the worker parker sleep on. Under loom, a model of it (see `model`).

#[cfg(loom)]
pub(crate) use model::{wait, wake};
#[cfg(not(loom))]
pub(crate) use os::{wait, wake};

#[cfg(not(loom))]
mod os {
    use std::time::Duration;

    use crate::util::prim::AtomicU32;

    /// Sleeps while `*word == expected`, at most `timeout` if given. Returns on a
    /// wake, a timeout, a signal or a spurious wake-up: callers re-check their
    /// condition in a loop.
    pub(crate) fn wait(word: &AtomicU32, expected: u32, timeout: Option<Duration>) {
        let ts;
        let ts_ptr = match timeout {
            Some(d) => {
                ts = libc::timespec {
                    tv_sec: d.as_secs().min(i64::MAX as u64) as libc::time_t,
                    tv_nsec: libc::c_long::from(d.subsec_nanos() as i32),
                };
                &ts as *const libc::timespec
            }
            None => std::ptr::null(),
        };
        // SAFETY: `word` is a valid, aligned u32 for the duration of the call and
        // `ts_ptr` is null or points to a live timespec; FUTEX_WAIT only reads them.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                word.as_ptr(),
                libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
                expected,
                ts_ptr,
            );
        }
    }

    /// Wakes up to `count` threads sleeping in [`wait`] on `word`.
    pub(crate) fn wake(word: &AtomicU32, count: i32) {
        // SAFETY: FUTEX_WAKE only uses the address of `word` as a key.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                word.as_ptr(),
                libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
                count,
            );
        }
    }
}

/// The futex's contract for loom: `wait` sleeps only while the word holds
/// `expected`, checked atomically with going to sleep, and `wake` reaches
/// every sleeper that checked before it. One lock and condition variable per
/// model stand for the kernel's hash of waiters; waking all of them is
/// allowed, since a futex may wake spuriously. A lost wake-up in the code
/// above then shows as a deadlock loom reports.
#[cfg(loom)]
mod model {
    use std::time::Duration;

    use loom::sync::{Condvar, Mutex};

    use crate::util::prim::{AtomicU32, Ordering};

    struct Waiters {
        lock: Mutex<()>,
        cv: Condvar,
    }

    loom::lazy_static! {
        static ref WAITERS: Waiters = Waiters { lock: Mutex::new(()), cv: Condvar::new() };
    }

    pub(crate) fn wait(word: &AtomicU32, expected: u32, timeout: Option<Duration>) {
        if timeout.is_some() {
            // A timed wait may end at any moment: model it as ending now.
            loom::thread::yield_now();
            return;
        }
        let guard = WAITERS.lock.lock().unwrap();
        if word.load(Ordering::SeqCst) == expected {
            drop(WAITERS.cv.wait(guard).unwrap());
        }
    }

    pub(crate) fn wake(_word: &AtomicU32, _count: i32) {
        let _guard = WAITERS.lock.lock().unwrap();
        WAITERS.cv.notify_all();
    }
}
