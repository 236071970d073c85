#!/usr/bin/env bash
# A screenshot of Statistics > XMMEP in the Wireshark GUI, under Xvfb.
#
#   bash scripts/screenshot-stats.sh [CAPTURE] [OUT.png]
#
# Defaults: tests/captures/login.pcapng, docs/stats-tree.png. Needs the
# plugin built (cargo build --release --lib) and the packages wireshark-qt,
# xvfb, x11-utils, xdotool and imagemagick. Wireshark ignores personal plugins when
# it runs as root, so as root the GUI runs as nobody (uid 65534) with a
# temporary HOME that holds the plugin, as the tests run tshark.
# The script opens Statistics > XMMEP with the keyboard (xdotool), waits for
# the dialog and saves that window alone.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
case "${1:-}" in -h|--help) xmmep_help; exit 0 ;; -*) xmmep_usage ;; esac
capture=$(realpath "${1:-$top/tests/captures/login.pcapng}")
out=$(realpath -m "${2:-$top/docs/stats-tree.png}")
so=${XMMEP_PLUGIN_SO:-$top/target/release/libxmmep.so}
[ -f "$so" ] || { echo "no $so: cargo build --release --lib first" >&2; exit 1; }
for tool in wireshark Xvfb xwininfo xdotool import; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install wireshark-qt xvfb x11-utils xdotool imagemagick" >&2; exit 1; }
done

ver=$(ws_dev_version)
work=$(mktemp -d /tmp/xmmep-shot.XXXXXX)
display=:$((90 + RANDOM % 100))
xvfb_pid=
cleanup() {
    [ -n "${ws_pid:-}" ] && kill "$ws_pid" 2>/dev/null || true
    [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/home/.local/lib/wireshark/plugins/$ver/epan" "$work/runtime" "$work/global"
cp "$so" "$work/home/.local/lib/wireshark/plugins/$ver/epan/xmmep.so"
cp "$capture" "$work/$(basename "$capture")"
chmod -R a+rX "$work"
chmod 700 "$work/runtime"
xmmep_give_to_user "$work/home" "$work/runtime"

Xvfb "$display" -screen 0 1280x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
for _ in $(seq 50); do xwininfo -display "$display" -root >/dev/null 2>&1 && break; sleep 0.1; done

# WIRESHARK_PLUGIN_DIR: an empty folder instead of the global plugins, so
# only this build of the plugin takes part (and its tree is the last entry
# of the Statistics menu, where Wireshark puts the plugins' trees).
"${XMMEP_AS_USER[@]}" env -i PATH="$PATH" HOME="$work/home" XDG_RUNTIME_DIR="$work/runtime" \
    DISPLAY="$display" QT_QPA_PLATFORM=xcb WIRESHARK_PLUGIN_DIR="$work/global" \
    wireshark -r "$work/$(basename "$capture")" >"$work/wireshark.log" 2>&1 &
ws_pid=$!

# Wireshark 4.0's GUI takes no `-z NAME,tree`: open the dialog from the menu.
export DISPLAY=$display
window_named() { # the id of the first window whose title matches $1
    xwininfo -root -tree 2>/dev/null | awk -v re="$1" '$0 ~ re { print $1; exit }'
}
wait_window() {
    local w=
    for _ in $(seq 120); do
        w=$(window_named "$1")
        [ -n "$w" ] && { echo "$w"; return 0; }
        sleep 0.5
    done
    import -window root "$out.failed.png" || true
    echo "no window $1 (the screen is in $out.failed.png); wireshark said:" >&2
    cat "$work/wireshark.log" >&2
    return 1
}
main=$(wait_window " \"$(basename "$capture")\":")
sleep 5 # let it read the file
xdotool windowsize "$main" 1200 820
xdotool windowmove "$main" 0 0
xdotool windowfocus "$main"
sleep 1
xdotool key --window "$main" alt+s   # Statistics
sleep 1
xdotool key --window "$main" Up      # its last entry: XMMEP
sleep 0.5
xdotool key --window "$main" Return
dialog=$(wait_window "\"[^\"]*XMMEP")
xdotool windowsize "$dialog" 1000 700
xdotool windowmove "$dialog" 0 0
sleep 2
xdotool mousemove --window "$dialog" 80 22 click 1 # sort by Topic, ascending
sleep 2
mkdir -p "$(dirname "$out")"
import -window "$dialog" "$out"
echo "wrote $out"
