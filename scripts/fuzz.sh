#!/usr/bin/env bash
# Mutation fuzzing of both XMMEP dissectors (the binary plugin and the Lua
# script) with the real tshark, the way Wireshark's tools/fuzz-test.sh does
# it: editcap -E (error probability 0.02 or 0.1, a fresh seed each time,
# whole frames or payload only), then tshark -nVxr or -2 -nVr with
#   WIRESHARK_ABORT_ON_DISSECTOR_BUG=1 WIRESHARK_ABORT_ON_TOO_MANY_ITEMS=1
#   WIRESHARK_DEBUG_WMEM_OVERRIDE=strict MALLOC_CHECK_=3
# Inputs, in turn: the committed corpus (tests/captures), a corpus
# generated with another seed and a benchmark capture (xmmep-capgen), and
# structure-aware random captures (xmmep-fuzzgen: messages shaped by the
# table, random TCP segmentation, frames up to 256 KB of delimiter floods),
# decoded through the heuristics and, every other run, with their ports
# bound by Decode As. With both dissectors, each fuzzed file is also decoded
# by both with the same arguments and -T fields, and compared frame by
# frame: whether XMMEP is there, how many messages, their types in order,
# the set of problem classes (the expert infos of xmmep and a malformed
# exception). Where docs/decisions.md (45, 46) says the script cannot do
# what the plugin does, the frames are not compared and count as accepted.
#
#   bash scripts/fuzz.sh [--ci] [--frames N] [--time SECONDS] [--version V]
#                        [--dissector plugin|lua|both] [--seed N] [--out DIR]
#
#   --ci           the bounded run of the test command: 20000 frames per
#                  dissector (same as --frames 20000)
#   --frames N     frame budget per dissector (default 100000)
#   --time S       time budget in seconds (default none); the run stops at
#                  whichever budget is reached first
#   --version V    Wireshark major.minor from ./wireshark-versions; default
#                  $XMMEP_FUZZ_VERSION, else the tshark on PATH. A version
#                  other than the native one runs inside its Debian root
#                  (scripts/wireshark-root.sh, needs root), where the plugin
#                  is built into target/ws-V
#   --dissector D  plugin, lua or both (default both)
#   --seed N       first editcap/xmmep-fuzzgen seed (default 1)
#   --out DIR      where failures are kept (default target/fuzz/V)
#
# Output: one line per dissector, then one for the comparison,
#   fuzz 4.0 plugin: files 8, frames 20431, xmmep frames 19112, crashes 0, dissector bugs 0, lua errors 0, hangs 0
#   fuzz 4.0 parity: files 8, frames 20431, disagreements 0, accepted 0
# (disagreements and accepted count frames). A failing input is kept as
# DIR/failures/<dissector>-<run>/input.pcapng beside reproduce.sh (the
# exact tshark command, environment included), the problem lines of
# tshark's output and its stderr; a disagreement as
# DIR/failures/parity-<run>/ with both dissectors' per-frame lines and
# their diff. The script then exits 1. A tshark run that takes longer than
# $XMMEP_FUZZ_HANG seconds (default 300) counts as a hang.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. scripts/lib.sh

frames=100000 seconds=0 version=${XMMEP_FUZZ_VERSION:-} which=both seed=1 out=
while [ $# -gt 0 ]; do
    case "$1" in
        --ci) frames=20000 ;;
        --frames) frames=${2:?}; shift ;;
        --time) seconds=${2:?}; shift ;;
        --version) version=${2:?}; shift ;;
        --dissector) which=${2:?}; shift ;;
        --seed) seed=${2:?}; shift ;;
        --out) out=${2:?}; shift ;;
        -h|--help) xmmep_help; exit 0 ;;
        *) echo "fuzz.sh: unknown argument $1" >&2; xmmep_usage ;;
    esac
    shift
done
case "$which" in plugin) dissectors=plugin ;; lua) dissectors=lua ;; both) dissectors="plugin lua" ;; *) xmmep_usage ;; esac

native=$(ws_tshark_version || true)
version=${version:-$native}
[ -n "$version" ] || { echo "fuzz.sh: no tshark on PATH and no --version" >&2; exit 2; }
ws_supported "$version" \
    || { echo "fuzz.sh: Wireshark $version is not in ./wireshark-versions" >&2; exit 2; }
