#!/usr/bin/env bash
# Benchmarks on the sandbox (not part of `make test`): steady loopback traffic through the sandbox front
# door while switches, a rollback and whole migrations run. Prints a table, writes docs/benchmarks.md,
# docs/benchmarks.svg and the raw records under results/bench-<time>/.
#   bash scripts/bench.sh [--only switch,rollback,migration,prune,scale] [--scales 50,200]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash scripts/bootstrap.sh
sandbox/sandboxctl up
PYTHONPATH="$root/sandbox" exec "$root/.venv/bin/python" -m bench "$@"
