#!/usr/bin/env bash
# Memcheck of tshark with the XMMEP plugin over the capture corpus, the
# malformed set (tests/captures) and a structure-aware random capture
# (xmmep-fuzzgen, ports bound by Decode As), decoded with -nV in one pass
# and with -2 in two. Memory is handed out by plain malloc
# (G_SLICE=always-malloc, WIRESHARK_DEBUG_WMEM_OVERRIDE=simple) so that
# valgrind sees every block.
#
#   bash scripts/valgrind.sh [--packets N]
#
# Prints each valgrind error, and each leak, whose stack names the plugin
# (xmmep.so, a xmmep:: function), then one line:
#   valgrind 4.0: files 2, runs 4, plugin errors 0, plugin registration blocks 24, other errors 116 (glib, Wireshark)
# and exits 1 if the plugin has any. Not counted as plugin errors: blocks
# allocated once while the plugin registers (field, subtree and expert
# arrays and strings handed to Wireshark for the life of the process,
# which memcheck sees as lost at exit: they do not grow with the packets),
# and errors whose stacks do not reach the plugin (glib's one-time
# allocations, Wireshark's own). Native Wireshark only.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. scripts/lib.sh
packets=3000
while [ $# -gt 0 ]; do
    case "$1" in
        --packets) packets=${2:?}; shift ;;
        -h|--help) xmmep_help; exit 0 ;;
        *) xmmep_usage ;;
    esac
    shift
done
command -v valgrind >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
version=$(ws_tshark_version)
cargo build --release --quiet --lib --bin xmmep-fuzzgen
bin=${CARGO_TARGET_DIR:-target}/release

work=$(mktemp -d /tmp/xmmep-valgrind.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
plugdir="$work/home/.local/lib/wireshark/plugins/$version/epan"
mkdir -p "$plugdir" "$work/global"
cp "$bin/libxmmep.so" "$plugdir/xmmep.so"
mapfile -t caps < <(find tests/captures -name '*.pcapng' | sort)
mergecap -a -w "$work/corpus.pcapng" "${caps[@]}"
"$bin/xmmep-fuzzgen" --out "$work/random.pcapng" --packets "$packets" --seed 4242
chmod -R a+rX "$work"
xmmep_give_to_user "$work/home"

run=("${XMMEP_AS_USER[@]}" env -i "HOME=$work/home" "WIRESHARK_PLUGIN_DIR=$work/global" "PATH=$PATH" LC_ALL=C.UTF-8
     G_SLICE=always-malloc WIRESHARK_DEBUG_WMEM_OVERRIDE=simple
     valgrind --tool=memcheck --leak-check=full --num-callers=40 --error-limit=no)
bind=(-d tcp.port==47420,xmmep -d udp.port==47421,xmmep)

plugin_errors=0 once_blocks=0 other_errors=0 runs=0
check() { # log: print the plugin's error blocks, count both kinds
    awk -v counts="$work/counts" '
        function flush() {
            if (block != "" && interesting) {
                if (block !~ /xmmep/) other++
                else if (leak && block ~ /register_protoinfo|register_handoff|plugin_register|registry::/) once++
                else { mine++; printf "%s\n", block }
            }
            block = ""; interesting = 0; leak = 0
        }
        /^==[0-9]+== *$/ { flush(); next }
        /^==[0-9]+== / {
            line = $0; sub(/^==[0-9]+== /, "", line)
            if (block == "" && line !~ /^ /) {
                # The first line of a block: an error or a leak record.
                leak = (line ~ /are definitely lost|are possibly lost/)
                interesting = leak || (line ~ /^(Invalid|Conditional|Use of uninitialised|Syscall param|Mismatched|Source and destination|Argument .* of function)/)
            }
            block = block "\n" line
        }
        END { flush(); printf "%d %d %d\n", mine, once, other > counts }' "$1"
    local m n o
    read -r m n o < "$work/counts"
    plugin_errors=$((plugin_errors + m)) once_blocks=$((once_blocks + n)) other_errors=$((other_errors + o))
}

for input in corpus random; do
    for mode in one two; do
        args=(-n -V -r "$work/$input.pcapng")
        [ "$mode" = one ] || args+=(-2)
        [ "$input" = corpus ] || args+=("${bind[@]}")
        (cd "$work" && "${run[@]}" --log-file="$work/home/vg.log" tshark "${args[@]}" >/dev/null 2>"$work/stderr") \
            || { echo "valgrind.sh: tshark failed on $input ($mode pass):" >&2; cat "$work/stderr" >&2; exit 1; }
        check "$work/home/vg.log"
        runs=$((runs + 1))
    done
done
echo "valgrind $version: files 2, runs $runs, plugin errors $plugin_errors," \
    "plugin registration blocks $once_blocks, other errors $other_errors (glib, Wireshark)"
[ "$plugin_errors" -eq 0 ]
