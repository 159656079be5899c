#!/usr/bin/env bash
# Every test of the project: Rust on SQLite and on PostgreSQL, lints, the HTTP API against
# its OpenAPI description (Schemathesis), the contract and the web page.
# Needs `npm ci` (Foundry + solc-js) and a PostgreSQL at COMMISSARY_TEST_POSTGRES_URL
# (default postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/commissary-target}"
export PATH="$PWD/node_modules/.bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "web page: tsc --noEmit, Biome (lint + format check)"
node_modules/.bin/tsc --noEmit -p .
node_modules/.bin/biome ci web/ biome.json tsconfig.json

step "cargo clippy --all-targets -D warnings"
cargo clippy --workspace --all-targets --all-features -- -D warnings

step "Rust tests on SQLite"
COMMISSARY_TEST_DATABASE=sqlite cargo test --workspace --all-features

step "Rust tests on PostgreSQL"
# The database-backed suites again, now on PostgreSQL; pure unit tests ran above.
COMMISSARY_TEST_DATABASE=postgres cargo test --all-features -p commissary-tests -p commissary-chain -p commissary

step "HTTP API against its OpenAPI description (Schemathesis, real binary on SQLite)"
cargo build -p commissary
COMMISSARY_BIN="$CARGO_TARGET_DIR/debug/commissary" scripts/schemathesis.sh

step "auction contract: fmt, build, ABI check, tests, gas snapshot"
auction-contract/scripts/test.sh

step "web page in Chromium (playwright-core, Debian's chromium)"
if [ ! -x /usr/bin/chromium ]; then
  echo "Chromium is missing: apt-get install chromium (.ci/run does this)" >&2
  exit 1
fi
cargo build -p commissary
node --test --test-concurrency=1 web/tests/