out=${out:-target/fuzz/$version}

# Another version: the same command inside its root (the checkout is /src).
if [ "$version" != "$native" ] && [ -z "${XMMEP_IN_ROOT:-}" ]; then
    case "$out" in /*) echo "fuzz.sh: --out must be relative to the checkout for version $version" >&2; exit 2 ;; esac
    exec bash scripts/wireshark-root.sh run "$version" bash scripts/fuzz.sh --version "$version" \
        --frames "$frames" --time "$seconds" --dissector "$which" --seed "$seed" --out "$out"
fi

cargo build --release --quiet --lib --bin xmmep-capgen --bin xmmep-fuzzgen
bin=${CARGO_TARGET_DIR:-target}/release
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Everything tshark reads lives in a world-readable temporary folder: as
# root, tshark ignores personal plugins, so it runs as uid 65534.
work=$(mktemp -d /tmp/xmmep-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
plugdir="$work/home-plugin/.local/lib/wireshark/plugins/$version/epan"
mkdir -p "$plugdir" "$work/home-lua" "$work/global" "$work/in" "$work/gen"
cp "$bin/libxmmep.so" "$plugdir/xmmep.so"
cp lua/xmmep.lua "$work/xmmep.lua"
chmod -R a+rX "$work"
xmmep_give_to_user "$work/home-plugin" "$work/home-lua"

# The inputs: the committed corpus in one file, a corpus of another seed in
# one file, a benchmark capture; random captures are made per run.
mapfile -t corpus < <(find tests/captures -name '*.pcapng' | sort)
# Several copies in one file: each tshark run then has thousands of frames.
mergecap -a -w "$work/in/corpus.pcapng" "${corpus[@]}" "${corpus[@]}" "${corpus[@]}" "${corpus[@]}" "${corpus[@]}"
"$bin/xmmep-capgen" --out-dir "$work/gen" --seed "$((seed + 7919))" >/dev/null 2>&1
mapfile -t gen < <(find "$work/gen" -name '*.pcapng' | sort)
mergecap -a -w "$work/in/generated.pcapng" "${gen[@]}" "${gen[@]}" "${gen[@]}" "${gen[@]}" "${gen[@]}"
"$bin/xmmep-capgen" --bench "$work/in/bench.pcapng" --messages 20000 --seed "$seed" 2>/dev/null
inputs=(corpus generated bench random)
# Ports of the generated traffic and of xmmep-fuzzgen, for Decode As.
bind=()
for p in 6610 6620 6630 6631 6660 47420; do bind+=(-d "tcp.port==$p,xmmep"); done
for p in 6600 6620 6650 47421; do bind+=(-d "udp.port==$p,xmmep"); done

env_vars=(WIRESHARK_ABORT_ON_DISSECTOR_BUG=1 WIRESHARK_ABORT_ON_TOO_MANY_ITEMS=1
          WIRESHARK_DEBUG_WMEM_OVERRIDE=strict MALLOC_CHECK_=3)
# The tshark command for a dissector, as an array in `cmd`.
tshark_cmd() {
    local home=$work/home-$1
    cmd=("${XMMEP_AS_USER[@]}" env -i "HOME=$home" "WIRESHARK_PLUGIN_DIR=$work/global" "PATH=$PATH" LC_ALL=C.UTF-8 "${env_vars[@]}" tshark)
    [ "$1" = plugin ] || cmd+=(-X "lua_script:$work/xmmep.lua")
}

# The comparison: -T fields with the protocol item (one per message), the
# message types and one field per problem class, turned into one line per
# frame that has XMMEP or a problem by frames.awk. The classes are the
# expert infos of the table (read from the generated script, which carries
# them) and Wireshark's malformed-packet exception.
mapfile -t classes < <(sed -n 's/^ *{ kind = "[A-Za-z]*", abbrev = "\([a-z_]*\)", severity = .*/\1/p' lua/xmmep.lua)
[ "${#classes[@]}" -gt 10 ] || { echo "fuzz.sh: no expert infos found in lua/xmmep.lua" >&2; exit 2; }
# The separator between occurrences: Wireshark escapes control bytes in
# labels, so it cannot occur inside one.
fields=(-T fields -E "aggregator=$(printf '\036')" -e frame.number -e xmmep -e xmmep.msg_type)
for c in "${classes[@]}"; do fields+=(-e "xmmep.$c"); done
fields+=(-e _ws.malformed)
# TCP's view of the frame (relative sequence and acknowledgement numbers),
# which tells whether TCP filed it into the same connection state in both.
fields+=(-e tcp.seq -e tcp.ack)
# The links between messages: a difference in the analysis across messages
# may come from a message it links to (below).
mapfile -t links < <(sed -n 's/.* abbrev = "\(xmmep\.[a-z_.]*\)", .* display = "framenum".*/\1/p' lua/xmmep.lua)
[ "${#links[@]}" -gt 3 ] || { echo "fuzz.sh: no link fields found in lua/xmmep.lua" >&2; exit 2; }
for f in "${links[@]}"; do fields+=(-e "$f"); done
# The classes of the analysis across messages (group sequence).
sequence=$(sed -n 's/^ *{ kind = "[A-Za-z]*", abbrev = "\([a-z_]*\)", severity = "[a-z]*", group = "sequence".*/\1/p' lua/xmmep.lua | tr '\n' ' ')
[ -n "$sequence" ] || { echo "fuzz.sh: no sequence classes found in lua/xmmep.lua" >&2; exit 2; }
# What the script cannot do, and the plugin's own fields that show where
# (docs/decisions.md 45, 46). A frame they cover is tagged in the plugin's
# lines, and there a difference is accepted:
# 45: the plugin alone follows announced conversations. "[skip]": every
# frame of a TCP stream or UDP flow where the plugin shows an announcement.
# "[tcp]": a TCP frame to or from an address and port of such a stream;
# TCP files segments from that address to a peer it has not seen into the
# announced conversation, so a difference there is accepted only when
# TCP's view of the frame differs too.
# 46: in the first pass of two (-2) the script cannot see TCP's FIN.
# "[skip]": from the frame with FIN where the plugin shows a message cut
# short, the rest of that TCP stream.
# Either: a frame that differs only in the classes of the analysis across
# messages, and links (in either dissector) to a frame accepted so.
plugin_fields=(-e tcp.stream -e udp.stream -e xmmep.setup_in -e xmmep.file_data
               -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e tcp.srcport -e tcp.dstport -e tcp.flags.fin)
{
    printf 'BEGIN { FS = "\\t"; k = split("%s", name, " "); nl = %d }\n' "${classes[*]} malformed" "${#links[@]}"
    cat <<'AWK'
{
    n = $2 == "" ? 0 : split($2, _, "\036")
    types = $3; gsub("\036", ",", types)
    p = ""
    for (i = 4; i <= 3 + k; i++) if ($i != "") p = p " " name[i - 3]
    l = ""
    for (i = k + 6; i <= k + 5 + nl; i++) if ($i != "") l = l "," $i
    gsub("\036", ",", l)
    line[NR] = sprintf("frame %s: messages %d, types %s, problems%s | tcp %s/%s | links %s", $1, n, types == "" ? "-" : types, p == "" ? " -" : p, $(k + 4), $(k + 5), l == "" ? "-" : substr(l, 2))
    show[NR] = n > 0 || p != "" || $(k + 4) != ""
    q = k + 5 + nl
    if (NF <= q) next
    # The plugin's own fields, after the common ones.
    tcp = $(q + 1); s = tcp != "" ? "t" tcp : $(q + 2) != "" ? "u" $(q + 2) : ""
    if (s == "") next
    stream[NR] = s
    ann = $(q + 3) != "" || $(q + 4) != ""
    if (ann) announced[s] = 1
    if (tcp != "") {
        src[NR] = $(q + 5) $(q + 7) ":" $(q + 9); dst[NR] = $(q + 6) $(q + 8) ":" $(q + 10)
        if (ann) { endpoint[src[NR]] = 1; endpoint[dst[NR]] = 1 }
        fin = $(q + 11) ~ /^(1|True)/
        if (two && fin && p ~ / truncated( |$)/ && !(s in cut)) cut[s] = NR
    }
}
END {
    for (i = 1; i <= NR; i++) {
        t = ""
        if ((i in src) && ((src[i] in endpoint) || (dst[i] in endpoint))) t = " [tcp]"
        if ((i in stream) && ((stream[i] in announced) || ((stream[i] in cut) && i >= cut[stream[i]]))) t = " [skip]"
        if (show[i] || t != "") print line[i] t
    }
}
AWK
} > "$work/frames.awk"
# Compares frames-plugin with frames-lua: prints the differing lines as
# "< plugin" / "> lua" and, last, "<disagreements> <accepted>".
cat > "$work/compare.awk" <<'AWK'
function num(l) { sub(/^frame /, "", l); sub(/:.*/, "", l); return l + 0 }
function view(l) { sub(/.* \| tcp /, "", l); sub(/ \| links .*/, "", l); return l }
function seen(l) { sub(/ \| tcp .*/, "", l); return l }
function links(l) { sub(/.* \| links /, "", l); return l }
# What is seen, without the classes of the analysis across messages.
function alone(l,   i) { l = seen(l); for (i = 1; i <= ns; i++) gsub(" " sq[i], "", l); sub(/problems$/, "problems -", l); return l }
BEGIN { ns = split(sequence, sq, " ") }
FNR == NR { f = num($0); p[f] = $0; if (f > m) m = f; next }
{ f = num($0); l[f] = $0; if (f > m) m = f }
END {
    for (f = 1; f <= m; f++) {
        # (Reading p[f] or l[f] would make the entry: test first.)
        a = f in p ? p[f] : "frame " f ": messages 0, types -, problems - | tcp / | links -"
        b = f in l ? l[f] : "frame " f ": messages 0, types -, problems - | tcp / | links -"
        skip = sub(/ \[skip\]$/, "", a)
        tcp = sub(/ \[tcp\]$/, "", a)
        if (seen(a) == seen(b)) continue
        if (skip || (tcp && view(a) != view(b))) { acc++; ok[f] = 1; continue }
        left[f] = 1; pa[f] = a; pb[f] = b
    }
    # Differences only in the analysis, through a link to a frame accepted
    # above (or so), until nothing changes.
    do {
        more = 0
        for (f in left) {
            if (alone(pa[f]) != alone(pb[f])) continue
            n = split(links(pa[f]) "," links(pb[f]), to, ",")
            for (i = 1; i <= n; i++) if ((to[i] + 0) in ok) { ok[f] = 1; delete left[f]; acc++; more = 1; break }
        }
    } while (more)
    for (f = 1; f <= m; f++) if (f in left) {
        dis++
        print "< " pa[f]
        print "> " pb[f]
    }
    print dis + 0, acc + 0
}
AWK

