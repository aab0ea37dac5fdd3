#!/usr/bin/env bash
# Runs every test file in tests/ and a soak under AddressSanitizer +
# LeakSanitizer (nightly toolchain; corosensei's `sanitizer` feature tells
# ASan about goroutine stack switches). Debug builds, so debug assertions
# and overflow checks run too.
#
# LeakSanitizer finds its roots in globals, thread stacks and registers,
# not in goroutine stacks (our own mmap'd regions): memory held only by a
# goroutine that is still parked when the process exits looks leaked to
# it. So leaks are checked wherever the process ends with no goroutine
# alive, and not where a child process exits mid-flight on purpose.
#
# Stack use-after-return detection (ASan's default on Linux) gives every
# goroutine a "fake stack", and catches a late waker writing to a waiter
# that lived on a goroutine's stack. But corosensei 0.3.4 never frees a
# finished coroutine's fake stack: on a coroutine's last switch it passes
# a non-null fake_stack_save to __sanitizer_start_switch_fiber, where
# ASan's API asks for NULL, and drops the result (coroutine.rs, the end
# of coroutine_func). Memory then grows with every goroutine ever run:
# tests/many_goroutines.rs peaks at 8 GB RSS, the soak at 1 GB per 5 s.
# Those two run without it; the other suites peak below 5 GB with it.
#
# GORU_ASAN_SOAK_SECS (default 30) is how long the soak runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTFLAGS="-Zsanitizer=address"
target=(--target x86_64-unknown-linux-gnu --target-dir target/asan)
test=(cargo +nightly test -p goru --features sanitizer "${target[@]}" --no-fail-fast)
tests() { for t in "$@"; do printf -- '--test %s ' "$t"; done; }

echo "== asan: in-process suites, leaks checked"
# stall.rs reruns its own tests as children, which end with no goroutine
# alive.
# shellcheck disable=SC2046
ASAN_OPTIONS=detect_leaks=1 "${test[@]}" $(tests \
  book chan context deadlock errgroup expansions faults plain_threads rate \
  ring sched select stall stress sync syntax threads time)
ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=0 \
  "${test[@]}" --test many_goroutines

echo "== asan: suites whose children exit mid-flight, leaks not checked"
# `cargo test --test X` does not build the examples; the example suites
# run them from target/asan/.../debug/examples.
cargo +nightly build -p goru --features sanitizer "${target[@]}" --examples
# fatal.rs: its children exit(2) mid-flight on purpose (deadlock, panic,
# stack overflow, out of memory), with goroutines still holding memory,
# and LeakSanitizer would change their exit status. introspection.rs: the
# same, for SIGQUIT's goroutine dump and exit(2). go_ports.rs and the
# examples: a program exits when main returns (as Go's do), with
# goroutines still running or parked (prime_sieve's filters, the pitfall
# programs' deadlocks).
# shellcheck disable=SC2046
ASAN_OPTIONS=detect_leaks=0 "${test[@]}" $(tests \
  fatal introspection go_ports examples examples_core examples_real_world)

# tests/ui.rs is not run here: its trybuild cases are compile errors, so no
# goru code runs in them (the macros run inside rustc, unsanitized), and
# nightly underlines some spans differently from the stable .stderr files
# (3 of 60 cases mismatch on nightly, 2026-11-25).

echo "== asan: soak for ${GORU_ASAN_SOAK_SECS:-30} s"
# Each round ends with its runtime dropped and every goroutine gone, so
# leaks are checked. --rss-slack: ASan's shadow memory and quarantine, not
# goru, dominate RSS here.
ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=0 \
  cargo +nightly run -p goru-bench --bin soak --features goru/sanitizer \
  "${target[@]}" -- --secs "${GORU_ASAN_SOAK_SECS:-30}" --rss-slack 100000
echo "== asan: no reports"
