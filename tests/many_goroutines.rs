//! 100,000 goroutines parked at once, each blocked on a channel, with the
//! process's memory-map count far below vm.max_map_count (guard pages via
//! MADV_GUARD_INSTALL cost no map), then all released and counted.
//!
//! In a file of its own: /proc/self/maps is per process, and other tests'
//! threads and runtimes would add to it.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use common::*;
use goru::Chan;

const N: usize = 100_000;

fn map_count() -> usize {
    std::fs::read_to_string("/proc/self/maps")
        .expect("read /proc/self/maps")
        .lines()
        .count()
}

/// Linux 6.13+ has MADV_GUARD_INSTALL; on older kernels goru falls back to
/// mprotect guard pages (two maps per stack), which cannot hold 100,000
/// stacks under the default vm.max_map_count.
fn kernel_has_guard_regions() -> bool {
    let rel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let mut it = rel
        .trim()
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty());
    let major: u32 = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let minor: u32 = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    (major, minor) >= (6, 13)
}

#[test]
fn hundred_thousand_parked_goroutines() {
    if !kernel_has_guard_regions() {
        eprintln!("skipped: kernel older than 6.13 (no MADV_GUARD_INSTALL)");
        return;
    }
    let max_map_count: usize = std::fs::read_to_string("/proc/sys/vm/max_map_count")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(65_530);
    let maps_before = map_count();

    let (parked_maps, released, finished) = run(2, move || {
        let gate = Chan::<u32>::new(0);
        let done = Chan::<u64>::new(1024);
        let started = Arc::new(AtomicUsize::new(0));
        for i in 0..N {
            let (g, d, s) = (gate.clone(), done.clone(), started.clone());
            goru::go(move || {
                s.fetch_add(1, SeqCst);
                // Blocks until the gate is closed (None) — each one parked.
                let v = g.recv();
                assert!(v.is_none());
                d.send(i as u64).unwrap();
            });
        }
        // All N started (each has its own stack) and parked on the gate.
        wait_until("all goroutines started", || started.load(SeqCst) == N);
        wait_until("all goroutines counted", || {
            goru::runtime::num_goroutine() == N + 1
        });
        // Let the last starters reach their receive.
        wait_until("all goroutines parked", || {
            let dump = goru::runtime::stack_dump();
            dump.matches(" [chan receive]:").count() == N
        });
        let parked_maps = map_count();

        gate.close();
        let mut sum = 0u64;
        let mut released = 0usize;
        for _ in 0..N {
            sum += done.recv().unwrap();
            released += 1;
        }
        assert_eq!(
            sum,
            (N as u64) * (N as u64 - 1) / 2,
            "every goroutine reported exactly once"
        );
        wait_until("goroutine count back to 1", || {
            goru::runtime::num_goroutine() == 1
        });
        (parked_maps, released, goru::runtime::num_goroutine())
    });
    eprintln!(
        "maps: {maps_before} before, {parked_maps} with {N} goroutines parked (vm.max_map_count = {max_map_count})"
    );
    assert_eq!(released, N);
    assert_eq!(finished, 1);
    assert!(
        parked_maps < 1_000,
        "{parked_maps} memory maps with {N} parked goroutines: guard pages are costing maps \
         (vm.max_map_count = {max_map_count})"
    );
    assert!(parked_maps < max_map_count / 10);
}
