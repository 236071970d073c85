#!/usr/bin/env bash
# Debian roots with another Wireshark, for building and testing against it.
#
#   bash scripts/wireshark-root.sh create VERSION     build the root once (cached)
#   bash scripts/wireshark-root.sh run VERSION CMD... run CMD in it, in the checkout
#   bash scripts/wireshark-root.sh path VERSION       print where the root lives
#   bash scripts/wireshark-root.sh remove VERSION     delete the cached root
#
# VERSION is a major.minor from ./wireshark-versions (4.4 -> trixie, ...).
# The root is made by mmdebstrap from Debian's packages and kept under
# $XMMEP_ROOT_CACHE (default /var/cache/xmmep-wireshark). `run` bind-mounts
# the checkout at /src, the host's ~/.cargo and ~/.rustup (no toolchain can
# be downloaded inside), /proc, /sys and /dev in a mount namespace of its
# own, so nothing stays mounted when CMD ends, whether it passed or not.
# Needs root (mmdebstrap, unshare, chroot).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"

die() { echo "wireshark-root: $*" >&2; exit 1; }

# The suite and the root of a version, or a stop when it is not supported.
# Inside $(...) the stop ends that subshell alone: take them through an
# assignment (root=$(root_of "$v")), whose failure set -e turns into a stop.
suite_of() { ws_suite "$1" || die "unsupported Wireshark version '$1' (supported: $(ws_versions | paste -sd, - | sed 's/,/, /g'))"; }
root_of() { suite_of "$1" >/dev/null && ws_root "$1"; }

need_root() { [ "$(id -u)" -eq 0 ] || die "needs root (mmdebstrap, mounts, chroot); run it with sudo"; }

create() {
    local v=$1 suite root tmp
    suite=$(suite_of "$v")
    root=$(root_of "$v")
    ws_root_ready "$v" && return 0
    need_root
    if ! command -v mmdebstrap >/dev/null; then
        # A new machine may have no package lists yet: update once if needed.
        { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap \
            || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap; }; } >/dev/null 2>&1 \
            || die "cannot install mmdebstrap (apt-get install mmdebstrap)"
    fi
    mkdir -p "$(dirname "$root")"
    tmp="$root.partial"
    rm -rf "$tmp"
    echo "wireshark-root: creating the $suite root for Wireshark $v (a few minutes, once)" >&2
    # sid's Release file on the mirror is past its Valid-Until date.
    # The debconf answer keeps dumpcap from asking about non-root capture.
    mmdebstrap --variant=minbase --quiet \
        --aptopt='Acquire::Check-Valid-Until "false"' \
        --essential-hook='echo "wireshark-common wireshark-common/install-setuid boolean false" | chroot "$1" debconf-set-selections' \
        --include="$(IFS=,; echo "${XMMEP_ROOT_PACKAGES[*]}")" \
        "$suite" "$tmp" >&2 || { rm -rf "$tmp"; die "mmdebstrap failed for $suite"; }
    local got
    got=$(chroot "$tmp" pkg-config --modversion wireshark)
    case "$got" in
        "$v".*) ;;
        *) rm -rf "$tmp"; die "$suite carries Wireshark $got, not $v: update ./wireshark-versions" ;;
    esac
    touch "$tmp/.xmmep-ready"
    mv "$tmp" "$root"
}

# Installs those of XMMEP_ROOT_PACKAGES that a root made before they joined
# the list lacks (the root is kept across changes of the list).
ensure_packages() {
    local v=$1 root p missing=()
    root=$(root_of "$v")
    for p in "${XMMEP_ROOT_PACKAGES[@]}"; do
        chroot "$root" dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "wireshark-root: installing ${missing[*]} into the $(suite_of "$v") root" >&2
    in_root "$v" bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null' \
        bash "${missing[@]}" || die "cannot install ${missing[*]} into the root"
}

run() {
    local v=$1; shift
    [ $# -gt 0 ] || die "run: no command given"
    need_root
    create "$v"
    ensure_packages "$v"
    in_root "$v" "$@"
}

# Runs a command in the root of $1 (made and ready).
in_root() {
    local v=$1; shift
    local root
    root=$(root_of "$v")
    cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
    # The mounts live in a private mount namespace of their own: they vanish
    # with it when CMD ends, passes, fails or is killed, and the host never
    # sees them. Each Wireshark gets its own target folder, since the
    # bindings and the plugin differ per version.
    unshare --mount --propagation private /bin/bash -euc '
        root=$1 top=$2 v=$3; shift 3
        mount -t proc proc "$root/proc"
        mount --rbind /sys "$root/sys"
        mount --rbind /dev "$root/dev"
        for d in "$top:/src" "$HOME/.cargo:/root/.cargo" "$HOME/.rustup:/root/.rustup"; do
            mkdir -p "$root${d#*:}"
            mount --bind "${d%%:*}" "$root${d#*:}"
        done
        exec chroot "$root" /usr/bin/env -i \
            HOME=/root PATH=/root/.cargo/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
            TERM="${TERM:-dumb}" CI="${CI:-}" LANG=C.UTF-8 \
            CARGO_TARGET_DIR="/src/target/ws-$v" XMMEP_IN_ROOT="$v" \
            /bin/bash -c "cd /src && exec \"\$@\"" bash "$@"
    ' bash "$root" "$top" "$v" "$@"
}

cmd=${1:-}; shift || true
case "$cmd" in
    create) [ $# -eq 1 ] || die "usage: create VERSION"; create "$1" ;;
    run) [ $# -ge 2 ] || die "usage: run VERSION CMD..."; run "$@" ;;
    path) [ $# -eq 1 ] || die "usage: path VERSION"; root_of "$1" ;;
    remove) [ $# -eq 1 ] || die "usage: remove VERSION"; root=$(root_of "$1"); need_root; rm -rf "$root" ;;
    -h|--help) xmmep_help ;;
    *) xmmep_usage ;;
esac
