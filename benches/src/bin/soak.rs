//! Soak test (issue 13): rounds of random mixes of goroutine work, each round on a fresh
//! runtime with 1..=4 workers (GOMAXPROCS), checking that nothing is lost or leaked.
//!
//!     soak [--secs N] [--rounds N] [--seed N] [--rss-slack PCT] [--verbose]
//!
//! Each round runs a seeded random set of scenarios at once: producer/consumer pipelines
//! over buffered and unbuffered channels (plain and select-with-timeout sends/receives,
//! close), fan-in by select with closed channels set to nil, feeders and workers stopped
//! by context cancellation or timeout (the channel drained afterwards), goroutines that
//! panic and recover (plain, inside a select arm, with a message in flight), and spawn
//! storms joined through JoinHandle, WaitGroup and Mutex.
//!
//! Checks: every message's checksum; every message sent is received exactly once (per
//! producer: count, no duplicate, max seq); the goroutine count is back to the round's
//! baseline before the round returns; RSS (VmRSS) after each round stays within 30%
//! (`--rss-slack`) of its level after the warm-up (one round per worker count, 1..=4). Any violation prints
//! `soak: FAIL ...` with the seed and exits 1; a hung round exits 1 from a watchdog.
//! `--secs` (default 10) bounds the run by time, `--rounds` by count (both: first wins).
use goru::context;
use goru::prelude::*;
use goru::sync::{Mutex, WaitGroup};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// Rounds before the RSS baseline is taken: one per worker count.
const WARMUP_ROUNDS: u64 = 4;
/// Allowed RSS growth over the post-warm-up level, percent (`--rss-slack`).
const RSS_SLACK_PCT: u64 = 30;
/// How long a goroutine count may take to settle back to its baseline.
const SETTLE: Duration = Duration::from_secs(2);
/// A round taking this long is a hang (lost wake-up or deadlock).
const HANG: Duration = Duration::from_secs(60);

/// Channel operations, spawns, selects, panics and cancellations done (all rounds).
static OPS: AtomicU64 = AtomicU64::new(0);
/// Select arms that timed out (all rounds): shows the timeout paths ran.
static TIMEOUTS: AtomicU64 = AtomicU64::new(0);

fn op() {
    OPS.fetch_add(1, Relaxed);
}

/// splitmix64: small, seedable, good enough to pick a mix.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// One message: who sent it, its sequence number, a heap payload, and a checksum.
#[derive(Clone, Debug)]
struct Msg {
    pid: u32,
    seq: u32,
    payload: Vec<u8>,
    sum: u64,
}

fn checksum(pid: u32, seq: u32, payload: &[u8]) -> u64 {
    let mut h = mix(((pid as u64) << 32) | seq as u64);
    for &b in payload {
        h = mix(h ^ b as u64);
    }
    h
}

impl Msg {
    fn new(pid: u32, seq: u32, rng: &mut Rng) -> Msg {
        let len = rng.below(48) as usize;
        let payload: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let sum = checksum(pid, seq, &payload);
        Msg {
            pid,
            seq,
            payload,
            sum,
        }
    }
    fn ok(&self) -> bool {
        self.sum == checksum(self.pid, self.seq, &self.payload)
    }
}

/// Violations found by goroutines; the round fails if any.
type Errs = Arc<Mutex<Vec<String>>>;

fn report(errs: &Errs, msg: String) {
    errs.lock().push(msg);
}

/// What a consumer saw: (producer, seq) of every message whose checksum held.
type Seen = Vec<(u32, u32)>;

fn take(m: &Msg, seen: &mut Seen, errs: &Errs, what: &str) {
    op();
    if m.ok() {
        seen.push((m.pid, m.seq));
    } else {
        report(errs, format!("{what}: bad checksum on {m:?}"));
    }
}

