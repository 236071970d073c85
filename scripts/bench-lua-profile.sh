#!/usr/bin/env bash
# Where the Lua script's time goes: cut-down copies of lua/xmmep.lua, each
# doing one stage less, timed interleaved (CPU seconds, best of the rounds)
# on the benchmark capture with -T fields; the difference between two
# neighbours is the cost of the stage cut. Stages, from the whole script:
#   links    show_links: tracker, conversation key, link items, xmmep.user
#   facts    what the tracker needs of a message
#   items    the tree items, their labels and the expert infos
#   decode   the pure-Lua decode (and Info, made only with columns)
#   message  the per-message work left (TvbRange and top item, columns)
#   framing  dissect_tcp_pdus and its callbacks (the script then only loads)
# When run as root with the Debian root of 4.4 (scripts/wireshark-root.sh),
# does the same there (Lua 5.4).
#
#   bash scripts/bench-lua-profile.sh [--messages N] [--rounds R] [--native]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
n=50000 rounds=3 native=0 inner=0
while [ $# -gt 0 ]; do
    case "$1" in
        --messages) n=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --native) native=1; shift ;;
        --inner) inner=1; shift ;;
        -h|--help) xmmep_help; exit 0 ;;
        *) echo "usage: bench-lua-profile.sh [--messages N] [--rounds R] [--native]" >&2; exit 2 ;;
    esac
done
xmmep_setup
data=target/bench
if [ "$inner" = 0 ]; then
    cargo build --release --bin xmmep-capgen >/dev/null 2>&1
    mkdir -p "$data"
    [ -s "$data/big-$n.pcapng" ] || ./target/release/xmmep-capgen --bench "$data/big-$n.pcapng" --messages "$n" --seed 1 >/dev/null
fi
work=$(mktemp -d /tmp/xmmep-profile.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home"
cp "$data/big-$n.pcapng" "$work/big.pcapng"

# cut NAME FROM PATTERN REPLACEMENT [ANCHOR]: NAME.lua is FROM.lua with
# the first line PATTERN (exact, whole line; after the line ANCHOR if
# given) replaced; fails when the line is not there.
cut() {
    local name=$1 from=$2 pat=$3 rep=$4 anchor=${5:-}
    awk -v pat="$pat" -v rep="$rep" -v anchor="$anchor" '
        anchor == "" || $0 == anchor { armed = 1 }
        armed && !found && $0 == pat { print rep; found = 1; next }
        { print }
        END { exit !found }' \
        "$work/$from.lua" > "$work/$name.lua" || { echo "bench-lua-profile.sh: no line '$pat' in the script: update the cuts" >&2; exit 1; }
}
cp lua/xmmep.lua "$work/whole.lua"
cut links whole 'local function show_links(top, offset, facts, at)' 'local function show_links() do return end'
cut facts links '  local facts = analysis.facts(bytes, dec, text_of, not pref_analyze)' '  local facts = { msg_type = dec.header and dec.header.msg_type }'
cut items facts '  for i = 1, n do' '  for i = 1, 0 do' '  parents[0] = top'
cut items2 items '  for _, r in ipairs(dec.reports) do' '  for _, r in ipairs({}) do' '  parents[0] = top'
mv "$work/items2.lua" "$work/items.lua"
cut decode items '  local dec = core.decode(bytes, cur_key)' '  local dec = { n = 0, reports = {}, available = #bytes, header = { msg_type = 1 } }'
cut message decode 'local function dissect_pdu(tvb, pinfo, tree)' 'local function dissect_pdu(tvb, pinfo, tree) do return tvb:len() end'
cut framing message 'function proto.dissector(tvb, pinfo, tree)' 'function proto.dissector(tvb, pinfo, tree) do return tvb:len() end'
chmod -R a+rwX "$work"

as_user() {
    if [ "$(id -u)" -eq 0 ]; then
        "${XMMEP_AS_USER[@]}" env -i HOME="$work/home" WIRESHARK_PLUGIN_DIR="$work/home" PATH="$PATH" "$@"
    else
        env HOME="$work/home" WIRESHARK_PLUGIN_DIR="$work/home" "$@"
    fi
}
run() {
    as_user /usr/bin/time -f "%U %S" -o "$work/t" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
    grep -q "Lua Error" "$work/err" && { cat "$work/err" >&2; exit 1; }
    awk '{ printf "%.3f\n", $1 + $2 }' "$work/t"
}
stages="whole links facts items decode message framing"
declare -A best
for ((r = 0; r < rounds; r++)); do
    for s in bare $stages; do
        if [ "$s" = bare ]; then t=$(run tshark -r "$work/big.pcapng" -T fields -e frame.number)
        else t=$(run tshark -X "lua_script:$work/$s.lua" -r "$work/big.pcapng" -T fields -e frame.number -e xmmep.msg_type -e xmmep.user_name); fi
        if [ -z "${best[$s]:-}" ] || awk -v a="$t" -v b="${best[$s]}" 'BEGIN { exit !(a < b) }'; then best[$s]=$t; fi
    done
done
version=$(tshark --version 2>/dev/null | head -1 | awk '{ print $3 }')
echo "Wireshark $version, $n messages, -T fields, best of $rounds rounds, CPU seconds; bare ${best[bare]} s, whole script ${best[whole]} s"
echo "| stage | seconds | share of the script's own cost |"
echo "|---|---|---|"
own=$(awk -v a="${best[whole]}" -v b="${best[bare]}" 'BEGIN { print a - b }')
prev=whole
for s in links facts items decode message framing; do
    awk -v s="$s" -v a="${best[$prev]}" -v b="${best[$s]}" -v o="$own" 'BEGIN { printf "| %s | %.2f | %.0f%% |\n", s, a - b, (a - b) / o * 100 }'
    prev=$s
done
awk -v a="${best[framing]}" -v b="${best[bare]}" -v o="$own" 'BEGIN { printf "| loading the script, Lua dissector calls | %.2f | %.0f%% |\n", a - b, (a - b) / o * 100 }'

if [ "$inner" = 0 ] && [ "$native" = 0 ] && [ "$(id -u)" -eq 0 ] && ws_root_ready 4.4; then
    echo
    echo "== Wireshark 4.4 (Debian root)"
    bash scripts/wireshark-root.sh run 4.4 bash scripts/bench-lua-profile.sh --inner --messages "$n" --rounds "$rounds"
fi