hang=${XMMEP_FUZZ_HANG:-300}
proto_label="X-Messenger Message Exchange Protocol"
declare -A n_files n_frames n_xmmep n_crash n_bug n_lua n_hang
for d in $dissectors; do n_files[$d]=0 n_frames[$d]=0 n_xmmep[$d]=0 n_crash[$d]=0 n_bug[$d]=0 n_lua[$d]=0 n_hang[$d]=0; done
failed=0 start=$SECONDS run=0 n_cmp_files=0 n_cmp_frames=0 n_dis=0 n_acc=0

# The lines of reproduce.sh that set up a temporary folder with both homes
# (the plugin's with the .so) and define run_plugin and run_lua.
repro_head() { # what who run
    echo "#!/usr/bin/env bash"
    echo "# $1: $2, Wireshark $version, run $3. Reproduces with the files beside it."
    [ "$version" = "$native" ] || echo "# Run inside the root: bash scripts/wireshark-root.sh run $version bash <this folder>/reproduce.sh"
    echo 'set -u; here=$(cd "$(dirname "$0")" && pwd); w=$(mktemp -d /tmp/xmmep-repro.XXXXXX); chmod 755 "$w"'
    echo "mkdir -p \"\$w/home-plugin/.local/lib/wireshark/plugins/$version/epan\" \"\$w/home-lua\" \"\$w/global\""
    echo "cp \"\$here/xmmep.so\" \"\$w/home-plugin/.local/lib/wireshark/plugins/$version/epan/\""
    echo 'cp "$here"/input.pcapng "$here"/xmmep.lua "$here"/*.awk "$w/"; chmod -R a+rX "$w"'
    echo '[ "$(id -u)" -ne 0 ] || chown -R 65534:65534 "$w/home-plugin" "$w/home-lua"'
    echo 'as_user() { if [ "$(id -u)" -eq 0 ]; then setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; else "$@"; fi; }'
    local d c
    for d in plugin lua; do
        c=(env -i "HOME=\$w/home-$d" 'WIRESHARK_PLUGIN_DIR=$w/global' "PATH=/usr/bin:/bin" LC_ALL=C.UTF-8 "${env_vars[@]}" tshark)
        [ "$d" = plugin ] || c+=("-X lua_script:\$w/xmmep.lua")
        echo "run_$d() { as_user ${c[*]} \"\$@\" -r \"\$w/input.pcapng\"; }"
    done
    echo 'cd "$w"'
}