/// Exactly once: producer `p` sent seqs `0..sent[p]`, and `got` holds each exactly once.
fn verify(what: &str, sent: &[u32], got: &[(u32, u32)], errs: &Errs) -> u64 {
    let mut seen: Vec<Vec<bool>> = sent.iter().map(|&n| vec![false; n as usize]).collect();
    let mut max: Vec<Option<u32>> = vec![None; sent.len()];
    for &(p, s) in got {
        let Some(row) = seen.get_mut(p as usize) else {
            report(errs, format!("{what}: message from unknown producer {p}"));
            continue;
        };
        match row.get_mut(s as usize) {
            None => report(errs, format!("{what}: producer {p} seq {s} was never sent")),
            Some(true) => report(errs, format!("{what}: producer {p} seq {s} received twice")),
            Some(slot) => *slot = true,
        }
        max[p as usize] = max[p as usize].max(Some(s));
    }
    let total: u64 = sent.iter().map(|&n| n as u64).sum();
    if got.len() as u64 != total {
        report(
            errs,
            format!("{what}: sent {total} messages, received {}", got.len()),
        );
    }
    for (p, &n) in sent.iter().enumerate() {
        let want = n.checked_sub(1);
        if max[p] != want {
            report(
                errs,
                format!("{what}: producer {p} max seq {:?}, want {want:?}", max[p]),
            );
        }
        if let Some(lost) = seen[p].iter().position(|&b| !b) {
            report(errs, format!("{what}: producer {p} seq {lost} lost"));
        }
    }
    got.len() as u64
}

