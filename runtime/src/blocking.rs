//! `blocking(f)`: runs blocking code (file I/O, a C library, a slow DNS
//! lookup) on a separate pool of threads while the calling goroutine parks,
//! so one blocked call does not stall a worker and the goroutines queued on
//! it. Every job gets a thread at once (an idle one, else a new one), so jobs
//! that wait on each other cannot deadlock the pool.

use std::panic::{AssertUnwindSafe, Location};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender};

use crate::sched::WaitReason;
use crate::sched::context;
use crate::sched::oneshot::Oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// How long a pool thread waits for work before it exits.
const IDLE_TIMEOUT: Duration = Duration::from_secs(10);

struct Pool {
    jobs: Sender<Job>,
    queue: Receiver<Job>,
    /// Threads waiting for a job and not reserved by a submitter.
    idle: AtomicUsize,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let (jobs, queue) = crossbeam_channel::unbounded();
        Pool {
            jobs,
            queue,
            idle: AtomicUsize::new(0),
        }
    })
}

impl Pool {
    fn submit(&'static self, job: Job) {
        let reserved = self
            .idle
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
            .is_ok();
        self.jobs
            .send(job)
            .expect("the pool's queue lives for the whole process");
        if !reserved {
            std::thread::Builder::new()
                .name("goru-blocking".into())
                .spawn(move || self.thread_main())
                .expect("goru: cannot start a blocking-pool thread");
        }
    }

    fn thread_main(&'static self) {
        let _known = crate::sched::fatal::KnownThread::enter();
        // A new thread was started for one job: take it without counting as idle.
        let mut reserved = true;
        loop {
            let job = if reserved {
                self.queue.recv().ok()
            } else {
                match self.queue.recv_timeout(IDLE_TIMEOUT) {
                    Ok(j) => Some(j),
                    Err(_) => {
                        // Leave only if no submitter reserved us meanwhile.
                        if self
                            .idle
                            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
                            .is_ok()
                        {
                            return;
                        }
                        self.queue.recv().ok()
                    }
                }
            };
            let Some(job) = job else { return };
            job();
            self.idle.fetch_add(1, Ordering::AcqRel);
            reserved = false;
        }
    }
}

/// Runs `f` on the blocking pool and parks the calling goroutine until it
/// returns; a panic in `f` resumes in the caller. Called outside a
/// goroutine, simply runs `f`.
#[track_caller]
pub fn blocking<F, T>(f: F) -> T
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let at = Location::caller();
    let Some(task) = context::current_task_ref() else {
        return f();
    };
    let runtime = task.shared;
    let result: Arc<Oneshot<std::thread::Result<T>>> = Arc::new(Oneshot::new());
    let out = Arc::clone(&result);
    runtime.blocking_in_flight.fetch_add(1, Ordering::SeqCst);
    pool().submit(Box::new(move || {
        let r = std::panic::catch_unwind(AssertUnwindSafe(f));
        out.send(r);
        runtime.blocking_in_flight.fetch_sub(1, Ordering::SeqCst);
    }));
    match result.recv(WaitReason::Blocking, at) {
        Ok(v) => v,
        Err(p) => std::panic::resume_unwind(p),
    }
}
