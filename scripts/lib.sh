#!/usr/bin/env bash
# What the scripts share, each in one place; every script sources it.
# --help, the supported Wireshark releases (the scripts' one reader of
# ./wireshark-versions) and their Debian roots, the Wireshark installed
# here, the unprivileged user tshark runs as, the Debian packages and
# their installer. It only defines functions and variables; the scripts
# set their shell options (set -euo pipefail) themselves.

# Its variables are for the scripts that source it:
# shellcheck disable=SC2034

# The checkout's top folder, wherever the script runs from.
XMMEP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The running script's --help: its leading comment, from line 2 to the first
# line that is not a comment, without the "# ".
xmmep_help() { awk 'NR == 1 { next } !/^#/ { exit } { sub(/^# ?/, ""); print }' "$XMMEP_TOP/scripts/${0##*/}"; }
# A usage error: the same on stderr, then exit 2.
xmmep_usage() { xmmep_help >&2; exit 2; }

# The supported Wireshark releases, from ./wireshark-versions, which only
# ws_rows reads: one row per release, oldest first, its columns
# major.minor, the Debian suite that carries it, its Lua, how it is tested.
ws_rows() { awk '!/^#/ && NF' "$XMMEP_TOP/wireshark-versions"; }
# The supported major.minor releases, one a line, oldest first.
ws_versions() { ws_rows | awk '{ print $1 }'; }
# Whether major.minor V is supported.
ws_supported() { ws_rows | awk -v v="$1" '$1 "" == v { ok = 1 } END { exit !ok }'; }
# The Debian suite that carries V; fails, printing nothing, when V is not
# supported.
ws_suite() { ws_rows | awk -v v="$1" '$1 "" == v { print $2; ok = 1 } END { exit !ok }'; }

# The Debian root of V that scripts/wireshark-root.sh makes, under
# $XMMEP_ROOT_CACHE (default /var/cache/xmmep-wireshark), one per suite;
# fails, printing nothing, when V is not supported.
ws_root() {
    local suite
    suite=$(ws_suite "$1") || return 1
    echo "${XMMEP_ROOT_CACHE:-/var/cache/xmmep-wireshark}/roots/$suite"
}
# Whether the root of V is made and ready to use.
ws_root_ready() {
    local root
    root=$(ws_root "$1") && [ -f "$root/.xmmep-ready" ]
}

# The Wireshark on this machine (native or a root's), as major.minor: that
# of the tshark on PATH, and that of the development files the plugin is
# built against.
ws_tshark_version() { tshark --version 2>/dev/null | sed -n '1s/.* \([0-9]*\.[0-9]*\)\.[0-9]*.*/\1/p'; }
ws_dev_version() { pkg-config --modversion wireshark | cut -d. -f1,2; }

# Wireshark run as root ignores personal plugins, so a script that runs as
# root runs tshark (or Wireshark) as nobody, uid and gid 65534, with a HOME
# that user owns. XMMEP_AS_USER is the command prefix that does so, empty
# when not root (an array, for command arrays and `timeout`);
# xmmep_give_to_user hands files and folders, recursively, to that user
# when root.
XMMEP_AS_USER=()
[ "$(id -u)" -ne 0 ] || XMMEP_AS_USER=(setpriv --reuid=65534 --regid=65534 --clear-groups)
xmmep_give_to_user() { [ "$(id -u)" -ne 0 ] || chown -R 65534:65534 "$@"; }

# The Debian packages the build and the tests need on this machine,
# installed when missing by xmmep_setup (xmllint checks the JUnit report
# against its schema, man the tools' man pages).
XMMEP_PACKAGES=(tshark libwireshark-dev libglib2.0-dev libclang-dev pkg-config gcc libxml2-utils man-db)
# The packages of a Debian root (scripts/wireshark-root.sh): the same, what
# a minbase root lacks besides to build the plugin and run the suite, and
# what scripts/dist.sh needs to make and lint a package in the root's
# release (dpkg-shlibdeps, lintian).
XMMEP_ROOT_PACKAGES=("${XMMEP_PACKAGES[@]}" clang libc6-dev ca-certificates util-linux dpkg-dev lintian)
# What scripts/dist.sh needs on this machine to build this release's package.
XMMEP_DIST_PACKAGES=(dpkg-dev lintian)

# Prints those of XMMEP_PACKAGES and of the PACKAGEs given that are not
# installed.
xmmep_missing_packages() { # [PACKAGE...]
    local p missing=()
    for p in "${XMMEP_PACKAGES[@]}" "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    echo "${missing[@]:-}"
}

# Installs those, as root or through sudo (it says what to do when neither
# is possible), and finds cargo.
xmmep_setup() { # [PACKAGE...]
    local missing
    missing=$(xmmep_missing_packages "$@")
    if [ -n "$missing" ]; then
        local sudo=""
        if [ "$(id -u)" -ne 0 ]; then
            if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
                sudo="sudo"
            else
                echo "xmmep: these Debian packages are missing: $missing" >&2
                echo "xmmep: run as root, or: sudo apt-get install $missing" >&2
                exit 1
            fi
        fi
        echo "xmmep: installing $missing"
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        # tshark asks whether non-root users may capture; answer no.
        echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
        # shellcheck disable=SC2086
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
    fi
    if ! command -v cargo >/dev/null; then
        [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
    fi
    if ! command -v cargo >/dev/null; then
        echo "xmmep: no Rust toolchain (cargo) found; install one with rustup (Rust 1.75 or newer)" >&2
        exit 1
    fi
}

# The DuckDB and Spark recipes of docs/tools.md (scripts/duckdb-logins.py,
# scripts/spark-export.py) and their tests need Python with the `duckdb` and
# `pyspark` packages from PyPI, and Spark a Java runtime (Debian's default
# JRE: 17 on bookworm, 21 on trixie, both supported by Spark 4). Uses
# python3 when it has both already; otherwise installs them into a venv
# under target/ (the venv module comes with Debian's python3-venv), with no
# pip cache in the user's home. Exports XMMEP_PYTHON.
xmmep_python_recipes() {
    command -v java >/dev/null || xmmep_setup default-jre-headless
    if python3 -c 'import duckdb, pyspark' 2>/dev/null; then
        XMMEP_PYTHON=$(command -v python3)
    else
        local venv="$PWD/target/python-venv"
        if [ ! -x "$venv/bin/python" ]; then
            if ! python3 -m venv "$venv" 2>/dev/null; then
                rm -rf "$venv"
                xmmep_setup python3-venv
                python3 -m venv "$venv"
            fi
        fi
        "$venv/bin/python" -c 'import duckdb, pyspark' 2>/dev/null || "$venv/bin/pip" install -q --no-cache-dir duckdb pyspark
        XMMEP_PYTHON="$venv/bin/python"
    fi
    export XMMEP_PYTHON
}