goru! {
    /// P producers, C consumers on one channel (cap 0, 1 or more), closed when all
    /// producers are done; sends and receives plain or by select with a timeout arm.
    fn pipeline(seed: u64, errs: Errs) -> u64 {
        let mut rng = Rng(seed);
        let cap = [0, 0, 1, 1 + rng.below(32)][rng.below(4) as usize] as usize;
        let producers = 1 + rng.below(6) as u32;
        let consumers = 1 + rng.below(6);
        let per = 1 + rng.below(2000) as u32;
        let ch: Chan<Msg> = Chan::new(cap);
        let wg = WaitGroup::new();
        wg.add(producers as isize);
        for p in 0..producers {
            let (tx, wg, sel, pseed) = (ch.sender(), wg.clone(), rng.below(2) == 0, rng.next());
            go! {
                defer!(wg.done());
                produce(p, per, tx, sel, pseed);
            }
            op();
        }
        let closer = ch.clone();
        go! {
            wg.wait();
            closer.close();
        }
        let results: Chan<Seen> = Chan::new(0);
        for _ in 0..consumers {
            go!(consume(ch.receiver(), results.sender(), rng.below(2) == 0, errs.clone()));
            op();
        }
        let mut got = Vec::new();
        for _ in 0..consumers {
            got.extend((<-results).unwrap());
        }
        verify("pipeline", &vec![per; producers as usize], &got, &errs)
    }

    fn produce(pid: u32, n: u32, tx: Sender<Msg>, sel: bool, seed: u64) {
        let mut rng = Rng(seed);
        for seq in 0..n {
            let m = Msg::new(pid, seq, &mut rng);
            if sel {
                // A timed-out attempt drops its copy; the retry sends another.
                loop {
                    op();
                    select! {
                        tx <- m.clone() => { break; }
                        <-time::after(Duration::from_micros(50 + rng.below(2000))) => {
                            TIMEOUTS.fetch_add(1, Relaxed);
                        }
                    }
                }
            } else {
                tx <- m;
                op();
            }
            if rng.below(64) == 0 {
                goru::runtime::gosched();
            }
        }
    }

    fn consume(rx: Receiver<Msg>, out: Sender<Seen>, sel: bool, errs: Errs) {
        let mut seen = Seen::new();
        if sel {
            loop {
                select! {
                    v = <-rx => match v {
                        Some(m) => take(&m, &mut seen, &errs, "pipeline"),
                        None => break,
                    },
                    <-time::after(ms(1)) => { TIMEOUTS.fetch_add(1, Relaxed); }
                }
            }
        } else {
            for m in &rx {
                take(&m, &mut seen, &errs, "pipeline");
            }
        }
        out <- seen;
    }

    /// Two producers (one unbuffered, one buffered channel) into one consumer that
    /// selects over both, setting each to nil once it is closed.
    fn fan_in(seed: u64, errs: Errs) -> u64 {
        let mut rng = Rng(seed);
        let counts = [rng.below(2000) as u32, rng.below(2000) as u32];
        let a: Chan<Msg> = Chan::new(0);
        let b: Chan<Msg> = Chan::new(1 + rng.below(8) as usize);
        for (pid, c) in [a.clone(), b.clone()].into_iter().enumerate() {
            let (n, pseed) = (counts[pid], rng.next());
            go! {
                let mut rng = Rng(pseed);
                for seq in 0..n {
                    c <- Msg::new(pid as u32, seq, &mut rng);
                    op();
                }
                c.close();
            }
            op();
        }
        let (mut ra, mut rb) = (a.receiver(), b.receiver());
        let mut seen = Seen::new();
        let mut open = 2;
        while open > 0 {
            op();
            select! {
                v = <-ra => match v {
                    Some(m) => take(&m, &mut seen, &errs, "fan_in"),
                    None => { ra = Receiver::nil(); open -= 1; }
                },
                v = <-rb => match v {
                    Some(m) => take(&m, &mut seen, &errs, "fan_in"),
                    None => { rb = Receiver::nil(); open -= 1; }
                },
                <-time::after(ms(5)) => { TIMEOUTS.fetch_add(1, Relaxed); }
            }
        }
        verify("fan_in", &counts, &seen, &errs)
    }

    /// Feeders and workers that stop when a context is cancelled (explicitly or by its
    /// timeout). What the feeders sent = what the workers took + what is left buffered.
    fn cancellable(seed: u64, errs: Errs) -> u64 {
        let mut rng = Rng(seed);
        let bg = context::background();
        let (ctx, cancel) = if rng.below(2) == 0 {
            context::with_cancel(&bg)
        } else {
            context::with_timeout(&bg, Duration::from_micros(100 + rng.below(10_000)))
        };
        defer!(cancel.cancel());
        let ch: Chan<Msg> = Chan::new([0, 1, 16][rng.below(3) as usize]);
        let feeders = 1 + rng.below(3) as u32;
        let workers = 1 + rng.below(4);
        let sent_c: Chan<(u32, u32)> = Chan::new(0);
        for pid in 0..feeders {
            let (ctx, tx, out, pseed) = (ctx.clone(), ch.sender(), sent_c.sender(), rng.next());
            go! {
                let mut rng = Rng(pseed);
                let done = ctx.done();
                let mut seq = 0u32;
                while seq < 20_000 {
                    let m = Msg::new(pid, seq, &mut rng);
                    op();
                    select! {
                        tx <- m => { seq += 1; }
                        <-done => { break; }
                    }
                }
                out <- (pid, seq);
            }
            op();
        }
        let results: Chan<Seen> = Chan::new(0);
        for _ in 0..workers {
            let (ctx, rx, out, errs) = (ctx.clone(), ch.receiver(), results.sender(), errs.clone());
            go! {
                let done = ctx.done();
                let mut seen = Seen::new();
                loop {
                    select! {
                        <-done => { break; }
                        v = <-rx => take(&v.unwrap(), &mut seen, &errs, "cancellable"),
                    }
                }
                out <- seen;
            }
            op();
        }
        let c2 = cancel.clone();
        let wait = Duration::from_micros(rng.below(5_000));
        go! {
            time::sleep(wait);
            c2.cancel();
            op();
        }
        let mut sent = vec![0; feeders as usize];
        for _ in 0..feeders {
            let (pid, n) = (<-sent_c).unwrap();
            sent[pid as usize] = n;
        }
        let mut got = Vec::new();
        for _ in 0..workers {
            got.extend((<-results).unwrap());
        }
        // Everyone has stopped: what is still buffered was sent and not yet taken.
        while let Ok(m) = ch.try_recv() {
            take(&m, &mut got, &errs, "cancellable (drain)");
        }
        if ctx.err().is_none() {
            report(&errs, "cancellable: context not done after cancel".into());
        }
        verify("cancellable", &sent, &got, &errs)
    }

    /// Goroutines that maybe panic (plain, inside a select arm, or holding a message)
    /// and recover in a deferred block, reporting what recover() returned.
    fn panics(seed: u64, errs: Errs) -> u64 {
        let mut rng = Rng(seed);
        let n = 1 + rng.below(40) as u32;
        let out: Chan<(u32, Option<String>)> = Chan::new(rng.below(2) as usize * n as usize);
        let mut planned = vec![false; n as usize];
        for i in 0..n {
            planned[i as usize] = rng.below(2) == 0;
            go!(risky(i, planned[i as usize], rng.below(3), out.sender(), rng.next()));
            op();
        }
        for _ in 0..n {
            let (i, r) = (<-out).unwrap();
            op();
            let want = planned[i as usize].then(|| format!("soak-panic {i}"));
            if r != want {
                report(&errs, format!("panics: goroutine {i}: recover() gave {r:?}, want {want:?}"));
            }
        }
        n as u64
    }

    fn risky(i: u32, panic: bool, how: u64, out: Sender<(u32, Option<String>)>, seed: u64) {
        defer! {
            let r = recover().map(|r| r.to_string());
            out <- (i, r);
        }
        let mut rng = Rng(seed);
        match how {
            0 => {
                if panic {
                    panic!("soak-panic {i}");
                }
            }
            1 => {
                let c: Chan<Msg> = Chan::new(1);
                c <- Msg::new(i, 0, &mut rng);
                select! {
                    v = <-c => {
                        if panic && v.is_some() {
                            panic!("soak-panic {i}");
                        }
                    }
                    <-time::after(ms(50)) => { unreachable!("buffered value not ready"); }
                }
            }
            _ => {
                // Panic while a message (with a heap payload) is live on this stack.
                let m = Msg::new(i, 1, &mut rng);
                hold(m, panic, i);
            }
        }
    }

    fn hold(m: Msg, panic: bool, i: u32) {
        let c: Chan<Msg> = Chan::new(1);
        c <- m;
        let back = (<-c).unwrap();
        if panic {
            panic!("soak-panic {i}");
        }
        drop(back);
    }

    /// Many short goroutines: joined through JoinHandle, and through a WaitGroup with
    /// a shared Mutex counter.
    fn spawn_storm(seed: u64, errs: Errs) -> u64 {
        let mut rng = Rng(seed);
        let n = 1 + rng.below(300);
        let handles: Vec<_> = (0..n).map(|i| { op(); spawn(move || i * i) }).collect();
        let sum: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
        let want: u64 = (0..n).map(|i| i * i).sum();
        if sum != want {
            report(&errs, format!("spawn_storm: joined sum {sum}, want {want}"));
        }
        let total = Arc::new(Mutex::new(0u64));
        let wg = WaitGroup::new();
        for i in 0..n {
            wg.add(1);
            let (wg, total) = (wg.clone(), total.clone());
            go! {
                defer!(wg.done());
                if i % 7 == 0 {
                    goru::runtime::gosched();
                }
                *total.lock() += i;
            }
            op();
        }
        wg.wait();
        let got = *total.lock();
        if got != n * (n - 1) / 2 {
            report(&errs, format!("spawn_storm: mutex total {got}, want {}", n * (n - 1) / 2));
        }
        0
    }
}

