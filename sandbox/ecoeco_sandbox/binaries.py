"""The Go-built binaries (Kubernetes control plane, kubectl, etcd, kwok) and the Argo CD CRDs.

Both come from the Go module proxy and are cached outside the checkout; ``build-binaries.sh`` builds
only on a cache miss and never replaces good binaries with a failed build.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

from ecoeco_sandbox.errors import SandboxError
from ecoeco_sandbox.paths import SANDBOX_SOURCE


def versions():
    """The pinned versions from ``sandbox/versions.env``."""
    pinned = {}
    for line in (SANDBOX_SOURCE / "versions.env").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _sep, value = line.partition("=")
            pinned[key] = value
    return pinned


def ensure_binaries():
    """Return the folder holding every binary, building them first if the cache lacks any."""
    if shutil.which("go") is None:
        raise SandboxError("Go is not installed: the sandbox builds Kubernetes, etcd and kwok from Go modules (Go >= 1.26 needed).")
    result = subprocess.run(["bash", str(SANDBOX_SOURCE / "build-binaries.sh")], stdout=subprocess.PIPE, text=True, check=False)
    if result.returncode != 0:
        raise SandboxError("building the sandbox binaries failed (exit {0}); the output above says where. "
                           "Previously cached binaries, if any, are untouched.".format(result.returncode))
    return Path(result.stdout.strip().splitlines()[-1])


def argocd_crd_files():
    """The real Argo CD CRDs (Application, ApplicationSet, AppProject) from the argo-cd Go module."""
    version = versions()["ARGOCD_VERSION"]
    env = dict(os.environ, GOTOOLCHAIN="local", GOFLAGS="-mod=mod")
    result = subprocess.run(["go", "mod", "download", "-json", "github.com/argoproj/argo-cd/v3@v" + version],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, check=False)
    info = json.loads(result.stdout or "{}")
    if result.returncode != 0 or "Dir" not in info:
        raise SandboxError("could not fetch the Argo CD CRDs (argo-cd v{0} Go module): {1}".format(
            version, info.get("Error") or result.stderr.strip()))
    crds = Path(info["Dir"]) / "manifests" / "crds"
    return [crds / name for name in ("application-crd.yaml", "applicationset-crd.yaml", "appproject-crd.yaml")]
