#!/usr/bin/env bash
# The batch tools against the tshark pass they are built on, in one run:
# a generated capture of N messages (default 1,000,000), interleaved rounds
# (best of them), wall-clock seconds of
#   baseline: tshark -r CAP -T fields -e frame.number -e xmmep.msg_type (the plugin)
#   export:   xmmep-export --jobs 1 --fail-on never CAP > /dev/null
#   check:    xmmep-check --jobs 1 CAP > /dev/null
# their ratios to the baseline, each tool's own peak RSS, and the messages/s
# of xmmep-export on 4 captures of N/4 messages with --jobs 1 and --jobs 2,
# against the same for the baseline tshark pass alone, one capture at a
# time and two at a time: what two runs at once give on this machine
# bounds what --jobs 2 can give.
#
#   bash scripts/bench-tools.sh [--messages N] [--rounds R] [--tools DIR]
#
# --tools DIR takes xmmep-export and xmmep-check from DIR (other builds,
# for a before/after); default: target/release, built here.
# The tools' own peak RSS is VmHWM of the tool's process alone (tshark, its
# child, excluded), read from /proc/PID/status every 0.05 s while it runs.
# Everything runs as an unprivileged user (tshark ignores personal plugins
# for root) with a private HOME holding the plugin.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
n=1000000 rounds=2 tools=
while [ $# -gt 0 ]; do
    case "$1" in
        --messages) n=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --tools) tools=$2; shift 2 ;;
        -h|--help) xmmep_help; exit 0 ;;
        *) xmmep_usage ;;
    esac
done
xmmep_setup
cargo build --release --lib --bin xmmep-capgen --bin xmmep-export --bin xmmep-check >/dev/null 2>&1
[ -n "$tools" ] || tools=target/release
data=target/bench
mkdir -p "$data"
q=$((n / 4))
[ -s "$data/big-$n.pcapng" ] || ./target/release/xmmep-capgen --bench "$data/big-$n.pcapng" --messages "$n" --seed 1 >/dev/null
for s in 1 2 3 4; do
    [ -s "$data/quarter-$q-$s.pcapng" ] || ./target/release/xmmep-capgen --bench "$data/quarter-$q-$s.pcapng" --messages "$q" --seed "$s" >/dev/null
done
work=$(mktemp -d /tmp/xmmep-bench-tools.XXXXXX)
trap 'rm -rf "$work"' EXIT
majmin=$(ws_dev_version)
mkdir -p "$work/home/.local/lib/wireshark/plugins/$majmin/epan" "$work/global" "$work/bin"
cp target/release/libxmmep.so "$work/home/.local/lib/wireshark/plugins/$majmin/epan/xmmep.so"
cp "$tools/xmmep-export" "$tools/xmmep-check" "$work/bin/"
# The baseline pass over captures "$2"..., "$1" at a time.
cat >"$work/bin/baseline-pool" <<'EOF'
#!/bin/sh
p=$1
shift
printf '%s\n' "$@" | xargs -P "$p" -I{} tshark -r {} -T fields -e frame.number -e xmmep.msg_type
EOF
chmod +x "$work/bin/baseline-pool"
cp "$data/big-$n.pcapng" "$work/big.pcapng"
for s in 1 2 3 4; do cp "$data/quarter-$q-$s.pcapng" "$work/q$s.pcapng"; done
chmod -R a+rwX "$work"

# Runs "$@" as the unprivileged user; prints "wall-seconds peak-RSS-KiB"
# (the peak of this process alone, from /proc).
run() {
    local start end pid hwm=0 h
    start=$(date +%s.%N)
    if [ "$(id -u)" -eq 0 ]; then
        "${XMMEP_AS_USER[@]}" env -i HOME="$work/home" WIRESHARK_PLUGIN_DIR="$work/global" PATH="$PATH" "$@" >/dev/null 2>"$work/stderr.txt" &
    else
        env HOME="$work/home" WIRESHARK_PLUGIN_DIR="$work/global" "$@" >/dev/null 2>"$work/stderr.txt" &
    fi
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        h=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
        [ -z "$h" ] || hwm=$h
        sleep 0.05
    done
    # Exit 1 is a tool's "a problem reaches the threshold": a result.
    local rc=0
    wait "$pid" || rc=$?
    [ "$rc" -le 1 ] || { cat "$work/stderr.txt" >&2; exit 1; }
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" -v r="$hwm" 'BEGIN { printf "%.2f %d\n", e - s, r }'
}