struct RoundStats {
    messages: u64,
}

/// One round, as goroutine 1 of its runtime: a random set of scenarios run at once.
fn round_body(seed: u64) -> Result<RoundStats, String> {
    let baseline = goru::runtime::num_goroutine();
    let mut rng = Rng(seed);
    let errs: Errs = Arc::new(Mutex::new(Vec::new()));
    let mut messages = 0;
    // Waves of 4..=12 scenarios run at once; a round is 10..=19 waves.
    for _ in 0..10 + rng.below(10) {
        let handles: Vec<_> = (0..4 + rng.below(9))
            .map(|_| {
                let (kind, s, errs) = (rng.below(5), rng.next(), errs.clone());
                op();
                spawn(move || match kind {
                    0 => pipeline(s, errs),
                    1 => fan_in(s, errs),
                    2 => cancellable(s, errs),
                    3 => panics(s, errs),
                    _ => spawn_storm(s, errs),
                })
            })
            .collect();
        for h in handles {
            match h.join() {
                Ok(n) => messages += n,
                Err(_) => report(&errs, "a scenario goroutine panicked".into()),
            }
        }
    }
    // Goroutines that signalled done may still be returning: give them a moment.
    let deadline = Instant::now() + SETTLE;
    while goru::runtime::num_goroutine() > baseline && Instant::now() < deadline {
        time::sleep(ms(1));
    }
    let live = goru::runtime::num_goroutine();
    if live != baseline {
        report(
            &errs,
            format!(
                "goroutine count {live} after the round, baseline {baseline}\n{}",
                goru::runtime::stack_dump()
            ),
        );
    }
    let errs = std::mem::take(&mut *errs.lock());
    if errs.is_empty() {
        Ok(RoundStats { messages })
    } else {
        Err(errs.join("\n"))
    }
}

