#!/usr/bin/env bash
# The main job: install what is missing, build the plugin, install it (and
# the generated Lua script) for the Wireshark on this machine, and show the
# sample login session decoded by tshark.
#
#   bash scripts/run.sh              build, install, decode the sample session
#   bash scripts/run.sh --uninstall  remove what an install put in place
#
# As a normal user the files go to the personal plugin folders; as root they
# go system-wide, because tshark run as root ignores personal plugins.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
case "${1:-}" in
    ""|--uninstall) ;;
    -h|--help) xmmep_help; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
esac
xmmep_setup

version=$(pkg-config --modversion wireshark)
# The folders this Wireshark reads, as it says itself (plugins/4.0,
# plugins/4.4, plugins/4.6, ...): `tshark -G folders`.
folder() { tshark -G folders 2>/dev/null | sed -n "s/^$1:[[:space:]]*//p" | head -1; }
if [ "$(id -u)" -eq 0 ]; then
    bin_dir="$(folder 'Global Plugins')/epan"
    lua_dir="$(folder 'Global Lua Plugins')"
    where="system-wide (tshark run as root ignores personal plugins)"
else
    bin_dir="$(folder 'Personal Plugins')/epan"
    lua_dir="$(folder 'Personal Lua Plugins')"
    where="for $(id -un) (personal plugin folders)"
fi
[ "$bin_dir" != /epan ] || bin_dir="$(pkg-config --variable=plugindir wireshark)/epan"
: "${lua_dir:=$(dirname "$bin_dir")/..}"

if [ "${1:-}" = "--uninstall" ]; then
    rm -fv "$bin_dir/xmmep.so" "$lua_dir/xmmep.lua"
    exit 0
fi

echo "xmmep: building the plugin for Wireshark $version"
cargo build --release --lib
install -d "$bin_dir" "$lua_dir"
install -m 0755 target/release/libxmmep.so "$bin_dir/xmmep.so"
install -m 0644 lua/xmmep.lua "$lua_dir/xmmep.lua"
echo "xmmep: installed $where:"
echo "  $bin_dir/xmmep.so"
echo "  $lua_dir/xmmep.lua (steps aside while the binary plugin is loaded)"
tshark -G plugins 2>/dev/null | grep -E '^(xmmep\.so|xmmep\.lua)' || {
    echo "xmmep: tshark does not list the plugin" >&2
    exit 1
}

sample=tests/captures/login.pcapng
echo
echo "xmmep: the sample login session, decoded: tshark -r $sample -Y xmmep -O xmmep -V"
echo
tshark -r "$sample" -Y xmmep -O xmmep -V
