#!/usr/bin/env bash
# Every test of the collection, from a fresh machine: installs what it needs (venv, Go-built binaries), runs
# the unit tests first (a broken one is found in a minute, not after an hour), starts the sandbox in the
# background while ansible-lint and ansible-test sanity run, then one pytest session over the tests that talk
# to the real sandbox cluster (stopped at the end if this run started it). Ends with the time of each stage
# and the 15 slowest tests. Extra arguments go to the sandbox pytest session.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
results="$root/.build/test-results"
rm -rf "$results"
mkdir -p "$results"

stages=()
stage_start=$SECONDS
stage_name=""
step() {
  [ -z "$stage_name" ] || stages+=("$(printf '%6ss  %s' $((SECONDS - stage_start)) "$stage_name")")
  stage_name=$1
  stage_start=$SECONDS
  [ -z "$1" ] || printf '\n=== %s (at %ss)\n' "$1" "$SECONDS"
}
summary() {
  local status=$?
  step ""
  printf '\n=== time per stage (total %ss)\n' "$SECONDS"
  printf '%s\n' "${stages[@]}"
  .venv/bin/python scripts/test_timings.py "$results"/*.xml || true
  exit "$status"
}
trap summary EXIT

step "bootstrap: Python venv with pinned ansible/molecule/moto"
bash scripts/bootstrap.sh

step "unit tests (no sandbox: modules, plugins, the sandbox's own logic, packaging checks)"
.venv/bin/python -m pytest -p no:cacheprovider -q --junitxml="$results/unit.xml" \
  tests/unit tests/sandbox_unit tests/packaging -m "not sandbox"

# The sandbox comes up while lint and sanity run. Its own output goes to a log, printed if it fails.
sandbox_log="$results/sandbox-up.log"
started_here=no
if ! sandbox/sandboxctl status >/dev/null 2>&1; then
  started_here=yes
fi
(bash sandbox/build-binaries.sh >/dev/null && sandbox/sandboxctl up) >"$sandbox_log" 2>&1 &
sandbox_pid=$!
if [ "$started_here" = yes ]; then
  trap 'status=$?; sandbox/sandboxctl down >/dev/null 2>&1 || true; (exit "$status"); summary' EXIT
fi

step "ansible-lint (production profile), sandbox starting in the background"
PATH="$root/.venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$root/.build/collections" .venv/bin/ansible-lint --nocolor
step "ansible-test sanity, sandbox starting in the background"
bash scripts/sanity.sh

step "sandbox up (binaries built from Go modules, cached)"
if ! wait "$sandbox_pid"; then
  cat "$sandbox_log" >&2
  echo "test-all: the sandbox did not come up (log above)" >&2
  exit 1
fi
tail -n 3 "$sandbox_log"

step "pytest: tests against the sandbox (cluster, integration, Molecule, packaging)"
.venv/bin/python -m pytest -p no:cacheprovider --durations=15 --junitxml="$results/sandbox.xml" \
  tests/sandbox tests/integration tests/packaging tests/molecule -m sandbox "$@"
