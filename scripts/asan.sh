#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer + LeakSanitizer (nightly
# toolchain; corosensei's `sanitizer` feature tells ASan about goroutine
# stack switches). tests/fatal.rs is run without leak detection: its child
# processes exit(2) mid-flight on purpose, with goroutines still holding
# memory, and LeakSanitizer would change their exit status.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTFLAGS="-Zsanitizer=address"
target=(--target x86_64-unknown-linux-gnu --target-dir target/asan)
for t in chan deadlock many_goroutines ring sched select stress threads time syntax expansions; do
  ASAN_OPTIONS=detect_leaks=1 cargo +nightly test -p goru --features sanitizer "${target[@]}" --test "$t"
done
# The Go ports exit(0) when main returns (as Go does), with goroutines still
# running; like tests/fatal.rs, their children are checked without leak
# detection.
for t in fatal go_ports; do
  ASAN_OPTIONS=detect_leaks=0 cargo +nightly test -p goru --features sanitizer "${target[@]}" --test "$t"
done
