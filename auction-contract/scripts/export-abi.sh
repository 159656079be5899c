#!/usr/bin/env bash
# Writes the ABI artifacts the Rust service compiles against (alloy `sol!`):
#   abi/CommissaryAuction.json, abi/AmpledToken.json
#   each {"abi": [...], "bytecode": {"object": "0x..."}, "deployedBytecode": {"object": "0x..."}}
#
# usage: scripts/export-abi.sh            build, then (re)write abi/*.json
#        scripts/export-abi.sh --check    build, then fail if abi/*.json differ from the fresh build
#        add --no-build to use the existing out/ (e.g. right after `forge build`)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CONTRACT_DIR"

mode=write
build=1
for arg in "$@"; do
  case "$arg" in
    --check) mode=check ;;
    --no-build) build=0 ;;
    *) echo "usage: $0 [--check] [--no-build]" >&2; exit 2 ;;
  esac
done

if [[ $build == 1 ]]; then
  forge build --quiet
fi

node - "$mode" <<'JS'
const fs = require("fs");
const path = require("path");
const mode = process.argv[2];
const contracts = ["CommissaryAuction", "AmpledToken"];
let stale = [];
for (const name of contracts) {
  const src = path.join("out", `${name}.sol`, `${name}.json`);
  const art = JSON.parse(fs.readFileSync(src, "utf8"));
  const hex = (o) => {
    const s = typeof o === "string" ? o : o.object;
    if (!/^0x[0-9a-fA-F]+$/.test(s)) throw new Error(`${src}: unlinked or empty bytecode`);
    return s.toLowerCase();
  };
  const artifact = {
    abi: art.abi,
    bytecode: { object: hex(art.bytecode) },
    deployedBytecode: { object: hex(art.deployedBytecode) },
  };
  const text = JSON.stringify(artifact, null, 2) + "\n";
  const dest = path.join("abi", `${name}.json`);
  if (mode === "write") {
    fs.mkdirSync("abi", { recursive: true });
    fs.writeFileSync(dest, text);
    console.log(`wrote ${dest}`);
  } else {
    let current = null;
    try { current = fs.readFileSync(dest, "utf8"); } catch (_) {}
    if (current !== text) stale.push(dest);
  }
}
if (mode === "check") {
  if (stale.length) {
    console.error(`ABI artifacts out of date: ${stale.join(", ")}\nrun auction-contract/scripts/export-abi.sh and commit the result`);
    process.exit(1);
  }
  console.log("ABI artifacts match the build: " + contracts.map((c) => `abi/${c}.json`).join(", "));
}
JS
