# Commissary developer commands. CARGO_TARGET_DIR lives outside the clone so CI and
# fresh clones on this machine reuse one build cache.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/commissary-target

.PHONY: setup test lint fmt serve contract-test

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

## Run the API alone on SQLite with defaults (./data).
serve:
	cargo run -p commissary -- serve

contract-test: setup
	auction-contract/scripts/test.sh
