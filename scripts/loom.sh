#!/usr/bin/env bash
# Runs the loom models of the lock-free and park/unpark core: the channel
# hand-off and ring flags (runtime/src/chan/loom_tests.rs), the select waiter
# protocol (runtime/src/select.rs), the raw lock, Mutex and WaitGroup
# wake-ups (runtime/src/sync/loom_tests.rs) and worker idle/notify
# (runtime/src/sched/idle.rs). Under `--cfg loom` those modules take their
# atomics, cells, parking and futex from loom (runtime/src/util/prim.rs).
#
# LOOM_MAX_PREEMPTIONS bounds the preemptions per explored interleaving
# (default 2 here, which CI pays for in a few minutes; 3 finds more and
# takes much longer). Extra arguments go to the test binary, e.g. a test
# name filter.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTFLAGS="--cfg loom ${RUSTFLAGS:-}"
export LOOM_MAX_PREEMPTIONS="${LOOM_MAX_PREEMPTIONS:-2}"
export RUST_BACKTRACE=0
cargo test -p goru-runtime --lib --release --target-dir target/loom -- --test-threads=2 loom_ "$@"
