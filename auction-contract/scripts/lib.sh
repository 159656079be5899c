# shellcheck shell=bash
# Sourced by the scripts in this folder: locates the repo, puts the npm-installed Foundry binaries
# (forge, cast, anvil from @foundry-rs/*-linux-amd64) and node on PATH, and fails early if `npm ci`
# was not run at the repo root.
set -euo pipefail
shopt -s inherit_errexit

CONTRACT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_ROOT="$(cd "$CONTRACT_DIR/.." && pwd)"
NODE_MODULES="$REPO_ROOT/node_modules"
export CONTRACT_DIR REPO_ROOT NODE_MODULES

_foundry_platform() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) echo "unsupported OS $(uname -s)" >&2; return 1 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "unsupported CPU $(uname -m)" >&2; return 1 ;;
  esac
  echo "$os-$arch"
}

_platform="$(_foundry_platform)"
for _tool in forge cast anvil; do
  _dir="$NODE_MODULES/@foundry-rs/$_tool-$_platform/bin"
  if [[ ! -x "$_dir/$_tool" ]]; then
    echo "error: $_dir/$_tool not found; run \`npm ci\` in $REPO_ROOT first" >&2
    exit 1
  fi
  PATH="$_dir:$PATH"
done
if [[ ! -f "$NODE_MODULES/solc/soljson.js" ]]; then
  echo "error: solc-js not found in $NODE_MODULES; run \`npm ci\` in $REPO_ROOT first" >&2
  exit 1
fi
export PATH
unset _tool _dir _platform
