#!/usr/bin/env bash
# Deploys AmpledToken + CommissaryAuction from the committed ABI artifacts (abi/*.json, so no compiler
# is needed) and writes the addresses as JSON.
#
# usage: scripts/deploy.sh [RPC_URL] [OUT_JSON]
#   RPC_URL   default http://127.0.0.1:8545 (a local anvil)
#   OUT_JSON  default auction-contract/deployments/<chainId>.json; "-" = stdout only
# env:
#   PRIVATE_KEY  deployer key; default anvil's well-known account #0 key (only for local chains)
#   TREASURY     receiver of settled bids; default the deployer
#   TOKEN        use this existing ERC-20 instead of deploying the development AmpledToken
#
# The deployer gets DEFAULT_ADMIN_ROLE and LISTER_ROLE on the auction and DEFAULT_ADMIN_ROLE and
# MINTER_ROLE on the token (when deployed here).
#
# Output JSON:
#   {"chainId": 31337, "deployer": "0x..", "treasury": "0x..",
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
treasury="$(cast to-check-sum-address "${TREASURY:-$deployer}")"

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
  out="$(deploy AmpledToken "constructor(address)" "$deployer")"
  read -r token token_block <<<"$out"
  token="$(checksum "$token")"
  token_deployed=true
fi
out="$(deploy CommissaryAuction "constructor(address,address,address)" "$token" "$treasury" "$deployer")"
read -r auction auction_block <<<"$out"
auction="$(checksum "$auction")"

json="$(node -e '
  const [chainId, deployer, treasury, token, tokenDeployed, tokenBlock, auction, block] = process.argv.slice(1);
  console.log(JSON.stringify({
    chainId: Number(chainId), deployer, treasury,
    token, tokenDeployed: tokenDeployed === "true", tokenDeploymentBlock: tokenBlock === "null" ? null : Number(tokenBlock),
    auction, deploymentBlock: Number(block),
  }, null, 2));' "$chain_id" "$deployer" "$treasury" "$token" "$token_deployed" "$token_block" "$auction" "$auction_block")"

if [[ "$OUT_JSON" != "-" ]]; then
  OUT_JSON="${OUT_JSON:-deployments/$chain_id.json}"
  mkdir -p "$(dirname "$OUT_JSON")"
  printf '%s\n' "$json" >"$OUT_JSON"
  echo "wrote $OUT_JSON" >&2
fi
printf '%s\n' "$json"
