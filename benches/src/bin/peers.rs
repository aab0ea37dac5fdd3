//! goru's side of the peer workloads (/work/shared/peers): the same sizes and shapes as
//! go/main.go, run in the main goroutine of `goru::run` (GOMAXPROCS workers).
//!
//!     peers <workload>    # prints RESULT <workload> goru <ns_per_op> [tokens] maxrss_kb=..
//!
//! `mutex` and `echo` wait for goru's sync and net packages (exit 3). Where Go uses a
//! `sync.WaitGroup`, a leaked `goru_bench::WaitGroup` stands in (atomic countdown plus a
//! channel). idle_mem takes `IDLE_N` to change its 100,000 tasks (then prints `n=`).
use goru::Chan;
use goru::select::{RecvCase, select};
use goru_bench::*;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

const PEER: &str = "goru";

/// A counter the tasks share by `&'static`, as Go's closures share `&count`.
fn leaked_counter() -> &'static AtomicU64 {
    Box::leak(Box::new(AtomicU64::new(0)))
}

fn spawn() {
    let count = leaked_counter();
    let wg = WaitGroup::leaked(SPAWN);
    let start = Instant::now();
    for _ in 0..SPAWN {
        goru::go(move || {
            count.fetch_add(1, Relaxed);
            wg.done();
        });
    }
    wg.wait();
    let elapsed = start.elapsed();
    let got = count.load(Relaxed);
    check(got == SPAWN, || format!("spawn: count {got}"));
    report("spawn", PEER, elapsed, SPAWN, "");
}

fn idle_mem() {
    let n = match std::env::var("IDLE_N") {
        Ok(v) => v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|&n| n > 0)
            .unwrap_or_else(|| fail(format!("bad IDLE_N {v:?}"))),
        Err(_) => IDLE,
    };
    let release = Chan::<()>::new(0);
    let wg = WaitGroup::leaked(n);
    // num_goroutine also counts goroutines queued but not yet started, so each task
    // bumps `parked` just before it blocks, and we wait for that instead.
    let parked: &'static AtomicUsize = Box::leak(Box::new(AtomicUsize::new(0)));
    let maps_before = map_count();
    let before = status_kb("VmRSS");
    let start = Instant::now();
    for _ in 0..n {
        let release = release.receiver();
        goru::go(move || {
            parked.fetch_add(1, Relaxed);
            let got = release.recv();
            debug_assert!(got.is_none());
            wg.done();
        });
    }
    while parked.load(Relaxed) < n as usize || goru::runtime::num_goroutine() < n as usize + 1 {
        goru::runtime::gosched();
    }
    let elapsed = start.elapsed();
    let after = status_kb("VmRSS");
    let maps_after = map_count();
    release.close();
    wg.wait();
    let per_task = bytes_per_task(before, after, n);
    let mut extra = format!("bytes_per_task={per_task}");
    if n != IDLE {
        // Off the standard size (outside run.sh): also the memory maps before and after.
        extra = format!("n={n} {extra} maps={maps_before}->{maps_after}");
    }
    report("idle_mem", PEER, elapsed, n, &extra);
}

fn pingpong() {
    let (ping, pong) = (Chan::<u64>::new(0), Chan::<u64>::new(0));
    {
        let (ping, pong) = (ping.receiver(), pong.sender());
        goru::go(move || {
            for v in &ping {
                pong.send(v + 1).unwrap();
            }
            pong.close();
        });
    }
    let start = Instant::now();
    let mut v = 0;
    for _ in 0..PINGPONG {
        ping.send(v).unwrap();
        v = pong.recv().unwrap();
    }
    ping.close();
    let elapsed = start.elapsed();
    check(v == PINGPONG, || format!("pingpong: {v}"));
    report("pingpong", PEER, elapsed, PINGPONG, "");
}

