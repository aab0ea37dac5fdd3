//! loom models of the channel core: the unbuffered hand-off under the lock,
//! the lock-free ring with its waiter flags, and close. Each runs the real
//! channel code from loom threads (which park like plain OS threads do), in
//! every interleaving up to the preemption bound. A lost wake-up shows as a
//! deadlock loom reports; a value handed over without ordering shows as a
//! causality error on its slot; a lost or duplicated value fails an assert.
//!
//! Run: `scripts/loom.sh` (`RUSTFLAGS="--cfg loom" cargo test -p
//! goru-runtime --lib --release loom`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use loom::thread;

use crate::chan::{Chan, TryRecvError};
use crate::util::prim::model;

/// A value that counts its drops, to check each is dropped exactly once.
struct Counted(u32, Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.1.fetch_add(1, Ordering::Relaxed);
    }
}

#[test]
fn loom_unbuffered_hand_off_keeps_order() {
    model(|| {
        let ch = Chan::<u32>::new(0);
        let tx = ch.clone();
        let sender = thread::spawn(move || {
            tx.send(1).unwrap();
            tx.send(2).unwrap();
        });
        assert_eq!(ch.recv(), Some(1));
        assert_eq!(ch.recv(), Some(2));
        sender.join().unwrap();
    });
}

#[test]
fn loom_unbuffered_close_after_send() {
    model(|| {
        let ch = Chan::<u32>::new(0);
        let tx = ch.clone();
        let sender = thread::spawn(move || {
            tx.send(7).unwrap();
            tx.close();
        });
        assert_eq!(ch.recv(), Some(7));
        assert_eq!(ch.recv(), None);
        sender.join().unwrap();
    });
}

#[test]
fn loom_close_gives_a_parked_sender_its_value_back() {
    model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let ch = Chan::<Counted>::new(0);
        let tx = ch.clone();
        let d = drops.clone();
        let sender = thread::spawn(move || {
            // Nobody receives: the send either finds the channel closed or
            // parks and is woken by close; both give the value back.
            let back = tx.send(Counted(5, d)).unwrap_err().0;
            assert_eq!(back.0, 5);
        });
        ch.close();
        sender.join().unwrap();
        assert_eq!(drops.load(Ordering::Relaxed), 1);
    });
}

#[test]
fn loom_buffered_parked_senders_are_served_in_turn() {
    // Capacity 1, two senders: one of them parks on the full ring (its flag
    // sends later sends to the lock), and the receive that frees the slot
    // moves its value in.
    model(|| {
        let ch = Chan::<u32>::new(1);
        let senders: Vec<_> = [1, 2]
            .into_iter()
            .map(|v| {
                let tx = ch.clone();
                thread::spawn(move || tx.send(v).unwrap())
            })
            .collect();
        let a = ch.recv().unwrap();
        let b = ch.recv().unwrap();
        assert_eq!(a + b, 3);
        assert_ne!(a, b);
        for s in senders {
            s.join().unwrap();
        }
        assert_eq!(ch.try_recv(), Err(TryRecvError::Empty));
    });
}

#[test]
fn loom_buffered_receiver_parked_on_empty_ring_gets_a_lock_free_send() {
    model(|| {
        let ch = Chan::<u32>::new(1);
        let rx = ch.clone();
        let receiver = thread::spawn(move || rx.recv());
        ch.send(1).unwrap();
        assert_eq!(receiver.join().unwrap(), Some(1));
        assert_eq!(ch.len(), 0);
    });
}

#[test]
fn loom_buffered_two_receivers_one_value_each() {
    model(|| {
        let ch = Chan::<u32>::new(1);
        let receivers: Vec<_> = (0..2)
            .map(|_| {
                let rx = ch.clone();
                thread::spawn(move || rx.recv().unwrap())
            })
            .collect();
        ch.send(1).unwrap();
        ch.send(2).unwrap();
        let got: u32 = receivers.into_iter().map(|r| r.join().unwrap()).sum();
        assert_eq!(got, 3);
    });
}

#[test]
fn loom_buffered_close_drains_then_ends() {
    model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let ch = Chan::<Counted>::new(2);
        let tx = ch.clone();
        let d = drops.clone();
        let sender = thread::spawn(move || {
            tx.send(Counted(1, d.clone())).unwrap();
            tx.send(Counted(2, d)).unwrap();
            tx.close();
        });
        let first = ch.recv().map(|c| c.0);
        assert_eq!(first, Some(1));
        sender.join().unwrap();
        // Closing kept the second value; dropping the channel drops it.
        drop(ch);
        assert_eq!(drops.load(Ordering::Relaxed), 2);
    });
}

#[test]
fn loom_buffered_close_races_a_parked_receiver() {
    model(|| {
        let ch = Chan::<u32>::new(1);
        let rx = ch.clone();
        let receiver = thread::spawn(move || (rx.recv(), rx.recv()));
        ch.send(9).unwrap();
        ch.close();
        assert_eq!(receiver.join().unwrap(), (Some(9), None));
    });
}
