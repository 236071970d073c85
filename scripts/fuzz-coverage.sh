#!/usr/bin/env bash
# Coverage-guided fuzzing of the codec (fuzz/: header parser, heuristics,
# TCP framing over any segmentation, decoder, encode-then-decode) with
# libFuzzer on the STABLE toolchain: libfuzzer-sys compiles libFuzzer with
# the C++ compiler, and rustc's SanitizerCoverage pass, reached through
# stable codegen flags (-C passes, -C llvm-args; no -Z, no nightly), gives
# the fuzzer its edge counters and comparison hooks. Debug assertions and
# overflow checks are on. No sanitizer runtime (that needs nightly): the
# codec has no `unsafe`, and the checks in fuzz/src/checks.rs are the oracle.
#
#   bash scripts/fuzz-coverage.sh build
#   bash scripts/fuzz-coverage.sh run TARGET RUNS [libFuzzer options...]
#   bash scripts/fuzz-coverage.sh all RUNS
#
# TARGET is header, heuristic, tcp_framing, decode or round_trip; RUNS the
# number of executions (libFuzzer -runs). Each run starts from the committed
# seeds (fuzz/corpus/TARGET) and grows a working corpus in
# target/fuzz-corpus/TARGET (not committed). It prints libFuzzer's last
# status line (executions, coverage, features, corpus) and exits non-zero on
# a crash, which libFuzzer writes to fuzz/artifacts/TARGET/; once fixed,
# move it to fuzz/regressions/TARGET/ so that `cargo test` (tests/
# fuzz_corpus.rs) replays it for ever.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
cd "$top/fuzz"
targets=(header heuristic tcp_framing decode round_trip analysis)
triple=$(rustc -vV | sed -n 's/^host: //p')
# An explicit --target keeps these flags off build scripts (bindgen).
export CARGO_TARGET_DIR="$top/target/fuzz-build"
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"

build() { cargo build --release --quiet --target "$triple" --bins; }

run() {
    local t=$1 runs=$2; shift 2
    local corpus="$top/target/fuzz-corpus/$t" art="$top/fuzz/artifacts/$t/"
    mkdir -p "$corpus" "$art"
    local log="$top/target/fuzz-corpus/$t.log"
    local rc=0
    "$CARGO_TARGET_DIR/$triple/release/$t" -runs="$runs" -artifact_prefix="$art" -print_final_stats=1 \
        -max_len=4096 "$@" "$corpus" "$top/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
    local last
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    local crashes
    crashes=$(grep -cE '^==[0-9]+== ERROR|deadly signal|panicked at' "$log" || true)
    echo "fuzz-coverage $t: ${last:-no status line} | crashes $crashes | exit $rc | log $log"
    return "$rc"
}

cmd=${1:-}
case "$cmd" in
    build) build ;;
    run) [ $# -ge 3 ] || xmmep_usage; build; run "${@:2}" ;;
    all)
        [ $# -eq 2 ] || xmmep_usage
        build
        failed=0
        for t in "${targets[@]}"; do run "$t" "$2" || failed=1; done
        exit "$failed"
        ;;
    -h|--help) xmmep_help ;;
    *) xmmep_usage ;;
esac
