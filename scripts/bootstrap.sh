#!/usr/bin/env bash
# Create .venv (Python >= 3.12) with the pinned controller and test tooling, and expose this checkout
# as the collection ecoeco.bluegreen under .build/collections. Idempotent: a venv whose requirement
# files have not changed since the last install is reused as it is.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$root/.venv"
stamp="$venv/.requirements.sha256"

find_python() {
  local candidate
  for candidate in "${ECOECO_PYTHON:-}" python3.13 python3.12 \
      "$HOME"/.pyenv/versions/3.13*/bin/python3 "$HOME"/.pyenv/versions/3.12*/bin/python3; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || [ -x "$candidate" ] || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

wanted=$(cat "$root/tests/requirements.txt" "$root/tests/constraints.txt" | sha256sum | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  if ! python=$(find_python); then
    echo "bootstrap: Python >= 3.12 is required (ansible-core 2.21); none found on PATH or under ~/.pyenv." >&2
    echo "bootstrap: install one, or point ECOECO_PYTHON at its interpreter." >&2
    exit 3
  fi
  echo "bootstrap: creating .venv with $("$python" --version) (a few minutes the first time)" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet -r "$root/tests/requirements.txt" -c "$root/tests/constraints.txt"
  echo "$wanted" > "$stamp"
fi

link="$root/.build/collections/ansible_collections/ecoeco/bluegreen"
mkdir -p "$(dirname "$link")"
[ -L "$link" ] || ln -sfn "$root" "$link"
