#!/usr/bin/env bash
# Static analysis of the contracts with Slither (PyPI `slither-analyzer`, pinned with all its
# dependencies in requirements-ci.txt). Fails on any finding of medium or high impact; false positives
# are handled in the source with a justified `// slither-disable-next-line <detector>` comment, never by
# raising the threshold.
#
# usage: scripts/slither.sh              install (if needed) and analyse
#        scripts/slither.sh --install    only make sure the virtualenv has the pinned tools
# env:   COMMISSARY_VENV  the virtualenv (default $HOME/.cache/commissary-venv)
#
# Offline apart from PyPI for the install: crytic-compile runs the npm-installed forge (which uses
# tools/solc, i.e. solc-js) through the `slither` Foundry profile; no compiler is downloaded.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CONTRACT_DIR"

VENV="${COMMISSARY_VENV:-$HOME/.cache/commissary-venv}"
REQUIREMENTS="$CONTRACT_DIR/requirements-ci.txt"

source "$CONTRACT_DIR/../scripts/pinned-venv.sh"

pinned_venv "$VENV" "$REQUIREMENTS" slither
if [[ "${1:-}" == "--install" ]]; then
  echo "slither: $("$VENV/bin/slither" --version) in $VENV"
  exit 0
fi

# The `slither` profile compiles src/ with node_modules reached through a link inside the project, so
# every source has one name in the build info (the default profile's ../node_modules makes forge name
# the transitively imported files by absolute path as well, and Slither then sees each twice).
ln -sfn ../node_modules "$CONTRACT_DIR/node_modules"
export FOUNDRY_PROFILE=slither
"$VENV/bin/slither" . --config-file slither.config.json --fail-medium
