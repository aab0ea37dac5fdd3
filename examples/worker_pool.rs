//! A worker pool: three goroutines take jobs from one channel and send
//! results to another; a select per job gives up on a slow consumer.
//! (Written with the plain-Rust API; the Go syntax macros come next.)

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use goru::select::{RecvCase, SendCase, select};
use goru::{Chan, Receiver, Sender, time};

fn worker(
    id: i32,
    jobs: Receiver<i32>,
    results: Sender<i32>,
    remaining: Arc<AtomicUsize>,
    done: Sender<()>,
) {
    for j in &jobs {
        let mut send = SendCase::new(results.raw(), j * 2);
        let timeout = time::after(time::ms(500));
        let mut slow = RecvCase::new(timeout.raw());
        if select(&mut [send.case(), slow.case()], false) == Some(1) {
            println!("worker {id}: slow consumer");
        }
    }
    if remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
        done.close();
    }
}

fn main() {
    goru::run(|| {
        let jobs = Chan::<i32>::new(100);
        let results = Chan::<i32>::new(0);
        let done = Chan::<()>::new(0);
        let remaining = Arc::new(AtomicUsize::new(3));
        for w in 1..=3 {
            let (jobs, results, remaining, done) = (
                jobs.receiver(),
                results.sender(),
                remaining.clone(),
                done.sender(),
            );
            goru::go(move || worker(w, jobs, results, remaining, done));
        }
        let feeder = jobs.clone();
        goru::go(move || {
            for j in 1..=9 {
                feeder.send(j).expect("jobs is open");
            }
            feeder.close();
        });
        let closer = results.clone();
        goru::go(move || {
            done.recv(); // closed when the last worker returns
            closer.close();
        });
        let mut all: Vec<i32> = results.iter().collect();
        all.sort_unstable();
        println!("{all:?}");
    });
}