fn mpmc(name: &str, cap: usize, total: u64) {
    let ch = Chan::<u64>::new(cap);
    let sum = leaked_counter();
    let wg = WaitGroup::leaked(MPMC_CONSUMERS);
    let start = Instant::now();
    let per = total / MPMC_PRODUCERS;
    for p in 0..MPMC_PRODUCERS {
        let tx = ch.sender();
        goru::go(move || {
            for i in 0..per {
                tx.send(p * per + i).unwrap();
            }
        });
    }
    for _ in 0..MPMC_CONSUMERS {
        let rx = ch.receiver();
        goru::go(move || {
            let mut local = 0;
            for _ in 0..total / MPMC_CONSUMERS {
                local += rx.recv().unwrap();
            }
            sum.fetch_add(local, Relaxed);
            wg.done();
        });
    }
    wg.wait();
    let elapsed = start.elapsed();
    let (got, want) = (sum.load(Relaxed), total * (total - 1) / 2);
    check(got == want, || format!("{name}: sum {got} want {want}"));
    report(name, PEER, elapsed, total, "");
}

fn select2() {
    let n = SELECT;
    let (a, b) = (Chan::<u64>::new(SELECT_CAP), Chan::<u64>::new(SELECT_CAP));
    for ch in [&a, &b] {
        let tx = ch.sender();
        goru::go(move || {
            for _ in 0..n / 2 {
                tx.send(1).unwrap();
            }
        });
    }
    let start = Instant::now();
    let (mut na, mut nb) = (0, 0);
    for _ in 0..n {
        let mut ca = RecvCase::new(a.raw());
        let mut cb = RecvCase::new(b.raw());
        let fired = select(&mut [ca.case(), cb.case()], false);
        match fired {
            Some(0) => {
                na += ca
                    .take()
                    .unwrap_or_else(|| fail("select2: a closed".into()))
            }
            Some(1) => {
                nb += cb
                    .take()
                    .unwrap_or_else(|| fail("select2: b closed".into()))
            }
            other => fail(format!("select2: select returned {other:?}")),
        }
    }
    let elapsed = start.elapsed();
    check(na == n / 2 && nb == n / 2, || format!("select2: {na} {nb}"));
    report("select2", PEER, elapsed, n, "");
}

fn sieve() {
    let start = Instant::now();
    let mut ch = Chan::<u64>::new(0);
    {
        let generator = ch.sender();
        goru::go(move || {
            for i in 2.. {
                generator.send(i).unwrap();
            }
        });
    }
    let mut prime = 0;
    for _ in 0..PRIMES {
        prime = ch.recv().unwrap();
        let out = Chan::<u64>::new(0);
        let (input, tx) = (ch.receiver(), out.sender());
        let p = prime;
        goru::go(move || {
            loop {
                let v = input.recv().unwrap();
                if !v.is_multiple_of(p) {
                    tx.send(v).unwrap();
                }
            }
        });
        ch = out;
    }
    let elapsed = start.elapsed();
    check(prime == nth_prime(PRIMES), || format!("sieve: {prime}"));
    let ms = elapsed.as_millis();
    report(
        "sieve",
        PEER,
        elapsed,
        PRIMES as u64,
        &format!("total_ms={ms}"),
    );
    // The generator and filters stay blocked on each other, as in Go, until main returns.
}

fn ring() {
    let first = Chan::<u64>::new(0);
    let mut last = first.clone();
    for _ in 1..RING_SIZE {
        let out = Chan::<u64>::new(0);
        let (input, tx) = (last.receiver(), out.sender());
        goru::go(move || {
            for v in &input {
                tx.send(v + 1).unwrap();
            }
            tx.close();
        });
        last = out;
    }
    let start = Instant::now();
    let mut token = 0;
    for _ in 0..RING_LAPS {
        first.send(token).unwrap();
        token = last.recv().unwrap();
    }
    first.close();
    for _ in &last {}
    let elapsed = start.elapsed();
    check(token == RING_LAPS * (RING_SIZE - 1), || {
        format!("ring: {token}")
    });
    report("ring", PEER, elapsed, RING_SIZE * RING_LAPS, "");
}

fn timers() {
    let count = leaked_counter();
    let wg = WaitGroup::leaked(TIMERS);
    let start = Instant::now();
    for _ in 0..TIMERS {
        goru::go(move || {
            goru::time::sleep(SLEEP);
            count.fetch_add(1, Relaxed);
            wg.done();
        });
    }
    wg.wait();
    let elapsed = start.elapsed();
    let got = count.load(Relaxed);
    check(got == TIMERS, || format!("timers: {got}"));
    let ms = elapsed.as_millis();
    report("timers", PEER, elapsed, TIMERS, &format!("total_ms={ms}"));
}

