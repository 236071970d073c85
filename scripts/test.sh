#!/usr/bin/env bash
# The whole test suite: installs what is missing, then runs every test,
# the tshark integration tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup-debian.sh
xmmep_setup
cargo test --release --all-targets -- --test-threads=2 "$@"
# The core of the generated lua/xmmep.lua against the Rust decoder, under
# Lua 5.4 and Lua 5.2 (Wireshark 4.0's); mlua builds one version at a time.
cargo test --release -p xmmep-lua-tests -- "$@"
cargo test --release -p xmmep-lua-tests --no-default-features --features lua52 -- "$@"
