#!/usr/bin/env bash
# Schema-driven fuzzing of the HTTP API with Schemathesis (PyPI, pinned with all its
# dependencies in tests/schemathesis/requirements.txt) against the real binary:
# `commissary serve` on a fresh SQLite database and a free port, without a chain.
# Two runs: signed in as a steward (SIWE, anvil's first dev key, signed with `cast`) and
# anonymously; every check, the stateful phase on, a fixed seed and a bounded number of
# examples. Any failure (a 5xx always is one) fails the script.
#
# usage: scripts/schemathesis.sh              install (if needed), build, run
#        scripts/schemathesis.sh --install    only make sure the virtualenv has the pinned tools
# env:   COMMISSARY_SCHEMATHESIS_VENV   the virtualenv (default $HOME/.cache/commissary-schemathesis-venv)
#        COMMISSARY_BIN                 a built binary to test (default: cargo build -p commissary)
#        SCHEMATHESIS_EXAMPLES          examples per operation (default 25)
#        SCHEMATHESIS_SEED              the seed (default 14)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
HERE="$ROOT/tests/schemathesis"
VENV="${COMMISSARY_SCHEMATHESIS_VENV:-$HOME/.cache/commissary-schemathesis-venv}"
REQUIREMENTS="$HERE/requirements.txt"

source "$ROOT/scripts/pinned-venv.sh"

pinned_venv "$VENV" "$REQUIREMENTS" schemathesis
if [[ "${1:-}" == "--install" ]]; then
  echo "schemathesis: $("$VENV/bin/schemathesis" --version) in $VENV"
  exit 0
fi

export PATH="$ROOT/node_modules/.bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/commissary-target}"
BIN="${COMMISSARY_BIN:-}"
if [[ -z "$BIN" ]]; then
  cargo build -q -p commissary
  BIN="$CARGO_TARGET_DIR/debug/commissary"
fi

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80 # anvil dev key 0, public
ADDR="$(cast wallet address --private-key "$KEY")"
cat >"$WORK/commissary.toml" <<EOF
[server]
listen = "127.0.0.1:$PORT"
public_url = "$BASE"
[database]
url = "sqlite://$WORK/commissary.db"
[photos]
store = "$WORK/photos"
[auth]
stewards = ["$ADDR"]
chain_id = 31337
[log]
filter = "error"
EOF
# The fuzzer's requests are its own business; the log is kept for a failure's post-mortem.
env -u DATABASE_URL "$BIN" --config "$WORK/commissary.toml" serve >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
  curl -sf "$BASE/readyz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }
  sleep 0.2
done
curl -sf "$BASE/readyz" >/dev/null

# Sign in as the steward (README, "Try it with curl").
NONCE="$(curl -sf -c "$WORK/jar" "$BASE/api/v1/auth/nonce" | python3 -c 'import json, sys; print(json.load(sys.stdin)["nonce"])')"
MSG="127.0.0.1:$PORT wants you to sign in with your Ethereum account:
$ADDR

Sign in to the Ampled Commissary.

URI: $BASE
Version: 1
Chain ID: 31337
Nonce: $NONCE
Issued At: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
SIG="$(cast wallet sign --private-key "$KEY" "$MSG")"
python3 -c 'import json, sys; print(json.dumps({"message": sys.argv[1], "signature": sys.argv[2]}))' "$MSG" "$SIG" >"$WORK/login.json"
curl -sf -b "$WORK/jar" -c "$WORK/jar" -H 'content-type: application/json' --data @"$WORK/login.json" \
  "$BASE/api/v1/auth/login" >/dev/null
COOKIE="$(awk '$6 == "commissary_session" { print $7 }' "$WORK/jar")"
[[ -n "$COOKIE" ]] || { echo "sign-in gave no session cookie" >&2; exit 1; }

run() {
  local who="$1"
  shift
  echo "==> schemathesis, $who"
  # Run in the temporary directory: Schemathesis keeps a cache (`.schemathesis/`) in its cwd.
  (cd "$WORK" && SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$HERE" "$VENV/bin/schemathesis" --config-file "$HERE/schemathesis.toml" run "$BASE/api/openapi.json" \
    --checks all \
    --phases examples,coverage,fuzzing,stateful \
    --seed "${SCHEMATHESIS_SEED:-14}" \
    --max-examples "${SCHEMATHESIS_EXAMPLES:-25}" \
    --generation-database none \
    --workers 1 \
    --request-timeout 30 \
    --no-color \
    "$@") || { echo "schemathesis ($who) failed; the server's log:" >&2; tail -20 "$WORK/serve.log" >&2; return 1; }
}

started=$SECONDS
# Signing out would end the session the rest of the run uses; the anonymous run covers it.
run "signed in as a steward" -H "Cookie: commissary_session=$COOKIE" --exclude-path /api/v1/auth/logout
run "anonymous"
echo "schemathesis: both runs passed in $((SECONDS - started)) s"
