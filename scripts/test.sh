#!/usr/bin/env bash
# The whole test suite: installs what is missing, then runs every test,
# the tshark integration tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup-debian.sh
xmmep_setup
cargo test --release --all-targets -- --test-threads=2 "$@"
