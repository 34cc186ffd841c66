#!/usr/bin/env bash
# Every test of the collection, from a fresh machine: installs what it needs (venv, Go-built binaries), runs
# the unit tests first (a broken one is found in a minute, not after an hour), starts the sandbox in the
# background while ansible-lint and ansible-test sanity run, then the tests that talk to the real sandbox
# cluster: those that stop a control-plane component alone, then the rest in two pytest sessions side by side (the
# sandbox is stopped at the end if this run started it). Ends with the time of each stage and the 15 slowest tests.
# Extra arguments go to every sandbox pytest session (one that they leave without tests passes).
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

# pytest's status 5 (no test selected) passes only when extra arguments narrowed the run; a full run has tests in
# every session.
narrowed=$#
passed() { [ "$1" = 0 ] || { [ "$1" = 5 ] && [ "$narrowed" -gt 0 ]; }; }

# A test that stops a control-plane component would fail whatever runs beside it: those run alone, first.
step "pytest: tests that stop a control-plane component, alone"
sandbox_tests=(tests/sandbox tests/integration tests/packaging tests/molecule)
whole_cluster_status=0
.venv/bin/python -m pytest -p no:cacheprovider -q --junitxml="$results/whole-cluster.xml" \
  "${sandbox_tests[@]}" -m "sandbox and whole_cluster" "$@" || whole_cluster_status=$?

# Two pytest sessions at once: the tests of the seed migration (one shared state, so one at a time) and the tests
# on scratch objects of their own (unique names, own ALB/ApplicationSet/ledger), which never touch the seed's.
# Most of a phase run is waiting on the cluster, so two streams share the two cores well.
step "pytest: tests against the sandbox, seed-state and scratch streams side by side"
scratch_log="$results/scratch-stream.log"
.venv/bin/python -m pytest -p no:cacheprovider -q --junitxml="$results/scratch.xml" \
  "${sandbox_tests[@]}" -m "sandbox and not seed_stream and not whole_cluster" "$@" >"$scratch_log" 2>&1 &
scratch_pid=$!
seed_status=0
.venv/bin/python -m pytest -p no:cacheprovider -q --junitxml="$results/seed.xml" \
  "${sandbox_tests[@]}" -m "sandbox and seed_stream and not whole_cluster" "$@" || seed_status=$?
printf '\n=== seed stream %s after %ss; scratch stream (log: %s)\n' \
  "$(passed "$seed_status" && echo passed || echo FAILED)" $((SECONDS - stage_start)) "$scratch_log"
ticks=0
while kill -0 "$scratch_pid" 2>/dev/null; do
  [ $((ticks % 12)) != 0 ] || printf 'scratch stream running: %s\n' "$(grep -E '\[ *[0-9]+%\]' "$scratch_log" | tail -n 1)"
  ticks=$((ticks + 1))
  sleep 5
done
scratch_status=0
wait "$scratch_pid" || scratch_status=$?
if passed "$scratch_status"; then tail -n 3 "$scratch_log"; else cat "$scratch_log"; fi
passed "$whole_cluster_status" && passed "$seed_status" && passed "$scratch_status"
