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
# bound by Decode As.
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
# Output: one line per dissector,
#   fuzz 4.0 plugin: files 8, frames 20431, xmmep frames 19112, crashes 0, dissector bugs 0, lua errors 0, hangs 0
# A failing input is kept as DIR/failures/<dissector>-<run>/input.pcapng
# beside reproduce.sh (the exact tshark command, environment included),
# the problem lines of tshark's output and its stderr; the script then exits 1. A tshark run that takes
# longer than $XMMEP_FUZZ_HANG seconds (default 300) counts as a hang.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

frames=100000 seconds=0 version=${XMMEP_FUZZ_VERSION:-} which=both seed=1 out=
usage() { sed -n '2,38s/^# \{0,1\}//p' "$0" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case "$1" in
        --ci) frames=20000 ;;
        --frames) frames=${2:?}; shift ;;
        --time) seconds=${2:?}; shift ;;
        --version) version=${2:?}; shift ;;
        --dissector) which=${2:?}; shift ;;
        --seed) seed=${2:?}; shift ;;
        --out) out=${2:?}; shift ;;
        -h|--help) usage ;;
        *) echo "fuzz.sh: unknown argument $1" >&2; usage ;;
    esac
    shift
done
case "$which" in plugin) dissectors=plugin ;; lua) dissectors=lua ;; both) dissectors="plugin lua" ;; *) usage ;; esac

native=$(tshark --version 2>/dev/null | sed -n '1s/.* \([0-9]*\.[0-9]*\)\.[0-9]*.*/\1/p' || true)
version=${version:-$native}
[ -n "$version" ] || { echo "fuzz.sh: no tshark on PATH and no --version" >&2; exit 2; }
awk -v v="$version" '!/^#/ && $1 == v { ok = 1 } END { exit !ok }' wireshark-versions \
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
[ "$(id -u)" -ne 0 ] || chown -R 65534:65534 "$work/home-plugin" "$work/home-lua"

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
    cmd=(env -i "HOME=$home" "WIRESHARK_PLUGIN_DIR=$work/global" "PATH=$PATH" LC_ALL=C.UTF-8 "${env_vars[@]}" tshark)
    [ "$(id -u)" -ne 0 ] || cmd=(setpriv --reuid=65534 --regid=65534 --clear-groups "${cmd[@]}")
    [ "$1" = plugin ] || cmd+=(-X "lua_script:$work/xmmep.lua")
}

hang=${XMMEP_FUZZ_HANG:-300}
proto_label="X-Messenger Message Exchange Protocol"
declare -A n_files n_frames n_xmmep n_crash n_bug n_lua n_hang
for d in $dissectors; do n_files[$d]=0 n_frames[$d]=0 n_xmmep[$d]=0 n_crash[$d]=0 n_bug[$d]=0 n_lua[$d]=0 n_hang[$d]=0; done
failed=0 start=$SECONDS run=0

keep() { # dissector run what input args...
    local d=$1 r=$2 what=$3 input=$4; shift 4
    local dir="$out/failures/$d-$r"
    mkdir -p "$dir"
    cp "$input" "$dir/input.pcapng"
    cp "$work/stdout" "$dir/problems.txt" 2>/dev/null || true
    cp "$work/stderr" "$dir/tshark.err"
    cp "$work/xmmep.lua" "$dir/xmmep.lua"
    cp "$plugdir/xmmep.so" "$dir/xmmep.so"
    {
        echo "#!/usr/bin/env bash"
        echo "# $what: $d, Wireshark $version, run $r. Reproduces with the files beside it."
        [ "$version" = "$native" ] || echo "# Run inside the root: bash scripts/wireshark-root.sh run $version bash $dir/reproduce.sh"
        echo 'set -u; here=$(cd "$(dirname "$0")" && pwd); w=$(mktemp -d /tmp/xmmep-repro.XXXXXX); chmod 755 "$w"'
        echo "mkdir -p \"\$w/home/.local/lib/wireshark/plugins/$version/epan\" \"\$w/global\""
        [ "$d" = plugin ] && echo "cp \"\$here/xmmep.so\" \"\$w/home/.local/lib/wireshark/plugins/$version/epan/\""
        echo 'cp "$here/input.pcapng" "$here/xmmep.lua" "$w/"; chmod -R a+rX "$w"; [ "$(id -u)" -ne 0 ] || chown -R 65534:65534 "$w/home"'
        local c=(env -i 'HOME=$w/home' 'WIRESHARK_PLUGIN_DIR=$w/global' "PATH=/usr/bin:/bin" LC_ALL=C.UTF-8 "${env_vars[@]}" tshark)
        local line="${c[*]}"
        [ "$d" = plugin ] || line="$line -X lua_script:\$w/xmmep.lua"
        echo "run=\"$line $*\""
        echo 'if [ "$(id -u)" -eq 0 ]; then run="setpriv --reuid=65534 --regid=65534 --clear-groups $run"; fi'
        echo 'cd "$w" && eval "$run -r input.pcapng"'
    } > "$dir/reproduce.sh"
    chmod +x "$dir/reproduce.sh"
    echo "fuzz.sh: $what ($d, run $r): kept in $dir" >&2
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
    done
done

for d in $dissectors; do
    echo "fuzz $version $d: files ${n_files[$d]}, frames ${n_frames[$d]}, xmmep frames ${n_xmmep[$d]}," \
        "crashes ${n_crash[$d]}, dissector bugs ${n_bug[$d]}, lua errors ${n_lua[$d]}, hangs ${n_hang[$d]}" \
        "($((SECONDS - start)) s)"
done
exit "$failed"
