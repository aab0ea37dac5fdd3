//! Does the Go syntax cost anything? The same ping-pong and two-channel
//! select, written with the method API and with goru's Go syntax, timed
//! alternately in one process (ns per round trip, best of 5 rounds).

use std::time::Instant;

use goru::prelude::*;
use goru::select::{RecvCase, select};

const ROUND_TRIPS: u64 = 200_000;

fn pingpong_methods() -> f64 {
    let (ping, pong) = (Chan::<u64>::new(0), Chan::<u64>::new(0));
    let (rx, tx) = (ping.receiver(), pong.sender());
    goru::go(move || {
        for v in &rx {
            tx.send(v + 1).unwrap();
        }
    });
    let start = Instant::now();
    let mut v = 0;
    for _ in 0..ROUND_TRIPS {
        ping.send(v).unwrap();
        v = pong.recv().unwrap();
    }
    ping.close();
    assert_eq!(v, ROUND_TRIPS);
    start.elapsed().as_nanos() as f64 / ROUND_TRIPS as f64
}

fn select_methods() -> f64 {
    let (a, b) = (Chan::<u64>::new(0), Chan::<u64>::new(0));
    let (ta, tb) = (a.sender(), b.sender());
    goru::go(move || {
        for i in 0..ROUND_TRIPS {
            if i % 2 == 0 {
                ta.send(i).unwrap()
            } else {
                tb.send(i).unwrap()
            }
        }
    });
    let start = Instant::now();
    let mut sum = 0;
    for _ in 0..ROUND_TRIPS {
        let mut ra = RecvCase::new(a.raw());
        let mut rb = RecvCase::new(b.raw());
        match select(&mut [ra.case(), rb.case()], false) {
            Some(0) => sum += ra.take().unwrap(),
            _ => sum += rb.take().unwrap(),
        }
    }
    assert_eq!(sum, ROUND_TRIPS * (ROUND_TRIPS - 1) / 2);
    start.elapsed().as_nanos() as f64 / ROUND_TRIPS as f64
}

goru! {
    fn pingpong_syntax() -> f64 {
        let (ping, pong) = (chan![u64], chan![u64]);
        let (rx, tx) = (ping.receiver(), pong.sender());
        go! {
            for v in &rx {
                tx <- v + 1;
            }
        };
        let start = Instant::now();
        let mut v = 0;
        for _ in 0..ROUND_TRIPS {
            ping <- v;
            v = (<-pong).unwrap();
        }
        ping.close();
        assert_eq!(v, ROUND_TRIPS);
        start.elapsed().as_nanos() as f64 / ROUND_TRIPS as f64
    }

    fn select_syntax() -> f64 {
        let (a, b) = (chan![u64], chan![u64]);
        let (ta, tb) = (a.sender(), b.sender());
        go! {
            for i in 0..ROUND_TRIPS {
                if i % 2 == 0 { ta <- i; } else { tb <- i; }
            }
        };
        let start = Instant::now();
        let mut sum = 0;
        for _ in 0..ROUND_TRIPS {
            select! {
                v = <-a => sum += v.unwrap(),
                v = <-b => sum += v.unwrap(),
            }
        }
        assert_eq!(sum, ROUND_TRIPS * (ROUND_TRIPS - 1) / 2);
        start.elapsed().as_nanos() as f64 / ROUND_TRIPS as f64
    }
}

/// A timed workload: nanoseconds per round trip.
type Workload = fn() -> f64;

fn best(f: Workload) -> f64 {
    (0..5).map(|_| goru::run(f)).fold(f64::INFINITY, f64::min)
}

fn main() {
    let rows: [(&str, Workload, Workload); 2] = [
        ("pingpong", pingpong_methods, pingpong_syntax),
        ("select2", select_methods, select_syntax),
    ];
    println!(
        "{:<10} {:>12} {:>12} {:>7}",
        "workload", "methods ns", "syntax ns", "ratio"
    );
    for (name, methods, syntax) in rows {
        let (m, s) = (best(methods), best(syntax));
        println!("{name:<10} {m:>12.1} {s:>12.1} {:>7.2}", s / m);
    }
}
