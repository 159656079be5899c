#!/usr/bin/env bash
# The contract test entry point (needs only `npm ci` at the repo root; no network):
#   1. forge fmt --check
#   2. forge build
#   3. ABI artifacts check (abi/*.json must match the fresh build)
#   4. forge test (FOUNDRY_PROFILE=ci when CI=true: more fuzz runs and invariant depth)
#   5. gas snapshot check (gas/measure.sh --check: real anvil, receipts' gasUsed vs gas-snapshot.json)
# Extra arguments go to `forge test` (e.g. --mt test_bid_).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CONTRACT_DIR"

if [[ "${CI:-}" == "true" && -z "${FOUNDRY_PROFILE:-}" ]]; then
  export FOUNDRY_PROFILE=ci
fi
start=$SECONDS
step() { printf '\n==> %s (%ss)\n' "$*" "$((SECONDS - start))"; }

step "forge fmt --check"
forge fmt --check

step "forge build"
forge build

step "ABI artifacts"
"$CONTRACT_DIR/scripts/export-abi.sh" --check --no-build

step "forge test (profile ${FOUNDRY_PROFILE:-default})"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
forge test "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
summary="$(grep -E '[0-9]+ tests passed, [0-9]+ failed' "$log" | tail -1 || true)"
passed="$(sed -E 's/.* ([0-9]+) tests passed, ([0-9]+) failed.*/\1/' <<<"$summary")"
failed="$(sed -E 's/.* ([0-9]+) tests passed, ([0-9]+) failed.*/\2/' <<<"$summary")"
if [[ $status -ne 0 || -z "$summary" ]]; then
  echo "forge test failed" >&2
  exit 1
fi

step "gas snapshot"
"$CONTRACT_DIR/gas/measure.sh" --check

printf '\n==> done in %ss\n' "$((SECONDS - start))"
echo "contracts: ${passed} passed, ${failed} failed"
