#!/usr/bin/env bash
# Decoding cost through the real tshark: a bare pass (no XMMEP dissector),
# the binary plugin and the Lua script, interleaved, several rounds, best of
# the rounds, in two modes:
#   fields: -T fields -e frame.number -e xmmep.msg_type -e xmmep.user_name
#           (bare: -e frame.number)
#   -V:     the whole tree, as text
# Prints CPU seconds (user + system, GNU time: on a machine shared with other
# jobs they vary far less than wall-clock time; tshark runs on one thread),
# each dissector's own cost ((t - t_bare) / t_bare), peak
# RSS (GNU time -v) against the bare pass, and the size-growth exponent of
# each dissector's own time on messages of 2,500 to 9,999 bytes (least
# squares of log time against log size, same message count). When run as
# root and the Debian root of Wireshark 4.4 exists (scripts/wireshark-root.sh),
# does the same there.
#
#   bash scripts/bench-tshark.sh [--messages N] [--rounds R] [--lua FILE] [--compare FILE] [--floor] [--analyze-off] [--plugin-only] [--native] [--instructions]
#
# --plugin-only leaves the Lua script out (and --floor, --compare): the
# plugin's figures in minutes instead of the Lua script's half hour.
#
# --analyze-off adds the plugin and the Lua script with the preference
# xmmep.analyze off (no analysis across messages), in the same rounds.
#
# --floor adds scripts/bench/floor.lua: the Wireshark Lua API calls any
# Lua dissector needs to show these messages, and nothing else; its own
# cost bounds what a Lua script can reach.
#
# --instructions counts instructions (valgrind's callgrind) instead of CPU
# seconds: the same count on every run of the same binaries and inputs,
# whatever else the machine is doing (CPU seconds on a shared machine vary
# by half), with address randomisation off (setarch -R): Wireshark's maps
# keyed by pointers otherwise make the count of one binary vary by up to
# 2,000 instructions a message. One round, 5,000 messages by default, no RSS. It also counts
# the start alone (the first packet), and prints the own cost per message
# without the start: what a long capture approaches; and how much of the
# plugin's own cost per message runs in the plugin's code, the rest being
# Wireshark's functions it calls (tree items, expert infos, reassembly).
#
# Every run also prints the analysis state the plugin holds at the end of
# the capture (its tracker and setup frames, by capacity), per message.
#
# --lua FILE benchmarks another Lua script (an older lua/xmmep.lua);
# --compare FILE runs a second script in the same interleaved rounds (one
# more column: before/after in one run). Both files must lie under the
# checkout for the 4.4 run (the root sees it as /src). Defaults: 300,000 messages, 3 rounds: a few minutes per version.
# tshark runs as an unprivileged user (personal plugins are ignored for root;
# 4.4 runs no Lua script as root), with a private HOME holding the plugin
# and an empty global plugin folder.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
n= rounds=3 lua=lua/xmmep.lua cmp= native=0 inner=0 instr=0 floor=0 off=0 only=0
while [ $# -gt 0 ]; do
    case "$1" in
        --messages) n=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --lua) lua=$2; shift 2 ;;
        --compare) cmp=$2; shift 2 ;;
        --native) native=1; shift ;;
        --floor) floor=1; shift ;;
        --analyze-off) off=1; shift ;;
        --plugin-only) only=1; shift ;;
        --instructions) instr=1; rounds=1; shift ;;
        --inner) inner=1; shift ;;   # inside a version root, captures made
        [0-9]*) n=$1; shift ;;       # the old form: bench-tshark.sh N
        -h|--help) xmmep_help; exit 0 ;;
        *) echo "usage: bench-tshark.sh [--messages N] [--rounds R] [--lua FILE] [--compare FILE] [--floor] [--analyze-off] [--plugin-only] [--native] [--instructions]" >&2; exit 2 ;;
    esac
done
[ "$only" = 0 ] || { floor=0; cmp=; }
[ -n "$n" ] || { [ "$instr" = 1 ] && n=5000 || n=300000; }
# GNU time for the peak RSS (the shell's `time` keyword has none).
extra=(time)
[ "$instr" = 0 ] || extra+=(valgrind)
xmmep_setup "${extra[@]}"
sizes=(2500 5000 9999)
sized_messages=2000
[ "$instr" = 0 ] || sized_messages=100
data=target/bench   # under the checkout, so that a version root sees it as /src/target/bench
if [ "$inner" = 0 ]; then
    cargo build --release --lib --bin xmmep-capgen >/dev/null 2>&1
    mkdir -p "$data"
    # Generated once per size and kept: deterministic for the seed.
    [ -s "$data/big-$n.pcapng" ] || ./target/release/xmmep-capgen --bench "$data/big-$n.pcapng" --messages "$n" --seed 1 >/dev/null
    for s in "${sizes[@]}"; do
        [ -s "$data/size-$s-$sized_messages.pcapng" ] || ./target/release/xmmep-capgen --bench "$data/size-$s-$sized_messages.pcapng" --messages "$sized_messages" --message-size "$s" --seed 1 >/dev/null
    done
    plugin=target/release/libxmmep.so
