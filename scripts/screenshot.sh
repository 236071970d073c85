#!/usr/bin/env bash
# Pictures of the XMMEP windows of the Wireshark GUI, taken under Xvfb, for
# docs/user-guide.md.
#
#   bash scripts/screenshot.sh WINDOW [CAPTURE] [OUT.png]
#   bash scripts/screenshot.sh all
#
# WINDOW, the capture it opens by default (tests/captures/) and the window:
#   stats           login.pcapng          Statistics > XMMEP
#   conversations   chat_relayed.pcapng   Statistics > Conversations, XMMEP tab
#   endpoints       chat_relayed.pcapng   Statistics > Endpoints, XMMEP tab
#   export-objects  file_transfer.pcapng  File > Export Objects > XMMEP
#   srt             buddies.pcapng        Statistics > Service Response Time > XMMEP
#   flow-graph      chat_relayed.pcapng   Statistics > Flow Graph, flow type XMMEP
#   follow          chat_relayed.pcapng   Analyze > Follow > XMMEP Stream
# The picture goes to docs/gui/WINDOW.png unless OUT.png is given. `all`
# takes every window the running Wireshark has: Wireshark 4.0's GUI lists
# no plugin's follower (its Follow menu is fixed), so `follow` needs 4.2 or
# later, and the other windows' menus are walked as 4.0 lays them out. The
# follow picture is taken in the 4.4 root:
#   bash scripts/wireshark-root.sh run 4.4 bash -c 'cargo build --release --lib && bash scripts/screenshot.sh follow'
# (the root needs wireshark, xvfb, x11-utils, xdotool and imagemagick).
#
# Needs the plugin built (cargo build --release --lib; the script takes
# $CARGO_TARGET_DIR/release/libxmmep.so, or XMMEP_PLUGIN_SO) and the
# packages wireshark-qt (4.0) or wireshark (4.4 and later), xvfb,
# x11-utils, xdotool and imagemagick. Wireshark ignores personal plugins
# when it runs as root, so as root the GUI runs as nobody (uid 65534) with
# a temporary HOME that holds the plugin, as the tests run tshark. Menus
# are walked with the keyboard and a dialog's controls clicked where they
# are in a dialog of a set size (xdotool); the picture is that dialog
# alone, cropped to what it shows of XMMEP, in 256 colours.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
case "${1:-}" in -h|--help) xmmep_help; exit 0 ;; "" | -*) xmmep_usage ;; esac
window=$1

ver=$(ws_dev_version)
# Wireshark 4.2 and later list each registered follower under Analyze >
# Follow; 4.0's Follow menu is fixed.
gui_follows() { [ "$(printf '%s\n' "$ver" 4.2 | sort -V | head -n1)" = 4.2 ]; }

if [ "$window" = all ]; then
    [ $# -eq 1 ] || xmmep_usage
    if gui_follows; then all=(follow); else all=(stats conversations endpoints export-objects srt flow-graph); fi
    for w in "${all[@]}"; do bash "$0" "$w"; done
    exit 0
fi

case "$window" in
    stats) default_capture=login.pcapng ;;
    conversations | endpoints | flow-graph | follow) default_capture=chat_relayed.pcapng ;;
    export-objects) default_capture=file_transfer.pcapng ;;
    srt) default_capture=buddies.pcapng ;;
    *) xmmep_usage ;;
esac
if [ "$window" = follow ] && ! gui_follows; then
    echo "screenshot: Wireshark $ver's GUI has no Follow entry for a plugin's follower (4.2 and later do);" >&2
    echo "screenshot: take it in the 4.4 root (see --help), or read it with tshark -z follow,xmmep,ascii,N" >&2
    exit 1
fi
capture=$(realpath "${2:-$top/tests/captures/$default_capture}")
out=$(realpath -m "${3:-$top/docs/gui/$window.png}")
so=${XMMEP_PLUGIN_SO:-${CARGO_TARGET_DIR:-$top/target}/release/libxmmep.so}
[ -f "$so" ] || { echo "no $so: cargo build --release --lib first" >&2; exit 1; }
for tool in wireshark Xvfb xwininfo xdotool import convert; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install wireshark-qt xvfb x11-utils xdotool imagemagick" >&2; exit 1; }
done

