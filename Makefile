# Commissary developer commands. CARGO_TARGET_DIR lives outside the clone so CI and
# fresh clones on this machine reuse one build cache.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/commissary-target

.PHONY: setup test lint fmt serve contract-test run bench

## Install the JavaScript toolchain (Foundry binaries, solc-js, OpenZeppelin) from the lockfile.
setup: node_modules/.package-lock.json
node_modules/.package-lock.json: package.json package-lock.json
	npm ci

## Run every test: lints, Rust on SQLite and PostgreSQL, the contract suite and gas check.
test: setup
	scripts/test.sh

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --all-features -- -D warnings

fmt:
	cargo fmt --all
	cd auction-contract && ../node_modules/.bin/forge fmt

## The whole commissary locally: anvil + contracts + demo data + API + chain worker + web page.
run: setup
	cargo run -p commissary -- dev

## Run the API alone on SQLite with defaults (./data).
serve:
	cargo run -p commissary -- serve

contract-test: setup
	auction-contract/scripts/test.sh

## Benchmarks (not part of `make test`): contract gas per operation, settlement latency,
## the time to settle 200 auctions ending together, live-event delivery to 1,000 SSE
## subscribers, the latency of a relayed bid (POST -> 202, 202 -> mined), listing reads
## and full-text search against /healthz under Debian's `wrk` (skipped if absent) on
## SQLite and PostgreSQL, the photo pipeline against Debian's `vips` (libvips-tools;
## skipped if absent), and the web page's first-load size and listing LCP in headless
## Chromium.
## Results are recorded in README.md.
bench: setup
	auction-contract/gas/measure.sh
	cargo run -p commissary-chain --features testkit --example settlement_bench
	cargo run -p commissary --example live_bench
	cargo run -p commissary --example relay_bench
	cargo run -p commissary --example read_bench
	cargo run --release -p commissary-photos --example photo_bench
	cargo build -p commissary
	node web/bench/page.bench.mjs
