#!/usr/bin/env bash
# The whole test suite: installs what is missing, then runs every test,
# the tshark integration tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup-debian.sh
xmmep_setup
cargo test --release --lib --bins --tests -- --test-threads=2 "$@"
# The benchmark runs once in test mode: it must build and run, but speed is
# never asserted (`cargo bench --bench decode` measures it).
cargo test --release --benches
# The core of the generated lua/xmmep.lua against the Rust decoder, under
# Lua 5.4 and Lua 5.2 (Wireshark 4.0's); mlua builds one version at a time.
cargo test --release -p xmmep-lua-tests -- "$@"
cargo test --release -p xmmep-lua-tests --no-default-features --features lua52 -- "$@"
# A bounded mutation fuzzing run of both dissectors (about 20,000 frames each).
bash scripts/fuzz.sh --ci
