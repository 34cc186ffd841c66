"""Building the collection tarball from a copy of the checkout and installing it, for the packaging tests."""

import os
import subprocess
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"

# Local state a working checkout accumulates; none of it may reach the tarball.
CHECKOUT_LITTER = [
    ".sandbox/env",
    ".sandbox-lead/kubeconfig",
    ".venv/bin/python",
    ".build/collections/README",
    ".cache/go-build/x",
    ".pytest_cache/v/cache/lastfailed",
    "tests/unit/.pytest_cache/README.md",
    "plugins/modules/__pycache__/bluegreen_switch.cpython-312.pyc",
    "results/20260101T000000Z/report-latest.md",
    "tests/output/junit/sanity.xml",
    "sandbox/gobuild/kubernetes/bin/kube-apiserver",
    "molecule/release/.molecule/state.yml",
    "context/_build/requirements.txt",
    "roles/namespaces/.ansible/roles/x",
    "ansible.log",
    "ecoeco-bluegreen-0.0.1.tar.gz",
]


def checkout_files():
    """The files of the checkout as git sees them: tracked plus new, without the ignored ones."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, check=True, capture_output=True).stdout.decode()
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def ansible_free_env():
    """The environment without ANSIBLE_* settings, so that ansible-galaxy uses only the paths it is given."""
    return {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}


def install_collection(tarball, workdir, *options):
    """``ansible-galaxy collection install`` of the tarball into ``workdir``/collections, offline."""
    subprocess.run([str(VENV_BIN / "ansible-galaxy"), "collection", "install", "--offline", *options,
                    "-p", "collections", str(tarball)], cwd=workdir, env=ansible_free_env(), check=True,
                   capture_output=True)
    return workdir / "collections"


def build_littered_checkout(copy, out):
    """Build the tarball from a copy of the checkout littered with local state; return it and its member names."""
    for name in checkout_files():
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((ROOT / name).read_bytes())
    for name in CHECKOUT_LITTER:
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("local state\n")
    subprocess.run([str(VENV_BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(out), str(copy)],
                   check=True, capture_output=True)
    (tarball,) = out.glob("ecoeco-bluegreen-*.tar.gz")
    with tarfile.open(tarball) as archive:
        members = archive.getnames()
    return tarball, members
