#!/usr/bin/env bash
# Builds what a user downloads, for every supported Wireshark
# (./wireshark-versions), into dist/:
#   xmmep-4.0.so, xmmep-4.4.so, ...   the binary plugin for each release
#   xmmep.lua                         the Lua script (any Wireshark with Lua)
#   xmmep-wireshark_VERSION-1+SUITE_amd64.deb
#                                     one package per Debian release
#   SHA256SUMS
# A package holds the plugin, the Lua script, xmmep-check and xmmep-export
# with their man pages and shell completions. Each is built in its
# release's Debian root (scripts/wireshark-root.sh) and linted there by that
# release's lintian: any error or warning fails. It is then checked in that
# root, this machine's own release included: the CI recipe of docs/ci.md
# (its ci-steps block, as it stands) installs it and checks the malformed
# captures into a JUnit report, which is read back; `tshark -G plugins`
# lists both dissectors; it is removed, and no file of it may remain. The
# check never runs on this machine itself, since installing and purging
# the package there would replace, then delete, a plugin that the user
# installed at the same paths. With --no-check, this machine's release is
# built and linted here.
#
#   bash scripts/dist.sh                 every supported version
#   bash scripts/dist.sh --version 4.4   one of them
#   bash scripts/dist.sh --no-check      build and lint only
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

# The roots have what a package needs (XMMEP_ROOT_PACKAGES); this machine
# needs it to build its own release's package with --no-check.
if [ "$check" = 0 ]; then xmmep_setup "${XMMEP_DIST_PACKAGES[@]}"; else xmmep_setup; fi
native_mm=$(ws_dev_version)
# The changelog entry's time: the last commit's, so that a rebuild of the
# same commit gives the same package.
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
pkg_version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
mkdir -p dist

