#!/usr/bin/env bash
# The whole test suite, on every supported Wireshark (./wireshark-versions):
# installs what is missing, runs every test natively (the tshark integration
# tests, the Lua core under Lua 5.2 and 5.4, the benchmark in test mode),
# then the tshark integration tests again inside a Debian root for each other
# supported version (scripts/wireshark-root.sh), a bounded fuzzing run and
# the Debian package check on each version, and prints what passed where.
#
#   bash scripts/test.sh                 everything (what CI runs)
#   bash scripts/test.sh --native        only the Wireshark installed here
#   bash scripts/test.sh --version 4.4   only that version (native or root)
#   bash scripts/test.sh ... -- ARGS     ARGS go to every `cargo test` (a test name filter, say)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

only=""
while [ $# -gt 0 ]; do
    case "$1" in
        --native) only=native; shift ;;
        --version) only=${2:?--version needs a major.minor}; shift 2 ;;
        --) shift; break ;;
        -h|--help) xmmep_help; exit 0 ;;
        *) echo "test.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

xmmep_setup
native=$(pkg-config --modversion wireshark)
native_mm=$(echo "$native" | cut -d. -f1,2)
supported=$(ws_versions)

results=()  # "label|passed|failed|status"
logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT

# Runs a command, teeing its output, and records the cargo test counts (a
# command that is not a cargo test counts as one check, passed or failed).
run_counted() { # label log cmd...
    local label=$1 log=$2 rc=0 passed failed
    shift 2
    "$@" 2>&1 | tee -a "$log" || rc=$?
    passed=$(grep -Eo '^test result: [A-Za-z]+\. [0-9]+ passed' "$log" | awk '{ s += $4 } END { print s + 0 }')
    failed=$(grep -Eo '; [0-9]+ failed' "$log" | awk '{ s += $2 } END { print s + 0 }')
    if ! grep -q '^test result:' "$log"; then
        passed=$((rc == 0)) failed=$((rc != 0))
    fi
    results+=("$label|$passed|$failed|$([ $rc -eq 0 ] && echo ok || echo FAILED)")
    return $rc
}

# The plugin folders a user's install lives in (global and personal, every
# version below them), fingerprinted before the suite and after it: the
# suite must leave an install it found byte for byte as it was, and add
# nothing beside it.
plugin_folders() {
    tshark -G folders 2>/dev/null | sed -n 's/^\(Global\|Personal\) Lua Plugins:[[:space:]]*//p'
}
fingerprint() {
    local d
    plugin_folders | while read -r d; do
        [ -e "$d" ] || { echo "absent $d"; continue; }
        find "$d" -printf '%y %m %U:%G %s %p -> %l\n' | sort
        find "$d" -type f -exec sha256sum {} + | sort -k2
    done
}
fingerprint >"$logdir/install-before"
install_files=$(grep -c '^f ' "$logdir/install-before" || true)

status=0
want() { [ -z "$only" ] || [ "$only" = "$1" ] || { [ "$only" = native ] && [ "$1" = "$native_mm" ]; }; }

if want "$native_mm"; then
    # One style for every crate (rustfmt.toml), and no lint clippy warns of.
    # rustup's minimal profile lacks both components.
    if command -v rustup >/dev/null; then
        cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
        cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
    fi
    run_counted "Code style (cargo fmt --check, clippy -D warnings)" "$logdir/style.log" bash -c '
        set -e
        cargo fmt --all --check
        (cd fuzz && cargo fmt --check)
        cargo clippy --release --workspace --all-targets -- -D warnings
    ' || status=1

    # The DuckDB and Spark recipes' tests may not skip here
    # (tests/duckdb_recipe.rs, tests/spark_recipe.rs).
    xmmep_python_recipes
    export XMMEP_REQUIRE_DUCKDB=1 XMMEP_REQUIRE_SPARK=1
    log="$logdir/native.log"
    # The plugin is built first: `cargo test` builds the library for the
    # tests' own use and does not always refresh the cdylib that tshark loads
    # (xmmep_testkit::tshark::plugin_so), which would then be a stale one.
    run_counted "Wireshark $native (native)" "$log" bash -c '
        set -e
        cargo build --release --lib
        cargo test --release --no-fail-fast --lib --bins --tests -- --test-threads=2 "$@"
        # The benchmark runs once in test mode: it must build and run, but
        # speed is never asserted (`cargo bench --bench decode` measures it).
        cargo test --release --benches
        # The core of the generated lua/xmmep.lua against the Rust decoder,
        # under Lua 5.4 and Lua 5.2 (that of 4.0); mlua builds one version at a time.
        cargo test --release -p xmmep-lua-tests -- "$@"
        cargo test --release -p xmmep-lua-tests --no-default-features --features lua52 -- "$@"
    ' bash "$@" || status=1
fi

for v in $supported; do
    [ "$v" = "$native_mm" ] && continue
    want "$v" || continue
    log="$logdir/$v.log"
    # The Lua core tests, the benchmark and the unsupported-version build do
    # not depend on the Wireshark installed: they ran natively. In the root:
    # plugin, Lua script in tshark, parity, golden files, live loopback
    # capture, xmmep-check.
    run_counted "Wireshark $v (Debian root $(ws_suite "$v"))" "$log" \
        bash scripts/wireshark-root.sh run "$v" bash -c '
            echo "xmmep: testing against Wireshark $(pkg-config --modversion wireshark)"
            cargo build --release --lib || exit 1
            cargo test --release --no-fail-fast --lib --bins --tests -- --test-threads=2 \
                --skip build_against_an_unsupported_version "$@"
        ' bash "$@" || status=1
done

# A bounded mutation fuzzing run of both dissectors on each version
# (scripts/fuzz.sh --ci: about 20,000 frames per dissector).
for v in $supported; do
    want "$v" || continue
    run_counted "Fuzzing on $v (fuzz.sh --ci)" "$logdir/fuzz-$v.log" bash scripts/fuzz.sh --ci --version "$v" || status=1
done

# What users install: each version's plugin and Debian package, built by
# dist.sh and checked in its own release's Debian root (installed with
# apt-get, listed by tshark -G plugins, removed without a trace), never on
# this machine. The roots need root.
for v in $supported; do
    want "$v" || continue
    log="$logdir/dist-$v.log"
    if [ "$(id -u)" -eq 0 ]; then
        run_counted "Debian package for $v (dist.sh)" "$log" bash scripts/dist.sh --version "$v" || status=1
    else
        run_counted "Debian package for $v (built; install check needs root)" "$log" \
            bash scripts/dist.sh --version "$v" --no-check || status=1
    fi
done

fingerprint >"$logdir/install-after"
run_counted "User's install unchanged ($install_files files in plugin folders)" "$logdir/install.log" \
    diff -u --label before --label after "$logdir/install-before" "$logdir/install-after" || status=1

[ ${#results[@]} -gt 1 ] || { echo "test.sh: no supported Wireshark version selected by '$only'" >&2; exit 2; }
total_p=0 total_f=0
echo
echo "Wireshark versions tested:"
for r in "${results[@]}"; do
    IFS='|' read -r label p f st <<<"$r"
    printf '  %-45s %5d passed, %d failed  %s\n' "$label" "$p" "$f" "$st"
    total_p=$((total_p + p)) total_f=$((total_f + f))
done
echo "matrix: $total_p passed, $total_f failed"
exit $status
