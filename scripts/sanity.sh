#!/usr/bin/env bash
# ansible-test sanity on a real copy of the collection (ansible-test rejects symlinked collection roots).
# Offline: ansible-test's pip bootstrap normally downloads get-pip.py; a local stand-in built on
# ensurepip replaces it, then the sanity requirements install from the package index as usual.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$root/.venv"
py=$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

at_dir=$("$venv/bin/python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')
pip_version=$(grep -oP "pip='\K[0-9.]+" "$at_dir/_internal/python_requirements.py" | head -1)
mkdir -p "$HOME/.ansible/test/cache"
cat > "$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py" <<'PY'
import ensurepip, os, subprocess, sys
ensurepip.bootstrap(upgrade=True)
os.environ.pop("PIP_CONFIG_FILE", None)
args = [a for a in sys.argv[1:] if a not in {"--no-setuptools", "--no-wheel"}]
if args:
    subprocess.check_call([sys.executable, "-m", "pip", "install", *args])
PY

work="$root/.build/ansible-test"
copy="$work/ansible_collections/ecoeco/bluegreen"
# The copy is made anew each run, but the virtualenv ansible-test's --venv delegates into lives inside it
# (tests/output/.tmp/delegation, built with pip: about a minute): it is kept aside and put back.
delegation="tests/output/.tmp/delegation"
kept="$work/kept-delegation"
rm -rf "$kept"
[ -d "$copy/$delegation" ] && mv "$copy/$delegation" "$kept"
rm -rf "$copy"
mkdir -p "$copy"
(cd "$root" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$copy")
if [ -d "$kept" ]; then
  mkdir -p "$(dirname "$copy/$delegation")"
  mv "$kept" "$copy/$delegation"
fi
# Dependencies beside the copy, so doc fragments and module_utils of kubernetes.core/amazon.aws resolve.
site=$("$venv/bin/python" -c 'import ansible_collections, os; print(list(ansible_collections.__path__)[0])')
for dep in kubernetes/core amazon/aws; do
  mkdir -p "$work/ansible_collections/${dep%/*}"
  ln -sfn "$site/$dep" "$work/ansible_collections/$dep"
done
cd "$copy"
git init -q . && git add -A >/dev/null
PATH="$venv/bin:$PATH" ansible-test sanity --venv --python "$py" --color no "$@"
