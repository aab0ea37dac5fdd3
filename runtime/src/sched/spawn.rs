//! Starting goroutines: `go` (Go's statement: fire and forget, a panic
//! crashes the program) and `spawn` (Rust-style, with a `JoinHandle`).

use std::panic::{AssertUnwindSafe, Location};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::context;
use super::fatal;
use super::oneshot::Oneshot;
use super::runtime::{Shared, current_or_global};
use super::task::{NO_HOME, Task, WaitReason};

pub(crate) use super::entry::Entry;

/// Queues a new goroutine running `entry` on `shared`; returns its id.
pub(crate) fn spawn_on(
    shared: &'static Shared,
    entry: Entry,
    site: &'static Location<'static>,
) -> u64 {
    match context::current_worker().filter(|w| std::ptr::eq(w.shared, shared)) {
        Some(w) => {
            let id = w.next_goroutine_id();
            shared.workers[w.index].live.fetch_add(1, Ordering::Relaxed);
            w.push_new(Task::new(shared, id, site, w.index, entry));
            id
        }
        None => {
            let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
            shared.workers[0].live.fetch_add(1, Ordering::Relaxed);
            shared
                .injector
                .push(Task::new(shared, id, site, NO_HOME, entry));
            shared.wake_idle();
            if shared.idle.num_sleeping() == shared.workers.len() {
                shared.wake_one_sleeper();
            }
            id
        }
    }
}

/// Wraps `f` as a `go` goroutine's entry: an unrecovered panic is fatal.
pub(crate) fn go_entry<F: FnOnce() + Send + 'static>(f: F) -> Entry {
    Entry::new(move || {
        if let Err(payload) = std::panic::catch_unwind(AssertUnwindSafe(f)) {
            let task = context::current_task_ref().expect("entry runs in its goroutine");
            fatal::goroutine_panicked(task, payload);
        }
    })
}

/// Runs `f` in a new goroutine, like Go's `go f()`: the call returns at once;
/// an unrecovered panic in `f` ends the program with Go's report and exit
/// status 2. This is what the `go!` macro calls.
#[track_caller]
pub fn go<F>(f: F)
where
    F: FnOnce() + Send + 'static,
{
    spawn_on(current_or_global(), go_entry(f), Location::caller());
}

/// Runs `f` in a new goroutine and returns a handle to wait for its result,
/// the Rust way (`std::thread::spawn`'s shape): a panic in `f` is reported on
/// stderr and handed to [`JoinHandle::join`] instead of ending the program.
#[track_caller]
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let result = Arc::new(Oneshot::new());
    let out = Arc::clone(&result);
    let entry = Entry::new(move || {
        let r = std::panic::catch_unwind(AssertUnwindSafe(f));
        if let Err(payload) = &r {
            let task = context::current_task_ref().expect("entry runs in its goroutine");
            if task.cancelled.get() {
                // The runtime is unwinding this goroutine at shutdown: tell
                // a joiner instead of leaving it waiting, then keep unwinding.
                out.send(Err(Box::new("goroutine cancelled: its runtime shut down")
                    as Box<dyn std::any::Any + Send>));
                let Err(payload) = r else { unreachable!() };
                std::panic::resume_unwind(payload);
            }
            fatal::spawned_panicked(task, &**payload);
        }
        out.send(r);
    });
    let id = spawn_on(current_or_global(), entry, Location::caller());
    JoinHandle { result, id }
}

/// Waits for a goroutine started with [`spawn`].
pub struct JoinHandle<T> {
    result: Arc<Oneshot<std::thread::Result<T>>>,
    id: u64,
}

impl<T> std::fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinHandle")
            .field("goroutine", &self.id)
            .finish()
    }
}

impl<T> JoinHandle<T> {
    /// Parks until the goroutine returns; `Err` carries its panic payload.
    /// From a plain thread, blocks the thread.
    #[track_caller]
    pub fn join(self) -> std::thread::Result<T> {
        self.result.recv(WaitReason::Join, Location::caller())
    }

    /// Whether the goroutine has returned (or panicked).
    pub fn is_finished(&self) -> bool {
        self.result.is_ready()
    }

    /// The goroutine's id, as in dumps and panic reports.
    pub fn id(&self) -> u64 {
        self.id
    }
}
