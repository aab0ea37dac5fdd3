#!/usr/bin/env bash
# valgrind memcheck over whole programs, a second opinion next to
# scripts/asan.sh (stable toolchain; needs valgrind, e.g. apt-get install
# valgrind).
#
# goru-runtime's `valgrind` feature registers each goroutine stack with
# valgrind while a goroutine owns it (runtime/src/stack/valgrind.rs):
# without it, valgrind takes every goroutine switch for a huge stack
# push or pop and reports thousands of errors that are not there.
#
#   (a) the soak binary, GORU_VALGRIND_ROUNDS rounds (default 4: one at
#       each of 1-4 workers; about a minute under valgrind);
#   (b) tests/faults.rs, whose cases include dropping a runtime with
#       goroutines still blocked on channels, select, Mutex, WaitGroup,
#       join and sleep: valgrind must find no leak there.
#
# Any error, and any definitely or possibly lost block, fails the run.
# scripts/valgrind.supp lists the possibly-lost blocks that were traced to
# std, glibc and crossbeam-epoch keeping interior pointers on purpose.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v valgrind >/dev/null 2>&1; then
  echo "valgrind.sh: valgrind is not installed" >&2
  exit 1
fi
# Cargo runs the built binaries through this. Release builds: valgrind is
# slow enough; `debug = 1` in the release profile keeps line numbers.
export CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER="valgrind --error-exitcode=1
  --leak-check=full --show-leak-kinds=definite,possible
  --errors-for-leak-kinds=definite,possible --num-callers=40
  --suppressions=$PWD/scripts/valgrind.supp"
release=(--release --target-dir target/valgrind)

echo "== valgrind: soak"
# --rss-slack: under valgrind RSS measures valgrind's own shadow memory,
# not goru's; leaks are valgrind's to find here.
cargo run "${release[@]}" -p goru-bench --bin soak --features goru/valgrind -- \
  --rounds "${GORU_VALGRIND_ROUNDS:-4}" --rss-slack 100000

echo "== valgrind: tests/faults.rs"
cargo test "${release[@]}" -p goru --features valgrind --test faults
echo "== valgrind: no errors, no leaks"
