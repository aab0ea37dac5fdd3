//! Helpers for goru's side of the peer workloads (`/work/shared/peers`): the standard
//! sizes (kept in step with go/main.go), result lines, checks, /proc readings, and a
//! stand-in for Go's `sync.WaitGroup` until goru has a sync package.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

// Standard sizes, as in go/main.go. A run that does less says so with an `n=` token.
pub const SPAWN: u64 = 1_000_000;
pub const IDLE: u64 = 100_000;
pub const PINGPONG: u64 = 1_000_000;
pub const BUFFERED: u64 = 10_000_000;
pub const BUFFERED_CAP: usize = 1024;
pub const UNBUFFERED: u64 = 2_000_000;
pub const MPMC_PRODUCERS: u64 = 4;
pub const MPMC_CONSUMERS: u64 = 4;
pub const SELECT: u64 = 2_000_000;
pub const SELECT_CAP: usize = 128;
pub const PRIMES: usize = 5000;
pub const RING_SIZE: u64 = 10_000;
pub const RING_LAPS: u64 = 100;
pub const TIMERS: u64 = 100_000;
pub const SLEEP: Duration = Duration::from_millis(10);

/// The single workload argument.
pub fn workload_arg() -> String {
    let mut args = std::env::args().skip(1);
    match (args.next(), args.next()) {
        (Some(w), None) => w,
        _ => fail("usage: peers <workload>".into()),
    }
}

/// Prints `RESULT <workload> <peer> <ns_per_op> [extra] maxrss_kb=<VmHWM>`.
pub fn report(workload: &str, peer: &str, elapsed: Duration, ops: u64, extra: &str) {
    let ns = elapsed.as_nanos() as f64 / ops as f64;
    let mut tokens = String::from(extra.trim());
    if !tokens.is_empty() {
        tokens.push(' ');
    }
    tokens.push_str(&format!("maxrss_kb={}", status_kb("VmHWM")));
    println!("RESULT {workload} {peer} {ns:.1} {tokens}");
}

/// Exits with status 1: a workload whose check fails reports no time.
pub fn fail(msg: String) -> ! {
    eprintln!("{msg}");
    std::process::exit(1)
}

/// Fails with `msg()` unless `ok`.
pub fn check(ok: bool, msg: impl FnOnce() -> String) {
    if !ok {
        fail(msg())
    }
}

/// A `kB` field of /proc/self/status: `VmRSS` (resident now), `VmHWM` (peak resident).
pub fn status_kb(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    for line in status.lines() {
        if let Some(rest) = line.strip_prefix(key).and_then(|r| r.strip_prefix(':'))
            && let Some(v) = rest.split_whitespace().next().and_then(|v| v.parse().ok())
        {
            return v;
        }
    }
    fail(format!("no {key} in /proc/self/status"))
}

/// Memory mappings of this process now (lines of /proc/self/maps).
pub fn map_count() -> usize {
    std::fs::read_to_string("/proc/self/maps")
        .map(|s| s.lines().count())
        .unwrap_or(0)
}

/// Bytes of RSS growth per task between two `VmRSS` readings (kB).
pub fn bytes_per_task(before_kb: u64, after_kb: u64, tasks: u64) -> u64 {
    after_kb.saturating_sub(before_kb) * 1024 / tasks
}

/// The `n`-th prime (1-based) by trial division: what the sieve must arrive at.
pub fn nth_prime(n: usize) -> u64 {
    let is_prime = |c: u64| {
        c >= 2
            && (2..)
                .take_while(|d| d * d <= c)
                .all(|d| !c.is_multiple_of(d))
    };
    (2u64..)
        .filter(|&c| is_prime(c))
        .nth(n - 1)
        .expect("primes are endless")
}

/// Go's `sync.WaitGroup` as the peers use it (Add(n) up front, Done per task, one Wait),
/// built from an atomic countdown and a goru channel: `done` is one atomic decrement;
/// the last one sends on a 1-slot channel that `wait` receives from.
///
/// Leak it (`WaitGroup::leaked`) so tasks capture a plain `&'static` like Go's closures
/// capture `&wg`, with no reference count to bump per task.
#[derive(Debug)]
pub struct WaitGroup {
    left: AtomicUsize,
    zero: goru::Chan<()>,
}

impl WaitGroup {
    /// A wait group expecting `n` calls to `done`, leaked for the program's life.
    pub fn leaked(n: u64) -> &'static WaitGroup {
        Box::leak(Box::new(WaitGroup {
            left: AtomicUsize::new(n as usize),
            zero: goru::Chan::new(1),
        }))
    }

    /// One task finished (Go's `wg.Done()`).
    #[inline]
    pub fn done(&self) {
        match self.left.fetch_sub(1, Ordering::AcqRel) {
            1 => self
                .zero
                .send(())
                .expect("wait group channel is never closed"),
            0 => panic!("WaitGroup: negative counter"),
            _ => {}
        }
    }

    /// Parks until every task called `done` (Go's `wg.Wait()`). Call it once.
    pub fn wait(&self) {
        self.zero
            .recv()
            .expect("wait group channel is never closed");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn nth_prime() {
        assert_eq!(super::nth_prime(1), 2);
        assert_eq!(super::nth_prime(1000), 7919);
        assert_eq!(super::nth_prime(super::PRIMES), 48611);
    }
}