else
    cargo build --release --lib >/dev/null 2>&1
    plugin=$CARGO_TARGET_DIR/release/libxmmep.so
fi
work=$(mktemp -d /tmp/xmmep-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
majmin=$(ws_dev_version)
mkdir -p "$work/home/.local/lib/wireshark/plugins/$majmin/epan" "$work/global" "$work/lua-home"
cp "$plugin" "$work/home/.local/lib/wireshark/plugins/$majmin/epan/xmmep.so"
cp "$lua" "$work/xmmep.lua"
whiches="bare plugin"
[ "$only" = 1 ] || whiches="$whiches lua"
if [ -n "$cmp" ]; then cp "$cmp" "$work/compare.lua"; whiches="$whiches cmp"; fi
if [ "$floor" = 1 ]; then cp scripts/bench/floor.lua "$work/floor.lua"; whiches="$whiches floor"; fi
if [ "$off" = 1 ]; then whiches="$whiches plugin_off"; [ "$only" = 1 ] || whiches="$whiches lua_off"; fi
cp "$data/big-$n.pcapng" "$work/big.pcapng"
for s in "${sizes[@]}"; do cp "$data/size-$s-$sized_messages.pcapng" "$work/size-$s.pcapng"; done
chmod -R a+rwX "$work"

as_user() {
    local home=$1; shift
    if [ "$(id -u)" -eq 0 ]; then
        "${XMMEP_AS_USER[@]}" env -i HOME="$home" WIRESHARK_PLUGIN_DIR="$work/global" PATH="$PATH" "$@"
    else
        env HOME="$home" WIRESHARK_PLUGIN_DIR="$work/global" "$@"
    fi
}

# One run as the unprivileged user: prints "CPU-seconds peak-RSS-KiB" (from GNU time).
# $cg_out: where callgrind writes its profile (default: nowhere).
cg_out=/dev/null
run() {
    local home=$1 out="$work/time.txt"; shift
    if [ "$instr" = 1 ]; then
        as_user "$home" setarch "$(uname -m)" -R valgrind --tool=callgrind --callgrind-out-file="$cg_out" "$@" >/dev/null 2>"$work/stderr.txt" || { cat "$work/stderr.txt" >&2; exit 1; }
        # Instructions in millions as the "time", no RSS.
        awk '/Collected :/ { printf "%.1f 0\n", $NF / 1e6 }' "$work/stderr.txt"
        return
    fi
    as_user "$home" /usr/bin/time -v -o "$out" "$@" >/dev/null 2>"$work/stderr.txt" || { cat "$work/stderr.txt" >&2; exit 1; }
    awk -F': ' '/User time \(seconds\)/ || /System time \(seconds\)/ { s += $2 }
                /Maximum resident set size/ { r = $2 }
                END { printf "%.3f %d\n", s, r }' "$out"
}

# Which = bare | plugin | lua | cmp; prints the command line for one
# capture and mode ($limit: "-c 1" to count the start alone).
limit=
cmd() {
    local which=$1 file=$2 mode=$3 opts
    if [ "$mode" = fields ]; then
        if [ "$which" = bare ]; then opts="-T fields -e frame.number"; else opts="-T fields -e frame.number -e xmmep.msg_type -e xmmep.user_name"; fi
    else
        opts="-V"
    fi
    opts="$limit $opts"
    case "$which" in
        bare) echo "$work/lua-home tshark -r $file $opts" ;;
        plugin) echo "$work/home tshark -r $file $opts" ;;
        lua) echo "$work/lua-home tshark -X lua_script:$work/xmmep.lua -r $file $opts" ;;
        cmp) echo "$work/lua-home tshark -X lua_script:$work/compare.lua -r $file $opts" ;;
        floor) echo "$work/lua-home tshark -X lua_script:$work/floor.lua -r $file $opts" ;;
        plugin_off) echo "$work/home tshark -o xmmep.analyze:FALSE -r $file $opts" ;;
        lua_off) echo "$work/lua-home tshark -X lua_script:$work/xmmep.lua -o xmmep.analyze:FALSE -r $file $opts" ;;
    esac
}

