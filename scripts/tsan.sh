#!/usr/bin/env bash
# ThreadSanitizer over goru's channels, select, sync primitives, timers and
# contexts used from plain OS threads (nightly toolchain with rust-src).
#
# TSan cannot follow a goroutine's stack switches, so only tests that never
# start a goroutine run here: all of tests/plain_threads.rs, which was
# written for this, and the plain-thread tests of other files named below.
# -Zbuild-std instruments std as well: an uninstrumented std hides the
# happens-before edges of its own locks and thread joins from TSan, which
# then reports races that are not there.
#
# Any report fails the run (TSan's exit code 66). A report that is a TSan
# blind spot, not a race, goes in scripts/tsan.supp with its reason.
#
# GORU_TSAN_RUNS (default 10) is how often plain_threads.rs runs: TSan only
# sees the interleavings that happen, so more runs see more of them.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! rustup component list --toolchain nightly --installed | grep -q '^rust-src'; then
  rustup component add rust-src --toolchain nightly
fi
export RUSTFLAGS="-Zsanitizer=thread"
export TSAN_OPTIONS="suppressions=$PWD/scripts/tsan.supp ${TSAN_OPTIONS:-}"
test=(cargo +nightly test -Zbuild-std -p goru
  --target x86_64-unknown-linux-gnu --target-dir target/tsan)
runs=${GORU_TSAN_RUNS:-10}

for ((i = 1; i <= runs; i++)); do
  echo "== tsan: plain_threads, run $i of $runs"
  "${test[@]}" --test plain_threads
done

echo "== tsan: plain-thread tests of other files"
# No runtime at all: threads between themselves, and parked on close.
"${test[@]}" --test threads -- --exact \
  thread_to_thread_without_any_runtime thread_parked_on_close
# Timers from a plain thread: the global runtime's workers fire them on
# their own stacks; no goroutine starts.
"${test[@]}" --test time -- --exact timers_from_plain_threads
# Channel basics on the test thread (no goroutine).
"${test[@]}" --test chan -- --exact \
  channels_work_without_any_runtime_on_one_thread \
  buffered_values_are_dropped_with_the_channel \
  close_twice_and_close_nil_panic_with_go_messages \
  nil_channel_try_ops_and_metadata dropping_handles_never_closes \
  handles_compare_by_channel_identity
echo "== tsan: no reports"