keep_files() { # dir input
    mkdir -p "$1"
    cp "$2" "$1/input.pcapng"
    cp "$work/xmmep.lua" "$work/frames.awk" "$work/compare.awk" "$1/"
    cp "$plugdir/xmmep.so" "$1/xmmep.so"
}

keep() { # dissector run what input args...
    local d=$1 r=$2 what=$3 input=$4; shift 4
    local dir="$out/failures/$d-$r"
    keep_files "$dir" "$input"
    cp "$work/stdout" "$dir/problems.txt" 2>/dev/null || true
    cp "$work/stderr" "$dir/tshark.err"
    { repro_head "$what" "$d" "$r"; echo "run_$d $(printf '%q ' "$@")"; } > "$dir/reproduce.sh"
    chmod +x "$dir/reproduce.sh"
    echo "fuzz.sh: $what ($d, run $r): kept in $dir" >&2
    failed=1
}

keep_parity() { # run frames input args...
    local r=$1 n=$2 input=$3; shift 3
    local dir="$out/failures/parity-$r"
    keep_files "$dir" "$input"
    cp "$work/frames-plugin" "$dir/plugin.txt"
    cp "$work/frames-lua" "$dir/lua.txt"
    cp "$work/parity.diff" "$dir/parity.diff"
    {
        repro_head "plugin and Lua disagree" "both" "$r"
        echo "run_plugin $(printf '%q ' "$@" "${plugin_fields[@]}")| awk -v two=$two -f frames.awk > plugin.txt"
        echo "run_lua $(printf '%q ' "$@")| awk -v two=$two -f frames.awk > lua.txt"
        echo "awk -v 'sequence=$sequence' -f compare.awk plugin.txt lua.txt"
    } > "$dir/reproduce.sh"
    chmod +x "$dir/reproduce.sh"
    echo "fuzz.sh: plugin and Lua disagree on $n frame(s) (run $r): kept in $dir" >&2
    failed=1
}