# best[which] and rss[which] over the rounds, interleaved.
declare -A best rss start own_bare bare_msg
measure() {
    local file=$1 mode=$2 r which t m
    best=() rss=()
    for ((r = 0; r < rounds; r++)); do
        for which in $whiches; do
            # The plugin's profiles of the big capture are kept for the split
            # of its own cost below.
            cg_out=/dev/null
            if [ "$instr" = 1 ] && [ "$which" = plugin ] && [ "$file" = "$work/big.pcapng" ]; then cg_out="$work/plugin-$mode${limit:+-start}.cg"; fi
            read -r t m < <(run $(cmd "$which" "$file" "$mode"))
            if [ -z "${best[$which]:-}" ] || awk -v a="$t" -v b="${best[$which]}" 'BEGIN { exit !(a < b) }'; then best[$which]=$t; fi
            if [ -z "${rss[$which]:-}" ] || [ "$m" -gt "${rss[$which]}" ]; then rss[$which]=$m; fi
        done
    done
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f%%", (a - b) / b * 100 }'; }
# The own cost of a long capture: (a - a_start) against (b - b_start).
ratio_run() { awk -v a="$1" -v as="$2" -v b="$3" -v bs="$4" 'BEGIN { printf "%.1f%%", ((a - as) - (b - bs)) / (b - bs) * 100 }'; }
times() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3fx", a / b }'; }
if [ "$instr" = 1 ]; then unit=M fmt='%.0f M'; what="instructions in millions (callgrind), one run"; else unit=s fmt='%.2f s'; what="best of $rounds interleaved rounds, CPU seconds (user + system)"; fi
val() { printf "$fmt" "$1"; }

msgs=$(as_user "$work/home" tshark -r "$work/big.pcapng" -Y xmmep -T fields -e xmmep.msg_type | tr ',' '\n' | grep -c . || true)
packets=$(as_user "$work/home" tshark -r "$work/big.pcapng" -T fields -e frame.number | wc -l)
version=$(tshark --version 2>/dev/null | tr '\n' ' ')
echo "Wireshark $(echo "$version" | awk '{ print $3 }') ($(echo "$version" | grep -o 'Lua [0-9.]*[0-9]' | head -1)), $(nproc) cores, $(date -u +%Y-%m-%d), $what"
echo "capture: $n generated messages ($msgs XMMEP messages counted by the plugin, $packets packets); Lua script: $([ "$only" = 1 ] && echo "left out" || echo "$lua")${cmp:+; compared: $cmp}"
echo
fl=; [ "$floor" = 0 ] || fl=1
ao=; [ "$off" = 0 ] || ao=1
cols=$whiches
# Column titles of each measured dissector.
declare -A title=([plugin]="plugin" [lua]="Lua" [cmp]="compared Lua" [floor]="API floor" [plugin_off]="plugin, analysis off" [lua_off]="Lua, analysis off")
head="| mode | bare |"
for which in $cols; do [ "$which" = bare ] || head="$head ${title[$which]} |"; done
for which in $cols; do [ "$which" = bare ] || head="$head own cost: ${title[$which]} |"; done
if [ "$instr" = 1 ]; then
    for which in $cols; do [ "$which" = bare ] || head="$head own cost per message without the start: ${title[$which]} |"; done
else
    for which in $cols; do [ "$which" = bare ] || head="$head peak RSS: ${title[$which]} |"; done
fi
echo "$head"
echo "$head" | sed 's/[^|]*|/---|/g; s/^---|/|/'
for mode in fields V; do
    if [ "$instr" = 1 ]; then
        limit="-c 1"; measure "$work/big.pcapng" "$mode"
        for which in $cols; do start[$which]=${best[$which]}; done
        limit=
    fi
    measure "$work/big.pcapng" "$mode"
    label=$([ "$mode" = fields ] && echo '`-T fields`' || echo '`-V`')
    line="| $label |"
    for which in $cols; do line="$line $(val "${best[$which]}") |"; done
    for which in $cols; do [ "$which" = bare ] || line="$line $(ratio "${best[$which]}" "${best[bare]}") |"; done
    if [ "$instr" = 1 ]; then
        own_bare[$mode]=$(awk -v a="${best[plugin]}" -v as="${start[plugin]}" -v b="${best[bare]}" -v bs="${start[bare]}" -v n="$msgs" 'BEGIN { printf "%.0f", ((a - as) - (b - bs)) * 1e6 / (n - 1) }')
        bare_msg[$mode]=$(awk -v b="${best[bare]}" -v bs="${start[bare]}" -v n="$msgs" 'BEGIN { printf "%.0f", (b - bs) * 1e6 / (n - 1) }')
    fi
    for which in $cols; do
        [ "$which" = bare ] && continue
        if [ "$instr" = 1 ]; then line="$line $(ratio_run "${best[$which]}" "${start[$which]}" "${best[bare]}" "${start[bare]}") |"
        else line="$line $(times "${rss[$which]}" "${rss[bare]}") |"; fi
    done
    echo "$line"
done

# The plugin's state at the end of the capture (the plugin prints it when
# XMMEP_REPORT_STATE is set).
state=$(as_user "$work/home" env XMMEP_REPORT_STATE=1 tshark -r "$work/big.pcapng" -T fields -e frame.number 2>&1 >/dev/null | sed -n 's/^xmmep state: //p')
echo
echo "plugin analysis state at the end of the capture: ${state:-not reported}"

# Where the plugin's own cost goes, per message without the start: its own
# code (the functions in xmmep.so of the table's profiles), and what it
# calls (scripts/bench/callgrind-split.awk); the rest is the difference in
# the rest of tshark (the bare pass's data dissector, the fields written).
if [ "$instr" = 1 ]; then
    self_in_plugin() {
        callgrind_annotate --threshold=100 "$1" 2>/dev/null | awk '/xmmep\.so\]/ { v = $1; gsub(",", "", v); s += v } END { print s }'
    }
    for mode in fields V; do
        all="$(self_in_plugin "$work/plugin-$mode.cg") $(awk -f scripts/bench/callgrind-split.awk "$work/plugin-$mode.cg")"
        one="$(self_in_plugin "$work/plugin-$mode-start.cg") $(awk -f scripts/bench/callgrind-split.awk "$work/plugin-$mode-start.cg")"
        awk -v all="$all" -v one="$one" -v n="$msgs" -v m="$mode" -v own="${own_bare[$mode]}" -v bare="${bare_msg[$mode]}" 'BEGIN {
            split(all, a, " "); split(one, s, " ")
            for (i = 1; i <= 5; i++) p[i] = (a[i] - s[i]) / (n - 1)
            rest = own - p[1] - p[2] - p[3] - p[4] - p[5]
            printf "plugin, %s: own cost %.0f instructions a message (%.1f%% of a bare pass): its code %.0f (%.1f%%), Wireshark'"'"'s item, expert and column functions %.0f (%.1f%%), tcp_dissect_pdus %.0f (%.1f%%), exception guards %.0f (%.1f%%), C library %.0f (%.1f%%), rest of tshark %.0f (%.1f%%)\n", (m == "fields" ? "-T fields" : "-V"), own, own / bare * 100, p[1], p[1] / bare * 100, p[2], p[2] / bare * 100, p[3], p[3] / bare * 100, p[4], p[4] / bare * 100, p[5], p[5] / bare * 100, rest, rest / bare * 100
        }'
    done
