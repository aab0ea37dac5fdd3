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
    let n = goru::Builder::new()
        .workers(2)
        .panic_mode(goru::PanicMode::Propagate)
        .build()
        .block_on(|| {
            let c = Arc::new(AtomicUsize::new(0));
            let hs: Vec<_> = (0..10000)
                .map(|_| {
                    let c = c.clone();
                    goru::spawn(move || {
                        goru::runtime::gosched();
                        c.fetch_add(1, Ordering::Relaxed);
                    })
                })
                .collect();
            for h in hs {
                h.join().unwrap();
            }
            c.load(Ordering::Relaxed)
        });
    assert_eq!(n, 10000);
}

#[test]
fn pingpong_and_select() {
    use goru::select::{RecvCase, select};
    let r = goru::Builder::new()
        .workers(2)
        .panic_mode(goru::PanicMode::Propagate)
        .build()
        .block_on(|| {
            let ping = goru::Chan::<u64>::new(0);
            let pong = goru::Chan::<u64>::new(0);
            let (p2, q2) = (ping.clone(), pong.clone());
            goru::go(move || {
                for v in &p2 {
                    q2.send(v + 1).unwrap();
                }
                q2.close();
            });
            let mut v = 0;
            for _ in 0..100_000 {
                ping.send(v).unwrap();
                v = pong.recv().unwrap();
            }
            ping.close();
            assert_eq!(pong.recv(), None);
            let a = goru::Chan::<u64>::new(16);
            let b = goru::Chan::<u64>::new(16);
            for (c, val) in [(a.clone(), 1u64), (b.clone(), 2u64)] {
                goru::go(move || {
                    for _ in 0..50_000 {
                        c.send(val).unwrap();
                    }
                });
            }
            let (mut na, mut nb) = (0, 0);
            for _ in 0..100_000 {
                let mut ca = RecvCase::new(a.raw());
                let mut cb = RecvCase::new(b.raw());
                let fired = select(&mut [ca.case(), cb.case()], false);
                match fired {
                    Some(0) => na += ca.take().unwrap(),
                    Some(1) => nb += cb.take().unwrap(),
                    _ => unreachable!(),
                }
            }
            (v, na, nb)
        });
    assert_eq!(r, (100_000, 50_000, 100_000));
}