# In the Wireshark of the current system (native or root): build the plugin
# and the tools, a .deb around them, lint it with the release's lintian,
# then (with --check) run the CI recipe of docs/ci.md with it.
# Arguments: version, Debian suite, output folder, package version, check
# flag, the time of the changelog entry (seconds since 1970).
build_in_system() {
    local v=$1 suite=$2 out=$3 pv=$4 check=$5 epoch=$6
    set -euo pipefail
    umask 022
    local target=${CARGO_TARGET_DIR:-target}
    cargo build --release --lib --quiet
    # The tools, built against this release's C library like the plugin.
    cargo build --release -p xmmep-tools --bin xmmep-check --bin xmmep-export --bin xmmep-gen-man --quiet
    # Debug info stays in the build (profile.release debug = 1), not in what users download.
    strip --strip-debug -o "$out/xmmep-$v.so" "$target/release/libxmmep.so"

    local libpkg plugindir luadir arch rev work stage doc deb tool
    libpkg=$(dpkg-query -W -f='${Package}\n' 'libwireshark[0-9]*' | head -1)
    plugindir=$(pkg-config --variable=plugindir wireshark)
    luadir=$(dirname "$plugindir")
    arch=$(dpkg --print-architecture)
    rev="1+$suite"
    work=$(mktemp -d)
    stage="$work/stage"
    doc="$stage/usr/share/doc/xmmep-wireshark"
    mkdir -p "$stage"
    # Stripped as dh_strip does: no symbol table, no .comment or .note.
    install -D -m 0644 "$target/release/libxmmep.so" "$stage$plugindir/epan/xmmep.so"
    strip --strip-unneeded --remove-section=.comment --remove-section=.note "$stage$plugindir/epan/xmmep.so"
    install -D -m 0644 lua/xmmep.lua "$stage$luadir/xmmep.lua"
    # The tools, their man pages and completions where Debian looks for them.
    "$target/release/xmmep-gen-man" "$work/man" >/dev/null
    install -d "$stage/usr/bin" "$stage/usr/share/man/man1" "$stage/usr/share/bash-completion/completions" \
        "$stage/usr/share/zsh/vendor-completions" "$stage/usr/share/fish/vendor_completions.d"
    for tool in xmmep-check xmmep-export; do
        install -m 0755 "$target/release/$tool" "$stage/usr/bin/$tool"
        strip --remove-section=.comment --remove-section=.note "$stage/usr/bin/$tool"
        gzip -9n <"$work/man/$tool.1" >"$stage/usr/share/man/man1/$tool.1.gz"
        install -m 0644 "$work/man/$tool.bash" "$stage/usr/share/bash-completion/completions/$tool"
        install -m 0644 "$work/man/_$tool" "$stage/usr/share/zsh/vendor-completions/_$tool"
        install -m 0644 "$work/man/$tool.fish" "$stage/usr/share/fish/vendor_completions.d/$tool.fish"
    done
    install -D -m 0644 README.md "$doc/README.md"
    # The README links to docs/: ship them beside it so the links resolve.
    install -d "$doc/docs"
    install -m 0644 docs/*.md "$doc/docs/"
    # The copyright file in the machine-readable format (DEP-5).
    cat >"$doc/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: xmmep-wireshark
Upstream-Contact: xmmep-wireshark developers <xmmep-wireshark@users.noreply.github.com>

Files: *
Copyright: 2024-2026 xmmep-wireshark developers
License: GPL-2.0-or-later

License: GPL-2.0-or-later
 This program is free software; you can redistribute it and/or modify it
 under the terms of the GNU General Public License as published by the Free
 Software Foundation; either version 2 of the License, or (at your option)
 any later version.
 .
 This program is distributed in the hope that it will be useful, but WITHOUT
 ANY WARRANTY; without even the implied warranty of MERCHANTABILITY or
 FITNESS FOR A PARTICULAR PURPOSE. See the GNU General Public License for
 more details.
 .
 On Debian systems, the full text of the GNU General Public License
 version 2 can be found in the file /usr/share/common-licenses/GPL-2.
COPYRIGHT
    # A non-native package's changelog: one entry for this build.
    local distribution=$suite
    [ "$suite" != sid ] || distribution=unstable
    gzip -9n >"$doc/changelog.Debian.gz" <<CHANGELOG
xmmep-wireshark ($pv-$rev) $distribution; urgency=medium

  * xmmep-wireshark $pv for Wireshark $v: the binary plugin, the Lua
    script, xmmep-check and xmmep-export.

 -- xmmep-wireshark developers <xmmep-wireshark@users.noreply.github.com>  $(LC_ALL=C date -u -R -d "@$epoch")
CHANGELOG

    # Dependencies as Debian computes them: dpkg-shlibdeps on the ELF files
    # (it reads the debian/control of a source tree, here a minimal one),
    # plus the libwireshark whose plugin ABI the plugin was built for,
    # which the plugin does not link to.
    mkdir -p "$work/src/debian"
    printf 'Source: xmmep-wireshark\n\nPackage: xmmep-wireshark\nArchitecture: any\n' >"$work/src/debian/control"
    local said shlibs next_minor=$((${v#*.} + 1))
    said=$(cd "$work/src" && dpkg-shlibdeps -O -e"$stage$plugindir/epan/xmmep.so" \
        -e"$stage/usr/bin/xmmep-check" -e"$stage/usr/bin/xmmep-export" 2>&1) \
        || { echo "$said" >&2; echo "dist: dpkg-shlibdeps failed" >&2; return 1; }
    shlibs=$(echo "$said" | sed -n 's/^shlibs:Depends=//p')
    [ -n "$shlibs" ] || { echo "$said" >&2; echo "dist: dpkg-shlibdeps found no dependency" >&2; return 1; }
    local depends="$libpkg (>= $v), $libpkg (<< ${v%%.*}.$next_minor), $shlibs"

    mkdir -p "$stage/DEBIAN"
    (cd "$stage" && find usr -type f -exec md5sum {} + | sort -k2 >DEBIAN/md5sums)
    cat >"$stage/DEBIAN/control" <<CONTROL
Package: xmmep-wireshark
Version: $pv-$rev
Architecture: $arch
Maintainer: xmmep-wireshark developers <xmmep-wireshark@users.noreply.github.com>
Depends: $depends
Recommends: tshark
Section: net
Priority: optional
Installed-Size: $(du -sk "$stage/usr" | cut -f1)
Description: Wireshark dissector for XMMEP (X-Messenger message protocol)
 Decodes XMMEP, the message protocol of the X-Messenger instant messenger,
 over TCP and UDP: every message field by field, with expert infos for
 every protocol problem. Installs the binary epan plugin for Wireshark $v
 and the equivalent Lua script, which steps aside while the plugin loads.
 .
 Two tools decode captures in batch through tshark: xmmep-check fails a CI
 job on protocol violations and writes JUnit XML reports, xmmep-export
 writes one row per message as JSON Lines or CSV.
CONTROL
    # mktemp made the top folder 0700: the data archive's ./ must be 0755.
    chmod 0755 "$stage"
    deb="$(cd "$out" && pwd)/xmmep-wireshark_${pv}-${rev}_$arch.deb"
    # Its files carry the time of the changelog entry, not the build's.
    SOURCE_DATE_EPOCH=$epoch dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
    rm -rf "$work"
    echo "dist: $(basename "$deb") (Wireshark $v, $suite; Depends: $depends)"

    # The release's lintian: no error and no warning (info tags are printed
    # and let pass).
    local lint
    lint=$(lintian --display-info "$deb" 2>&1 | grep -v '^running with root privileges') || true
    echo "dist: lintian $(lintian --version | awk '{ print $2 }') on $(basename "$deb"): $([ -n "$lint" ] && echo "$lint" | wc -l || echo no) tag(s)"
    [ -z "$lint" ] || echo "$lint" | sed 's/^/    /'
    if echo "$lint" | grep -q '^[EW]: '; then
        echo "dist: lintian reports errors or warnings on $(basename "$deb")" >&2
        return 1
    fi

    [ "$check" = 1 ] || return 0
    check_package "$deb"
}

# Runs the CI recipe of docs/ci.md (the shell steps of its ci-steps block,
# as they stand) with the package, in a folder holding it and the malformed
# captures as captures/; then checks what it installed, the JUnit report,
# and that removing the package leaves nothing of it. Argument: the .deb.
check_package() {
    local deb=$1 name plugindir luadir steps work step rc said
    name=$(basename "$deb")
    plugindir=$(pkg-config --variable=plugindir wireshark)
    luadir=$(dirname "$plugindir")
    steps=$(awk '/^<!-- ci-steps/ { want = 1; next } want && /^```sh$/ { on = 1; next } on && /^```$/ { exit } on' docs/ci.md)
    [ -n "$steps" ] || { echo "dist: no ci-steps block in docs/ci.md" >&2; return 1; }
    work=$(mktemp -d)
    cp "$deb" "$work/"
    mkdir "$work/captures"
    cp tests/captures/malformed/*.pcapng "$work/captures/"
    while IFS= read -r step; do
        rc=0
        said=$(cd "$work" && XMMEP_DEB=$name bash -c "$step" </dev/null 2>&1) || rc=$?
        case "$step" in
            # The malformed captures fail the check: exit 1 (2 is "could not check").
            xmmep-check*) [ "$rc" = 1 ] || { echo "$said" >&2; echo "dist: '$step' exited $rc, not 1" >&2; return 1; } ;;
            *) [ "$rc" = 0 ] || { echo "$said" >&2; echo "dist: the docs/ci.md step '$step' failed ($rc)" >&2; return 1; } ;;
        esac
    done <<<"$steps"

    local listed files junit="$work/xmmep-junit.xml" suites captures failures
    listed=$(tshark -G plugins 2>/dev/null | awk -F'\t' '{ sub(/ +$/, "", $1) } $1 ~ /^xmmep\.(so|lua)$/ { print $1 "=" tolower($3) }' | sort | paste -sd' ')
    files=$(dpkg -L xmmep-wireshark)
    # The JUnit report read back: valid, a suite per capture, failures.
    said=$(xmllint --noout --schema crates/xmmep-tools/tests/junit.xsd "$junit" 2>&1) \
        || { echo "$said" >&2; echo "dist: the JUnit report of the docs/ci.md steps is not valid" >&2; return 1; }
    suites=$(xmllint --xpath 'count(/testsuites/testsuite)' "$junit")
    failures=$(xmllint --xpath 'string(/testsuites/@failures)' "$junit")
    captures=$(find "$work/captures" -name '*.pcapng' | wc -l)
    rm -rf "$work"
    said=$(DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq --purge xmmep-wireshark 2>&1) \
        || { echo "$said" >&2; echo "dist: apt-get cannot remove xmmep-wireshark" >&2; return 1; }
    if [ "$listed" != "xmmep.lua=lua script xmmep.so=dissector" ]; then
        echo "dist: after installing $name, tshark -G plugins lists: '${listed:-nothing}'" >&2
        return 1
    fi
    if [ "$suites" != "$captures" ] || [ "${failures:-0}" -lt 1 ]; then
        echo "dist: the JUnit report has $suites suite(s) for $captures capture(s) and ${failures:-no} failure(s)" >&2
        return 1
    fi
    local f left=""
    for f in /usr/bin/xmmep-check /usr/bin/xmmep-export /usr/share/man/man1/xmmep-check.1.gz \
        /usr/share/bash-completion/completions/xmmep-check "$plugindir/epan/xmmep.so" "$luadir/xmmep.lua"; do
        echo "$files" | grep -qx "$f" || { echo "dist: $name does not install $f" >&2; return 1; }
    done
    while IFS= read -r f; do
        [ -d "$f" ] || [ ! -e "$f" ] || left="$left $f"
    done <<<"$files"
    [ -z "$left" ] || { echo "dist: files of $name remain after removal:$left" >&2; return 1; }
    echo "dist: $name installs by the steps of docs/ci.md (tshark -G plugins: $listed; the JUnit report: valid, $suites suites, $failures failing) and removes cleanly"
}
for v in $(ws_versions); do
    [ -z "$only" ] || [ "$only" = "$v" ] || continue
    suite=$(ws_suite "$v")
    if [ "$v" = "$native_mm" ] && [ "$check" = 0 ]; then
        build_in_system "$v" "$suite" dist "$pkg_version" "$check" "$epoch"
    else
        [ "$(id -u)" -eq 0 ] || {
            echo "dist: Wireshark $v is built or checked in its Debian root, which needs root (use --no-check for this machine's version alone)" >&2
            exit 1
        }
        bash scripts/wireshark-root.sh run "$v" bash -c "$(declare -f build_in_system check_package); build_in_system \"\$@\"" \
            bash "$v" "$suite" /src/dist "$pkg_version" "$check" "$epoch"
    fi
done
cp lua/xmmep.lua dist/xmmep.lua
(cd dist && sha256sum xmmep-*.so xmmep.lua xmmep-wireshark_*.deb >SHA256SUMS)
echo "dist: $(ls dist | tr '\n' ' ')"
