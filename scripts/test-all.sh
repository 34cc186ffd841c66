#!/usr/bin/env bash
# Every test of the collection, from a fresh machine: installs what it needs (venv, Go-built
# binaries), lints, runs ansible-test sanity, then one pytest session over unit tests and the tests
# that talk to the real sandbox cluster (started here, stopped at the end if this run started it).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
step() { printf '\n=== %s (%ss)\n' "$1" "$SECONDS"; }

step "bootstrap: Python venv with pinned ansible/molecule/moto"
bash scripts/bootstrap.sh
step "sandbox binaries: Kubernetes, etcd, kwok from Go modules (cached)"
bash sandbox/build-binaries.sh >/dev/null

step "ansible-lint (production profile)"
PATH="$root/.venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$root/.build/collections" .venv/bin/ansible-lint --nocolor
step "ansible-test sanity"
bash scripts/sanity.sh

step "sandbox up"
if ! sandbox/sandboxctl status >/dev/null 2>&1; then
  trap 'sandbox/sandboxctl down' EXIT
fi
sandbox/sandboxctl up

step "pytest: unit, sandbox and integration tests"
.venv/bin/python -m pytest -p no:cacheprovider tests "$@"
