#!/usr/bin/env bash
# Decoding speed through the real tshark: the binary plugin against the Lua
# script, on one large generated capture (default 1,000,000 messages) and on
# the largest capture of the corpus. Prints seconds, messages/s and the ratio.
#
#   bash scripts/bench-tshark.sh [MESSAGES]
#
# tshark runs as an unprivileged user (personal plugins are ignored for root),
# with a private HOME holding the plugin and an empty global plugin folder.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup-debian.sh
xmmep_setup
n=${1:-1000000}
cargo build --release --lib --bin xmmep-capgen >/dev/null
work=$(mktemp -d /tmp/xmmep-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
majmin=$(pkg-config --modversion wireshark | cut -d. -f1,2)
mkdir -p "$work/home/.local/lib/wireshark/plugins/$majmin/epan" "$work/global" "$work/lua-home"
cp target/release/libxmmep.so "$work/home/.local/lib/wireshark/plugins/$majmin/epan/xmmep.so"
cp lua/xmmep.lua "$work/xmmep.lua"
./target/release/xmmep-capgen --bench "$work/big.pcapng" --messages "$n" --seed 1 >/dev/null
# The largest capture of the corpus that holds XMMEP (non_xmmep holds none).
largest=$(ls -S tests/captures/*.pcapng | grep -v non_xmmep | head -1)
cp "$largest" "$work/largest.pcapng"
chmod -R a+rwX "$work"

as_user() {
    local home=$1; shift
    if [ "$(id -u)" -eq 0 ]; then
        setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME="$home" WIRESHARK_PLUGIN_DIR="$work/global" PATH="$PATH" "$@"
    else
        env HOME="$home" WIRESHARK_PLUGIN_DIR="$work/global" "$@"
    fi
}

# Seconds for one decode (all fields built, as -V would, written to /dev/null).
timed() {
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}

for cap in big largest; do
    file="$work/$cap.pcapng"
    msgs=$(as_user "$work/home" tshark -r "$file" -Y xmmep -T fields -e xmmep.msg_type | tr ',' '\n' | grep -c . || true)
    base=$(timed as_user "$work/lua-home" tshark -r "$file" -V)
    plug=$(timed as_user "$work/home" tshark -r "$file" -V)
    lua=$(timed as_user "$work/lua-home" tshark -X "lua_script:$work/xmmep.lua" -r "$file" -V)
    printf '%s (%s, %d bytes, %d XMMEP messages):\n' "$cap" "$( [ $cap = big ] && echo "generated, $n messages" || basename "$largest")" "$(stat -c %s "$file")" "$msgs"
    printf '  tshark -V without XMMEP : %8.2f s\n' "$base"
    printf '  with the plugin         : %8.2f s  (%.0f messages/s)\n' "$plug" "$(awk -v m="$msgs" -v t="$plug" 'BEGIN { print m / t }')"
    printf '  with the Lua script     : %8.2f s  (%.0f messages/s)\n' "$lua" "$(awk -v m="$msgs" -v t="$lua" 'BEGIN { print m / t }')"
    printf '  Lua / plugin            : %8.2f x\n' "$(awk -v a="$lua" -v b="$plug" 'BEGIN { print a / b }')"
done