declare -A best rss
keep() { # NAME SECONDS RSS
    if [ -z "${best[$1]:-}" ] || awk -v a="$2" -v b="${best[$1]}" 'BEGIN { exit !(a < b) }'; then best[$1]=$2; fi
    if [ -z "${rss[$1]:-}" ] || [ "$3" -gt "${rss[$1]}" ]; then rss[$1]=$3; fi
}
quarters=("$work/q1.pcapng" "$work/q2.pcapng" "$work/q3.pcapng" "$work/q4.pcapng")
for ((r = 0; r < rounds; r++)); do
    keep baseline $(run tshark -r "$work/big.pcapng" -T fields -e frame.number -e xmmep.msg_type)
    keep export $(run "$work/bin/xmmep-export" --jobs 1 --fail-on never "$work/big.pcapng")
    keep check $(run "$work/bin/xmmep-check" --jobs 1 "$work/big.pcapng")
    keep jobs1 $(run "$work/bin/xmmep-export" --jobs 1 --fail-on never "${quarters[@]}")
    keep jobs2 $(run "$work/bin/xmmep-export" --jobs 2 --fail-on never "${quarters[@]}")
    keep pool1 $(run "$work/bin/baseline-pool" 1 "${quarters[@]}")
    keep pool2 $(run "$work/bin/baseline-pool" 2 "${quarters[@]}")
done

msgs=$(${XMMEP_AS_USER[@]+"${XMMEP_AS_USER[@]}"} env -i HOME="$work/home" WIRESHARK_PLUGIN_DIR="$work/global" PATH="$PATH" \
    tshark -r "$work/big.pcapng" -Y xmmep -T fields -e xmmep.msg_type | tr ',' '\n' | grep -c . || true)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
echo "Wireshark $(tshark --version 2>/dev/null | head -1 | awk '{ print $3 }'), $(nproc) cores, $(date -u +%Y-%m-%d), tools from $tools"
echo "capture: $n generated messages ($msgs XMMEP messages counted by the plugin); best of $rounds interleaved rounds, wall-clock seconds"
echo
echo "| run | seconds | against the baseline | own peak RSS |"
echo "|---|---|---|---|"
echo "| tshark -T fields -e frame.number -e xmmep.msg_type | ${best[baseline]} | 1.00x | (tshark: ${rss[baseline]} KiB) |"
echo "| xmmep-export --jobs 1 | ${best[export]} | $(ratio "${best[export]}" "${best[baseline]}") | ${rss[export]} KiB |"
echo "| xmmep-check --jobs 1 | ${best[check]} | $(ratio "${best[check]}" "${best[baseline]}") | ${rss[check]} KiB |"
echo
m4=$((q * 4))
rate() { awk -v m="$1" -v s="$2" 'BEGIN { printf "%.0f", m / s }'; }
r1=$(rate "$m4" "${best[jobs1]}") r2=$(rate "$m4" "${best[jobs2]}")
echo "| xmmep-export, 4 captures of $q messages | seconds | messages/s | own peak RSS |"
echo "|---|---|---|---|"
echo "| --jobs 1 | ${best[jobs1]} | $r1 | ${rss[jobs1]} KiB |"
echo "| --jobs 2 | ${best[jobs2]} | $r2 | ${rss[jobs2]} KiB |"
echo
echo "--jobs 2 against --jobs 1: $(ratio "$r2" "$r1") the messages/s"
echo "the baseline pass alone on the same 4 captures, one at a time ${best[pool1]} s, two at a time ${best[pool2]} s: $(ratio "${best[pool1]}" "${best[pool2]}") the messages/s"