budget_left() {
    [ "$seconds" -gt 0 ] && [ $((SECONDS - start)) -ge "$seconds" ] && return 1
    for d in $dissectors; do [ "${n_frames[$d]}" -lt "$frames" ] && return 0; done
    return 1
}

while budget_left; do
    run=$((run + 1))
    s=$((seed + run))
    kind=${inputs[$(( (run - 1) % ${#inputs[@]} ))]}
    src=$work/in/$kind.pcapng
    if [ "$kind" = random ]; then
        src=$work/in/random.pcapng
        "$bin/xmmep-fuzzgen" --out "$src" --packets 8000 --seed "$s"
    fi
    prob=$([ $((run % 2)) -eq 0 ] && echo 0.1 || echo 0.02)
    offset=$([ $(((run / 2) % 2)) -eq 0 ] && echo 0 || echo 54)
    editcap -E "$prob" -o "$offset" --seed "$s" "$src" "$work/fuzzed.pcapng" 2>/dev/null
    chmod 644 "$work/fuzzed.pcapng"
    args=(-n -V)
    if [ $((run % 3)) -eq 0 ]; then args+=(-2); else args+=(-x); fi
    if [ "$kind" = random ] || [ $((run % 2)) -eq 1 ]; then args+=("${bind[@]}"); fi
    ran=
    for d in $dissectors; do
        [ "${n_frames[$d]}" -lt "$frames" ] || continue
        tshark_cmd "$d"
        set +e
        cd "$work"
        timeout -k 10 "$hang" "${cmd[@]}" "${args[@]}" -r fuzzed.pcapng 2>stderr \
            | grep -aE "^Frame [0-9]+: |^$proto_label|Dissector bug|items in the tree|Lua Error" \
            | awk -v label="$proto_label" -v counts="$work/counts" '
                /^Frame [0-9]+: / { f++; seen = 0; next }
                index($0, label) == 1 { if (!seen) x++; seen = 1; next }
                /Dissector bug|more than [0-9]+ items in the tree/ { bug++ }
                /Lua Error/ { lua++ }
                { print }
                END { printf "%d %d %d %d\n", f, x, bug, lua > counts }' > stdout
        rc=${PIPESTATUS[0]}
        cd "$top"
        set -e
        read -r f x bug lua < "$work/counts"
        n_files[$d]=$((n_files[$d] + 1))
        n_frames[$d]=$((n_frames[$d] + f))
        n_xmmep[$d]=$((n_xmmep[$d] + x))
        grep -qE 'Dissector bug|more than [0-9]+ items' "$work/stderr" && bug=$((bug + 1))
        grep -q 'Lua' "$work/stderr" && lua=$((lua + 1))
        what=
        if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
            n_hang[$d]=$((n_hang[$d] + 1)) what="hang (over $hang s)"
        elif [ "$bug" -gt 0 ]; then
            n_bug[$d]=$((n_bug[$d] + 1)) what="dissector bug (exit $rc)"
        elif [ "$rc" -ne 0 ]; then
            n_crash[$d]=$((n_crash[$d] + 1)) what="crash (exit $rc)"
        fi
        if [ "$lua" -gt 0 ]; then
            n_lua[$d]=$((n_lua[$d] + 1)) what="${what:+$what, }Lua error"
        fi
        [ -z "$what" ] || keep "$d" "$run" "$what" "$work/fuzzed.pcapng" "${args[@]}"
        ran="$ran $d"
    done
    # Both dissectors on the same file with the same arguments, frame by frame.
    if [ "$ran" = " plugin lua" ]; then
        cmp_args=() two=0
        for a in "${args[@]}"; do case "$a" in -V|-x) ;; -2) two=1; cmp_args+=("$a") ;; *) cmp_args+=("$a") ;; esac; done
        for d in plugin lua; do
            tshark_cmd "$d"
            cd "$work"
            set +e
            extra=(); [ "$d" = lua ] || extra=("${plugin_fields[@]}")
            timeout -k 10 "$hang" "${cmd[@]}" "${cmp_args[@]}" "${fields[@]}" "${extra[@]}" -r fuzzed.pcapng 2>stderr \
                | awk -v "two=$two" -f frames.awk > "frames-$d"
            rc=${PIPESTATUS[0]}
            set -e
            cd "$top"
            if [ "$rc" -ne 0 ]; then
                n_crash[$d]=$((n_crash[$d] + 1))
                keep "$d" "$run" "exit $rc in the -T fields pass" "$work/fuzzed.pcapng" "${cmp_args[@]}" "${fields[@]}"
            fi
        done
        n_cmp_files=$((n_cmp_files + 1))
        n_cmp_frames=$((n_cmp_frames + f))
        awk -v "sequence=$sequence" -f "$work/compare.awk" "$work/frames-plugin" "$work/frames-lua" > "$work/parity.diff"
        read -r dis acc < <(tail -n 1 "$work/parity.diff")
        sed -i '$d' "$work/parity.diff"
        n_acc=$((n_acc + acc))
        if [ "$dis" -gt 0 ]; then
            n_dis=$((n_dis + dis))
            keep_parity "$run" "$dis" "$work/fuzzed.pcapng" "${cmp_args[@]}" "${fields[@]}"
        fi
    fi
done

for d in $dissectors; do
    echo "fuzz $version $d: files ${n_files[$d]}, frames ${n_frames[$d]}, xmmep frames ${n_xmmep[$d]}," \
        "crashes ${n_crash[$d]}, dissector bugs ${n_bug[$d]}, lua errors ${n_lua[$d]}, hangs ${n_hang[$d]}" \
        "($((SECONDS - start)) s)"
done
[ "$which" != both ] || echo "fuzz $version parity: files $n_cmp_files, frames $n_cmp_frames, disagreements $n_dis, accepted $n_acc"
exit "$failed"