fn fail(msg: String) -> ! {
    eprintln!("soak: FAIL {msg}");
    std::process::exit(1)
}

fn rss_kb() -> u64 {
    goru_bench::status_kb("VmRSS")
}

fn main() {
    let mut secs: Option<u64> = None;
    let mut rounds: Option<u64> = None;
    let mut seed: Option<u64> = None;
    let mut rss_slack = RSS_SLACK_PCT as f64;
    let mut verbose = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = |name: &str| -> u64 {
            args.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| fail(format!("{name} needs a number")))
        };
        match a.as_str() {
            "--secs" => secs = Some(num("--secs")),
            "--rounds" => rounds = Some(num("--rounds")),
            "--seed" => seed = Some(num("--seed")),
            "--rss-slack" => rss_slack = num("--rss-slack") as f64,
            "--verbose" => verbose = true,
            _ => fail(format!(
                "unknown argument {a:?}; usage: soak [--secs N] [--rounds N] [--seed N] [--rss-slack PCT] [--verbose]"
            )),
        }
    }
    let secs = secs.or(if rounds.is_some() { None } else { Some(10) });
    let seed = seed.unwrap_or_else(|| {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        mix(t ^ ((std::process::id() as u64) << 32))
    });
    println!("soak: seed {seed} (rerun with --seed {seed})");

    // Watchdog: a round that never finishes is a lost wake-up.
    let round_started = Arc::new(std::sync::Mutex::new((0u64, Instant::now())));
    {
        let started = round_started.clone();
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_secs(1));
                let (r, t) = *started.lock().unwrap();
                if t.elapsed() > HANG {
                    fail(format!(
                        "round {r} hung for more than {HANG:?} (seed {seed}): lost wake-up?"
                    ));
                }
            }
        });
    }

    let start = Instant::now();
    let mut rss_base = None;
    let mut max_rss = 0;
    let mut messages = 0;
    let mut round = 0u64;
    loop {
        if rounds.is_some_and(|n| round >= n)
            || secs.is_some_and(|s| start.elapsed() >= Duration::from_secs(s))
        {
            break;
        }
        let workers = (round % 4) as usize + 1;
        let rseed = mix(seed ^ mix(round));
        *round_started.lock().unwrap() = (round, Instant::now());
        let rt = goru::Builder::new().workers(workers).build();
        let result = rt.block_on(move || round_body(rseed));
        drop(rt);
        match result {
            Ok(s) => messages += s.messages,
            Err(e) => fail(format!(
                "round {round} (workers {workers}, seed {seed}):\n{e}"
            )),
        }
        let rss = rss_kb();
        if verbose {
            eprintln!(
                "round {round} workers {workers} rss {rss} kB {:?}",
                start.elapsed()
            );
        }
        max_rss = max_rss.max(rss);
        round += 1;
        if round == WARMUP_ROUNDS {
            rss_base = Some(rss);
        } else if let Some(base) = rss_base {
            let limit = (base as f64 * (1.0 + rss_slack / 100.0)) as u64;
            if rss > limit {
                fail(format!(
                    "RSS grew to {rss} kB after round {round}, over {limit} kB \
                     (post-warm-up {base} kB + {:.0}%) (seed {seed})",
                    rss_slack
                ));
            }
        }
    }
    println!(
        "soak: ok rounds={round} messages={messages} ops={} timeouts={} max_rss_kb={max_rss} \
         rss_base_kb={} seed={seed} elapsed={:.1}s",
        OPS.load(Relaxed),
        TIMEOUTS.load(Relaxed),
        rss_base.map_or("-".into(), |b: u64| b.to_string()),
        start.elapsed().as_secs_f64()
    );
}