fi

# Size growth: own time (t - t_bare) of -V on $sized_messages messages per size.
echo
declare -A own
for s in "${sizes[@]}"; do
    measure "$work/size-$s.pcapng" V
    for which in $cols; do
        [ "$which" = bare ] || own[$which,$s]=$(awk -v a="${best[$which]}" -v b="${best[bare]}" 'BEGIN { d = a - b; if (d < 0.001) d = 0.001; print d }')
    done
    printf "size %5d bytes, %d messages, -V: bare $fmt, plugin $fmt%s%s\n" "$s" "$sized_messages" "${best[bare]}" "${best[plugin]}" "${best[lua]:+, Lua $(val "${best[lua]}")}" "${cmp:+, compared Lua ${best[cmp]} $unit}"
done
slope() {
    local which=$1 s pts=""
    for s in "${sizes[@]}"; do pts="$pts $s ${own[$which,$s]}"; done
    echo "$pts" | awk '{ n = NF / 2; for (i = 0; i < n; i++) { x = log($(2*i+1)); y = log($(2*i+2)); sx += x; sy += y; sxx += x*x; sxy += x*y }
                         printf "%.2f", (n*sxy - sx*sy) / (n*sxx - sx*sx) }'
}
lua_slope=; [ "$only" = 1 ] || lua_slope=", Lua $(slope lua)"
echo "size-growth exponent of the own time (${sizes[0]}..${sizes[-1]} bytes): plugin $(slope plugin)$lua_slope${cmp:+, compared Lua $(slope cmp)}"

# The same in the Debian root of Wireshark 4.4, when it is there.
if [ "$inner" = 0 ] && [ "$native" = 0 ] && [ "$(id -u)" -eq 0 ] && ws_root_ready 4.4; then
    echo
    echo "== Wireshark 4.4 (Debian root)"
    inst=(); [ "$instr" = 0 ] || inst=(--instructions)
    [ "$floor" = 0 ] || inst+=(--floor)
    [ "$off" = 0 ] || inst+=(--analyze-off)
    [ "$only" = 0 ] || inst+=(--plugin-only)
    bash scripts/wireshark-root.sh run 4.4 bash scripts/bench-tshark.sh --inner --messages "$n" --rounds "$rounds" --lua "$lua" ${cmp:+--compare "$cmp"} "${inst[@]}"
fi
