#!/usr/bin/env bash
# The main job on the built-in local cluster: install what is needed, start the sandbox at the blue
# starting state of seed 000, run the migration playbooks against it, and say where the results are.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash scripts/bootstrap.sh
if sandbox/sandboxctl status >/dev/null 2>&1; then
  sandbox/sandboxctl reset-to-blue
else
  sandbox/sandboxctl up
fi
# shellcheck disable=SC1091
. "${ECOECO_SANDBOX_HOME:-$root/.sandbox}/env"

status=0
bash scripts/rehearse-migration.sh || status=$?
echo "The sandbox keeps running: sandbox/sandboxctl status | reset-to-blue | down"
exit "$status"
