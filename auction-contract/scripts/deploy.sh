#!/usr/bin/env bash
# Deploys AmpledToken + CommissaryAuction from the committed ABI artifacts (abi/*.json, so no compiler
# is needed) and writes the addresses as JSON.
#
# usage: scripts/deploy.sh [RPC_URL] [OUT_JSON]
#   RPC_URL   default http://127.0.0.1:8545 (a local anvil)
#   OUT_JSON  default auction-contract/deployments/<chainId>.json; "-" = stdout only
# env:
#   PRIVATE_KEY  deployer key; default anvil's well-known account #0 key (only for local chains)
#   ADMIN        receives DEFAULT_ADMIN_ROLE (treasury, pause, roles) and LISTER_ROLE on the auction,
#                and DEFAULT_ADMIN_ROLE + MINTER_ROLE on the token when it is deployed here. In
#                production a multisig or timelock: whoever holds it can pause bids (see the README's
#                "Pause"). Default: the deployer (local development).
#   LISTERS      comma-separated accounts that also get LISTER_ROLE (e.g. the service's operator
#                key, which creates the auctions); default none
#   TREASURY     receiver of settled bids; default ADMIN
#   TOKEN        use this existing ERC-20 instead of deploying the development AmpledToken
#
# With ADMIN = the deployer and no LISTERS the auction is deployed with the deployer as admin and
# nothing else happens. Otherwise the auction is deployed with the deployer as a temporary admin, which
# grants LISTER_ROLE to LISTERS, hands DEFAULT_ADMIN_ROLE and LISTER_ROLE to ADMIN and then renounces
# its own roles (keeping LISTER_ROLE only if it is in LISTERS), so the deployer keeps no power it was
# not given. The script checks the final roles with hasRole.
#
# Output JSON:
#   {"chainId": 31337, "deployer": "0x..", "admin": "0x..", "listers": ["0x.."], "treasury": "0x..",
#    "token": "0x..", "tokenDeployed": true, "tokenDeploymentBlock": 1,
#    "auction": "0x..", "deploymentBlock": 2}
#   deploymentBlock is the auction's deployment block: index its events from there.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RPC_URL="${1:-http://127.0.0.1:8545}"
OUT_JSON="${2:-}"
# A relative OUT_JSON is relative to the caller's directory.
if [[ -n "$OUT_JSON" && "$OUT_JSON" != "-" && "$OUT_JSON" != /* ]]; then OUT_JSON="$PWD/$OUT_JSON"; fi
cd "$CONTRACT_DIR"
ANVIL_KEY0=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
PRIVATE_KEY="${PRIVATE_KEY:-$ANVIL_KEY0}"

chain_id="$(cast chain-id --rpc-url "$RPC_URL")"
if [[ "$PRIVATE_KEY" == "$ANVIL_KEY0" && "$chain_id" != 31337 ]]; then
  echo "error: refusing to use anvil's public test key on chain $chain_id; set PRIVATE_KEY" >&2
  exit 1
fi
deployer="$(cast wallet address --private-key "$PRIVATE_KEY")"
admin="$(cast to-check-sum-address "${ADMIN:-$deployer}")"
treasury="$(cast to-check-sum-address "${TREASURY:-$admin}")"
listers=()
IFS=',' read -r -a _listers <<<"${LISTERS:-}"
for l in "${_listers[@]}"; do
  [[ -n "${l// /}" ]] && listers+=("$(cast to-check-sum-address "${l// /}")")
done
if [[ "$admin" == 0x0000000000000000000000000000000000000000 ]]; then
  echo "error: ADMIN must not be the zero address" >&2
  exit 1
fi

bytecode() { node -e 'process.stdout.write(require(process.argv[1]).bytecode.object)' "$CONTRACT_DIR/abi/$1.json"; }

# deploy NAME CTOR_SIG ARGS... -> prints "address block"
deploy() {
  local name="$1"
  shift
  local receipt
  receipt="$(cast send --rpc-url "$RPC_URL" --private-key "$PRIVATE_KEY" --json --create "$(bytecode "$name")" "$@")"
  node -e '
    const r = JSON.parse(process.argv[1]);
    if (Number(r.status) !== 1 || !r.contractAddress) { console.error("deployment failed", r); process.exit(1); }
    console.log(r.contractAddress, Number(r.blockNumber));' "$receipt"
}
checksum() { cast to-check-sum-address "$1"; }

if [[ -n "${TOKEN:-}" ]]; then
  token="$(checksum "$TOKEN")"
  token_block=null
  token_deployed=false
else
  out="$(deploy AmpledToken "constructor(address)" "$admin")"
  read -r token token_block <<<"$out"
  token="$(checksum "$token")"
  token_deployed=true
fi
handover=false
if [[ "$admin" != "$deployer" && ${#listers[@]} -gt 0 ]]; then handover=true; fi
initial_admin="$admin"
if [[ $handover == true || "$admin" == "$deployer" ]]; then initial_admin="$deployer"; fi
out="$(deploy CommissaryAuction "constructor(address,address,address)" "$token" "$treasury" "$initial_admin")"
read -r auction auction_block <<<"$out"
auction="$(checksum "$auction")"

tx() { # tx SIG ARGS... (from the deployer; fails if the transaction reverted)
  local receipt
  receipt="$(cast send --rpc-url "$RPC_URL" --private-key "$PRIVATE_KEY" --json "$auction" "$@")"
  node -e 'if (Number(JSON.parse(process.argv[1]).status) !== 1) { console.error("transaction reverted"); process.exit(1); }' "$receipt"
}
DEFAULT_ADMIN_ROLE=0x0000000000000000000000000000000000000000000000000000000000000000
LISTER_ROLE="$(cast keccak LISTER_ROLE)"
deployer_lists=false
for l in "${listers[@]}"; do
  [[ "$l" == "$deployer" ]] && deployer_lists=true
  if [[ "$l" != "$initial_admin" ]]; then tx "grantRole(bytes32,address)" "$LISTER_ROLE" "$l"; fi
done
if [[ "$initial_admin" != "$admin" ]]; then
  tx "grantRole(bytes32,address)" "$LISTER_ROLE" "$admin"
  tx "grantRole(bytes32,address)" "$DEFAULT_ADMIN_ROLE" "$admin"
  if [[ $deployer_lists == false ]]; then tx "renounceRole(bytes32,address)" "$LISTER_ROLE" "$deployer"; fi
  tx "renounceRole(bytes32,address)" "$DEFAULT_ADMIN_ROLE" "$deployer"
fi
has_role() { cast call --rpc-url "$RPC_URL" "$auction" "hasRole(bytes32,address)(bool)" "$1" "$2"; }
expect_role() { # expect_role ROLE ACCOUNT true|false
  if [[ "$(has_role "$1" "$2")" != "$3" ]]; then
    echo "error: hasRole($1, $2) is not $3 after deployment" >&2
    exit 1
  fi
}
expect_role "$DEFAULT_ADMIN_ROLE" "$admin" true
expect_role "$LISTER_ROLE" "$admin" true
for l in "${listers[@]}"; do expect_role "$LISTER_ROLE" "$l" true; done
if [[ "$deployer" != "$admin" ]]; then
  expect_role "$DEFAULT_ADMIN_ROLE" "$deployer" false
  expect_role "$LISTER_ROLE" "$deployer" "$deployer_lists"
fi
listers_json="$(printf '%s\n' "${listers[@]}" | node -e 'const l=require("fs").readFileSync(0,"utf8").split("\n").filter(Boolean);process.stdout.write(JSON.stringify(l))')"

json="$(node -e '
  const [chainId, deployer, admin, listers, treasury, token, tokenDeployed, tokenBlock, auction, block] = process.argv.slice(1);
  console.log(JSON.stringify({
    chainId: Number(chainId), deployer, admin, listers: JSON.parse(listers), treasury,
    token, tokenDeployed: tokenDeployed === "true", tokenDeploymentBlock: tokenBlock === "null" ? null : Number(tokenBlock),
    auction, deploymentBlock: Number(block),
  }, null, 2));' "$chain_id" "$deployer" "$admin" "$listers_json" "$treasury" "$token" "$token_deployed" "$token_block" "$auction" "$auction_block")"

if [[ "$OUT_JSON" != "-" ]]; then
  OUT_JSON="${OUT_JSON:-deployments/$chain_id.json}"
  mkdir -p "$(dirname "$OUT_JSON")"
  printf '%s\n' "$json" >"$OUT_JSON"
  echo "wrote $OUT_JSON" >&2
fi
printf '%s\n' "$json"
