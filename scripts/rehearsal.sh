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

run_dir="$root/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$run_dir"
export ANSIBLE_LOG_PATH="$run_dir/ansible.log"
# The whole four-phase migration of seed 000; the rehearsal soak is 0 s and blue removal is confirmed here.
status=0
PATH="$root/.venv/bin:$PATH" ansible-playbook -i inventories/sandbox playbooks/migrate.yml \
  -e blue_removal_confirm=true -e "bluegreen_results_dir=$run_dir" || status=$?
if [ "$status" -eq 0 ]; then
  # Blue removal kept Argo CD frozen: Git still deployed blue into api. The team's manifests change lands now, then
  # Argo CD automation comes back (phase 30 with green from Argo CD needs this change before it instead).
  sandbox/sandboxctl land-green
  PATH="$root/.venv/bin:$PATH" ansible-playbook -i inventories/sandbox playbooks/argocd_restore.yml || status=$?
fi
if [ "$status" -ne 0 ]; then
  # A failed phase still gets its report (the ledger says what happened; 90-rollback.yml undoes it).
  PATH="$root/.venv/bin:$PATH" ansible-playbook -i inventories/sandbox playbooks/99_report.yml -e "bluegreen_results_dir=$run_dir" || true
fi
echo
echo "Rehearsal $([ "$status" -eq 0 ] && echo finished || echo FAILED). Results in $run_dir:"
echo "  report:          $run_dir/report-latest.md"
echo "  deployment log:  $run_dir/deployment.log"
echo "  ansible log:     $run_dir/ansible.log"
echo "The sandbox keeps running: sandbox/sandboxctl status | reset-to-blue | down"
exit "$status"
