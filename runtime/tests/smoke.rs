use goru_runtime as goru;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[test]
fn spawn_join_from_thread() {
    let h = goru::spawn(|| 40 + 2);
    assert_eq!(h.join().unwrap(), 42);
}

#[test]
fn run_many() {
    let n = goru::Builder::new().workers(2).panic_mode(goru::PanicMode::Propagate).build().block_on(|| {
        let c = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..10000).map(|_| { let c = c.clone(); goru::spawn(move || { goru::runtime::gosched(); c.fetch_add(1, Ordering::Relaxed); }) }).collect();
        for h in hs { h.join().unwrap(); }
        c.load(Ordering::Relaxed)
    });
    assert_eq!(n, 10000);
}
