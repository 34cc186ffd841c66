#!/usr/bin/env bash
# The migration of seed 000 on a running sandbox at the blue starting state, as production runs it (green comes from
# Argo CD), with the team's two Git changes where they land in production: the manifests change once phase 30 has
# kept blue from prune (land-green waits for that in the background), and the change that declares the switch once
# blue is gone; then Argo CD automation comes back. Results go to the folder given (default: results/<time>).
#   scripts/rehearse-migration.sh [RESULTS_DIR]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
run_dir=${1:-"$root/results/$(date -u +%Y%m%dT%H%M%SZ)"}
mkdir -p "$run_dir"
export ANSIBLE_LOG_PATH="$run_dir/ansible.log"
playbook() { PATH="$root/.venv/bin:$PATH" ansible-playbook -i inventories/sandbox "$@"; }

sandbox/sandboxctl land-green --when-guarded 600 >"$run_dir/land-green.log" 2>&1 &
lander=$!
status=0
playbook playbooks/migrate.yml -e blue_removal_confirm=true -e "bluegreen_results_dir=$run_dir" || status=$?
# Still waiting only when the migration stopped before phase 30 asked for the change.
kill "$lander" 2>/dev/null || true
wait "$lander" 2>/dev/null || true
cat "$run_dir/land-green.log"
if [ "$status" -eq 0 ]; then
  # Blue removal kept Argo CD frozen: Git still parks the green Ingresses the switch moved.
  sandbox/sandboxctl land-switch || status=$?
fi
if [ "$status" -eq 0 ]; then
  playbook playbooks/argocd_restore.yml || status=$?
fi
if [ "$status" -ne 0 ]; then
  # A failed phase still gets its report (the ledger says what happened; 90-rollback.yml undoes it).
  playbook playbooks/99_report.yml -e "bluegreen_results_dir=$run_dir" || true
fi
echo
echo "Rehearsal $([ "$status" -eq 0 ] && echo finished || echo FAILED). Results in $run_dir:"
echo "  report:          $run_dir/report-latest.md"
echo "  deployment log:  $run_dir/deployment.log"
echo "  ansible log:     $run_dir/ansible.log"
echo "  Git changes:     $run_dir/land-green.log"
exit "$status"