/// 4 goroutines x 1,000,000 lock / increment / unlock of one goru Mutex
/// (Go's sync.Mutex in the Go peer).
fn mutex() {
    const WORKERS: u64 = 4;
    const PER: u64 = 1_000_000;
    let counter = std::sync::Arc::new(goru::sync::Mutex::new(0u64));
    let wg = goru::sync::WaitGroup::new();
    let start = Instant::now();
    wg.add(WORKERS as isize);
    for _ in 0..WORKERS {
        let (counter, wg) = (counter.clone(), wg.clone());
        goru::go(move || {
            for _ in 0..PER {
                *counter.lock() += 1;
            }
            wg.done();
        });
    }
    wg.wait();
    let total = *counter.lock();
    check(total == WORKERS * PER, || format!("mutex: {total}"));
    report("mutex", PEER, start.elapsed(), WORKERS * PER, "");
}

/// A goroutine per connection on loopback: 100 clients x 10,000 round
/// trips of 64 bytes, every byte checked (Go's `echo` in the peers).
fn echo() {
    use goru::net::{TcpListener, TcpStream};
    use std::io::{Read, Write};
    const CLIENTS: usize = 100;
    const TRIPS: usize = 10_000;
    const SIZE: usize = 64;
    let ln =
        TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| fail(format!("echo: listen: {e}")));
    let addr = ln
        .local_addr()
        .unwrap_or_else(|e| fail(format!("echo: addr: {e}")));
    goru::go(move || {
        while let Ok((mut conn, _)) = ln.accept() {
            goru::go(move || {
                let mut buf = [0u8; SIZE];
                while conn.read_exact(&mut buf).is_ok() {
                    if conn.write_all(&buf).is_err() {
                        return;
                    }
                }
            });
        }
    });
    let bad = std::sync::Arc::new(AtomicUsize::new(0));
    let wg = goru::sync::WaitGroup::new();
    let start = Instant::now();
    for id in 0..CLIENTS {
        wg.add(1);
        let (wg, bad) = (wg.clone(), bad.clone());
        goru::go(move || {
            let ok = (|| -> std::io::Result<bool> {
                let mut c = TcpStream::connect(addr)?;
                let (mut out, mut back) = ([0u8; SIZE], [0u8; SIZE]);
                for t in 0..TRIPS {
                    for (k, b) in out.iter_mut().enumerate() {
                        *b = (id + t + k) as u8;
                    }
                    c.write_all(&out)?;
                    c.read_exact(&mut back)?;
                    if out != back {
                        return Ok(false);
                    }
                }
                Ok(true)
            })();
            if !matches!(ok, Ok(true)) {
                bad.fetch_add(1, Relaxed);
            }
            wg.done();
        });
    }
    wg.wait();
    let elapsed = start.elapsed();
    let bad = bad.load(Relaxed);
    check(bad == 0, || format!("echo: {bad} clients failed"));
    report("echo", PEER, elapsed, (CLIENTS * TRIPS) as u64, "");
}

fn main() {
    let workload = workload_arg();
    match workload.as_str() {
        "spawn" | "idle_mem" | "pingpong" | "buffered_mpmc" | "unbuffered_mpmc" | "select2"
        | "sieve" | "ring" | "timers" | "mutex" | "echo" => {}
        w => fail(format!("unknown workload {w}")),
    }
    goru::run(move || match workload.as_str() {
        "spawn" => spawn(),
        "idle_mem" => idle_mem(),
        "pingpong" => pingpong(),
        "buffered_mpmc" => mpmc("buffered_mpmc", BUFFERED_CAP, BUFFERED),
        "unbuffered_mpmc" => mpmc("unbuffered_mpmc", 0, UNBUFFERED),
        "select2" => select2(),
        "sieve" => sieve(),
        "ring" => ring(),
        "timers" => timers(),
        "mutex" => mutex(),
        "echo" => echo(),
        _ => unreachable!("checked above"),
    });
}