work=$(mktemp -d /tmp/xmmep-shot.XXXXXX)
display=:$((90 + RANDOM % 100))
xvfb_pid=
ws_pid=
cleanup() {
    [ -n "$ws_pid" ] && kill "$ws_pid" 2>/dev/null || true
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
# only this build of the plugin takes part, and the plugins' entries that
# the steps below reach as the last of a menu are XMMEP's.
"${XMMEP_AS_USER[@]}" env -i PATH="$PATH" HOME="$work/home" XDG_RUNTIME_DIR="$work/runtime" \
    DISPLAY="$display" QT_QPA_PLATFORM=xcb WIRESHARK_PLUGIN_DIR="$work/global" \
    wireshark -r "$work/$(basename "$capture")" >"$work/wireshark.log" 2>&1 &
ws_pid=$!

export DISPLAY=$display
window_named() { # the id of the first window whose title matches $1
    xwininfo -root -tree 2>/dev/null | awk -v re="$1" '$0 ~ re { print $1; exit }'
}
wait_window() { # the id of the window whose title matches $1, once it shows
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
keys() { # presses each key given, unhurried, as a person would
    local k
    for k in "$@"; do
        xdotool key "$k"
        sleep 0.3
    done
}
click() { # clicks at x y of window $1
    xdotool mousemove --window "$1" "$2" "$3" click 1
    sleep 1
}
placed() { # puts window $1 at the top left at width $2, height $3
    xdotool windowsize "$1" "$2" "$3"
    xdotool windowmove "$1" 0 0
    sleep 2
}

main=$(wait_window " \"$(basename "$capture")\":")
sleep 5 # let it read the file
placed "$main" 1200 820
xdotool windowfocus "$main"
sleep 1

# The Conversations and Endpoints dialogs show a tab per protocol ticked in
# their list: find XMMEP with the list's filter box, tick it (the list's
# first row, at height $2), open its tab (the sixth, after Ethernet, IPv4,
# IPv6, TCP and UDP).
xmmep_tab() { # dialog row_y
    click "$1" 115 536      # "Filter list for specific type"
    xdotool type --delay 50 XMMEP
    sleep 1
    click "$1" 31 "$2"      # the one row left: tick it
    click "$1" 625 26       # its tab
}

# Each window: opens it and prints the dialog's window id and what of it
# the picture keeps (an ImageMagick crop geometry).
case "$window" in
stats)
    keys alt+s Up Return                  # Statistics, its last entry: XMMEP
    dialog=$(wait_window "\"[^\"]*XMMEP")
    placed "$dialog" 1000 700
    click "$dialog" 80 22                 # sort by Topic, ascending
    crop=1000x700+0+0
    ;;
conversations | endpoints)
    # The tabs and the rows, not the settings.
    if [ "$window" = conversations ]; then
        keys alt+s c
        dialog=$(wait_window "· Conversations ·")
        placed "$dialog" 1280 600
        xmmep_tab "$dialog" 314
        crop=1060x120+220+8
    else
        keys alt+s e
        dialog=$(wait_window "· Endpoints ·")
        placed "$dialog" 1280 600
        xmmep_tab "$dialog" 302
        crop=655x120+222+8
    fi
    ;;
export-objects)
    keys alt+f Up Up Up Right Up Return   # File, Export Objects, its last: XMMEP
    dialog=$(wait_window "Export · XMMEP object list")
    placed "$dialog" 750 300
    crop=750x300+0+0
    ;;
srt)
    keys alt+s r Up Return                # Service Response Time, its last: XMMEP
    dialog=$(wait_window "XMMEP Service Response Time")
    placed "$dialog" 900 400
    crop=900x400+0+0
    ;;
flow-graph)
    # Flow Graph is the 17th entry of 4.0's Statistics menu and has no
    # mnemonic.
    keys alt+s Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down Return
    dialog=$(wait_window "· Flow ·")
    placed "$dialog" 1200 656
    click "$dialog" 636 601               # Flow type
    xdotool type --delay 80 XMMEP
    keys Return
    sleep 2
    crop=1200x656+0+0
    ;;
follow)
    # Go to the frame ($XMMEP_SHOT_FRAME, 31: alice's first text to bob_k
    # in chat_relayed.pcapng), then Analyze > Follow, whose last entry is
    # XMMEP's ("XMMEP Stream").
    keys ctrl+g
    xdotool type --delay 50 "${XMMEP_SHOT_FRAME:-31}"
    keys Return alt+a Up Up Right Up Return
    dialog=$(wait_window "Follow .*Stream")
    placed "$dialog" 800 420
    sleep 2
    crop=800x420+0+0
    ;;
esac
sleep 1
mkdir -p "$(dirname "$out")"
import -window "$dialog" "$work/shot.png"
convert "$work/shot.png" -crop "$crop" +repage -colors 256 "PNG8:$out"
echo "wrote $out"
