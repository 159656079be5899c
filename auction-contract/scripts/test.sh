#!/usr/bin/env bash
# The contract test entry point (needs only `npm ci` at the repo root; no network):
#   1. forge fmt --check
#   2. forge build
#   3. ABI artifacts check (abi/*.json must match the fresh build)
#   4. forge test (FOUNDRY_PROFILE=ci when CI=true: more fuzz runs and invariant depth)
#   5. gas snapshot check (gas/measure.sh --check: real anvil, receipts' gasUsed vs gas-snapshot.json)
#   6. deploy script with the admin handed to another account (scripts/deploy.sh checks the roles)
#   7. Slither (scripts/slither.sh: pinned in requirements-ci.txt, fails on medium/high findings)
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

step "deploy script: ADMIN and LISTERS on a throwaway anvil"
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
anvil --host 127.0.0.1 --port "$port" --silent >/dev/null 2>&1 &
anvil_pid=$!
trap 'kill "$anvil_pid" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do cast chain-id --rpc-url "http://127.0.0.1:$port" >/dev/null 2>&1 && break; sleep 0.1; done
# anvil accounts #1 (admin, e.g. a multisig) and #2 (the service's operator key, a lister).
ADMIN=0x70997970C51812dc3A010C7d01b50e0d17dc79C8 LISTERS=0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC \
  "$CONTRACT_DIR/scripts/deploy.sh" "http://127.0.0.1:$port" - >/dev/null
echo "deployed with the admin handed over; roles checked"
kill "$anvil_pid" 2>/dev/null || true

step "slither"
"$CONTRACT_DIR/scripts/slither.sh"

printf '\n==> done in %ss\n' "$((SECONDS - start))"
echo "contracts: ${passed} passed, ${failed} failed"
