#!/usr/bin/env bash
# Runs goru's cargo-fuzz targets (fuzz/), one after the other, each for
# SECONDS (default 60): `scripts/fuzz.sh [SECONDS] [TARGET...]`.
#
#   macros       arbitrary tokens into every macro entry point, unguarded:
#                any panic is a crash (built without ASan: it is safe code,
#                and five times faster so).
#   chan_script  channel operations checked against a sequential model,
#                then producers/consumers checked for exactly-once delivery
#                (built with AddressSanitizer).
#
# New corpus entries go to fuzz/corpus/TARGET (not committed); the seeds
# (fuzz/seeds/TARGET) and past findings (fuzz/regressions/TARGET) are run
# first. A crash leaves its input in fuzz/artifacts/TARGET and fails the
# script; reproduce it with `cargo +nightly fuzz run TARGET FILE` (add the
# same build flags as below).
#
# Needs the nightly toolchain (sanitizer coverage); installs cargo-fuzz if
# missing. Uses one core: libFuzzer runs a single job. More libFuzzer
# options go in FUZZ_OPTIONS (e.g. FUZZ_OPTIONS="-seed=1 -verbosity=2").
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(macros chan_script); fi

if ! rustup toolchain list | grep -q '^nightly'; then
    rustup toolchain install nightly --profile minimal
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

for target in "${targets[@]}"; do
    build=()
    # shellcheck disable=SC2206 # word splitting is the point
    options=(-max_total_time="$secs" -print_final_stats=1 ${FUZZ_OPTIONS:-})
    case "$target" in
    macros)
        # Its own target dir: switching sanitizer flags would rebuild all.
        build=(-s none --no-default-features --target-dir fuzz/target/plain)
        # An expansion takes milliseconds: seconds mean a blow-up (a run
        # of `go` keywords once took 4 s, and 800 overflowed the stack).
        options+=(-dict=fuzz/macros.dict -timeout=5)
        ;;
    chan_script)
        # Goroutine stacks are memory maps LeakSanitizer does not scan, so
        # it reports what they point to as leaked; the target counts the
        # drops of its own values instead. ASan's fake stacks (one set per
        # goroutine) and default 256 MB quarantine would outgrow the 2 GB
        # RSS limit within a minute.
        export ASAN_OPTIONS=detect_stack_use_after_return=0:quarantine_size_mb=64
        options+=(-detect_leaks=0 -timeout=10)
        ;;
    *)
        echo "unknown fuzz target: $target (macros, chan_script)" >&2
        exit 2
        ;;
    esac
    corpora=("fuzz/corpus/$target")
    mkdir -p "fuzz/corpus/$target"
    for dir in "fuzz/seeds/$target" "fuzz/regressions/$target"; do
        if [ -d "$dir" ]; then corpora+=("$dir"); fi
    done
    echo "== fuzz $target for ${secs}s"
    cargo +nightly fuzz run "${build[@]}" "$target" "${corpora[@]}" -- "${options[@]}"
done
