#!/usr/bin/env bash
# Builds what a user downloads, for every supported Wireshark
# (./wireshark-versions), into dist/:
#   xmmep-4.0.so, xmmep-4.4.so, ...   the binary plugin for each release
#   xmmep.lua                         the Lua script (any Wireshark with Lua)
#   xmmep-wireshark_VERSION-1+SUITE_amd64.deb
#                                     one package per Debian release
#   SHA256SUMS
# Versions other than this machine's are built inside Debian roots
# (scripts/wireshark-root.sh). Each .deb is then checked in its release, in
# that release's Debian root, this machine's own release included: installed
# with apt-get, listed by `tshark -G plugins`, removed, and no file of it may
# remain. The check never runs on this machine itself, since installing and
# purging the package there would replace, then delete, a plugin that the
# user installed at the same paths.
#
#   bash scripts/dist.sh                 every supported version
#   bash scripts/dist.sh --version 4.4   one of them
#   bash scripts/dist.sh --no-check      build only
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

only="" check=1
while [ $# -gt 0 ]; do
    case "$1" in
        --version) only=${2:?--version needs a major.minor}; shift 2 ;;
        --no-check) check=0; shift ;;
        -h|--help) xmmep_help; exit 0 ;;
        *) echo "dist.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

xmmep_setup
native_mm=$(ws_dev_version)
pkg_version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
mkdir -p dist

# In the Wireshark of the current system (native or root): build the plugin
# and a .deb around it, then (with --check) install, list and remove it.
# Arguments: version, Debian suite, output folder, package version, check flag.
build_in_system() {
    local v=$1 suite=$2 out=$3 pv=$4 check=$5
    set -euo pipefail
    local target=${CARGO_TARGET_DIR:-target}
    cargo build --release --lib --quiet
    # Debug info stays in the build (profile.release debug = 1), not in what users download.
    strip --strip-debug -o "$out/xmmep-$v.so" "$target/release/libxmmep.so"

    local libpkg plugindir luadir arch rev stage deb
    libpkg=$(dpkg-query -W -f='${Package}\n' 'libwireshark[0-9]*' | head -1)
    plugindir=$(pkg-config --variable=plugindir wireshark)
    luadir=$(dirname "$plugindir")
    arch=$(dpkg --print-architecture)
    rev="1+$suite"
    stage=$(mktemp -d)
    install -D -m 0644 "$out/xmmep-$v.so" "$stage$plugindir/epan/xmmep.so"
    install -D -m 0644 lua/xmmep.lua "$stage$luadir/xmmep.lua"
    install -D -m 0644 README.md "$stage/usr/share/doc/xmmep-wireshark/README.md"
    # The README links to docs/: ship them beside it so the links resolve.
    install -d "$stage/usr/share/doc/xmmep-wireshark/docs"
    install -m 0644 docs/*.md "$stage/usr/share/doc/xmmep-wireshark/docs/"
    cat >"$stage/usr/share/doc/xmmep-wireshark/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: xmmep-wireshark

Files: *
License: GPL-2.0-or-later
 On Debian systems, the full text of the GNU General Public License
 version 2 can be found in the file /usr/share/common-licenses/GPL-2.
EOF
    mkdir -p "$stage/DEBIAN"
    (cd "$stage" && find usr -type f -exec md5sum {} + >DEBIAN/md5sums)
    local next_minor=$((${v#*.} + 1))
    cat >"$stage/DEBIAN/control" <<EOF
Package: xmmep-wireshark
Version: $pv-$rev
Architecture: $arch
Maintainer: xmmep-wireshark developers <xmmep-wireshark@users.noreply.github.com>
Depends: $libpkg (>= $v), $libpkg (<< ${v%%.*}.$next_minor)
Section: net
Priority: optional
Installed-Size: $(du -sk "$stage/usr" | cut -f1)
Description: Wireshark dissector for XMMEP (X-Messenger message protocol)
 Decodes XMMEP, the message protocol of the X-Messenger instant messenger,
 over TCP and UDP: every message field by field, with expert infos for
 every protocol problem. Installs the binary epan plugin for Wireshark $v
 and the equivalent Lua script, which steps aside while the plugin loads.
EOF
    deb="$(cd "$out" && pwd)/xmmep-wireshark_${pv}-${rev}_$arch.deb"
    dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
    rm -rf "$stage"
    echo "dist: $(basename "$deb") (Wireshark $v, $suite, depends on $libpkg)"

    [ "$check" = 1 ] || return 0
    local said
    said=$(DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" 2>&1) \
        || { echo "$said" >&2; echo "dist: apt-get cannot install $(basename "$deb")" >&2; return 1; }
    local listed  # the type column, lowercased: 4.6 says "Lua script", earlier releases "lua script"
    listed=$(tshark -G plugins 2>/dev/null | awk -F'\t' '{ sub(/ +$/, "", $1) } $1 ~ /^xmmep\.(so|lua)$/ { print $1 "=" tolower($3) }' | sort | paste -sd' ')
    said=$(DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq --purge xmmep-wireshark 2>&1) \
        || { echo "$said" >&2; echo "dist: apt-get cannot remove xmmep-wireshark" >&2; return 1; }
    if [ "$listed" != "xmmep.lua=lua script xmmep.so=dissector" ]; then
        echo "dist: after installing $(basename "$deb"), tshark -G plugins lists: '${listed:-nothing}'" >&2
        return 1
    fi
    if [ -e "$plugindir/epan/xmmep.so" ] || [ -e "$luadir/xmmep.lua" ]; then
        echo "dist: files of $(basename "$deb") remain after removal" >&2
        return 1
    fi
    echo "dist: $(basename "$deb") installs (tshark -G plugins: $listed) and removes cleanly"
}
for v in $(ws_versions); do
    [ -z "$only" ] || [ "$only" = "$v" ] || continue
    suite=$(ws_suite "$v")
    if [ "$v" = "$native_mm" ] && [ "$check" = 0 ]; then
        build_in_system "$v" "$suite" dist "$pkg_version" "$check"
    else
        [ "$(id -u)" -eq 0 ] || {
            echo "dist: Wireshark $v is built or checked in its Debian root, which needs root (use --no-check for this machine's version alone)" >&2
            exit 1
        }
        bash scripts/wireshark-root.sh run "$v" bash -c "$(declare -f build_in_system); build_in_system \"\$@\"" \
            bash "$v" "$suite" /src/dist "$pkg_version" "$check"
    fi
done
cp lua/xmmep.lua dist/xmmep.lua
(cd dist && sha256sum xmmep-*.so xmmep.lua xmmep-wireshark_*.deb >SHA256SUMS)
echo "dist: $(ls dist | tr '\n' ' ')"
