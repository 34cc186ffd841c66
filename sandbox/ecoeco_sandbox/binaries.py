"""The Go-built binaries (Kubernetes control plane, kubectl, etcd, kwok; the AWS Load Balancer Controller; Argo CD
and kustomize) and the CRDs of Argo CD and of the load balancer controller.

All come from the Go module proxy and are cached outside the checkout; ``build-binaries.sh`` builds
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


def ensure_binaries(binary_set="control-plane"):
    """Return the folder holding one set's binaries (``control-plane``, ``lb-controller`` or ``argocd``), building
    them first if the cache lacks any."""
    if shutil.which("go") is None:
        raise SandboxError("Go is not installed: the sandbox builds Kubernetes, etcd, kwok and the AWS Load Balancer Controller "
                           "from Go modules (Go >= 1.26 needed).")
    result = subprocess.run(["bash", str(SANDBOX_SOURCE / "build-binaries.sh"), binary_set], stdout=subprocess.PIPE, text=True, check=False)
    if result.returncode != 0:
        raise SandboxError("building the sandbox's {0} binaries failed (exit {1}); the output above says where. "
                           "Previously cached binaries, if any, are untouched.".format(binary_set, result.returncode))
    return Path(result.stdout.strip().splitlines()[-1])


def _module_folder(module, version, what, toolchain="local"):
    env = dict(os.environ, GOTOOLCHAIN=toolchain, GOFLAGS="-mod=mod")
    result = subprocess.run(["go", "mod", "download", "-json", "{0}@v{1}".format(module, version)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, check=False)
    info = json.loads(result.stdout or "{}")
    if result.returncode != 0 or "Dir" not in info:
        raise SandboxError("could not fetch {0} ({1} v{2} Go module): {3}".format(
            what, module, version, info.get("Error") or result.stderr.strip()))
    return Path(info["Dir"])


def argocd_crd_files():
    """The real Argo CD CRDs (Application, ApplicationSet, AppProject) from the argo-cd Go module."""
    pinned = versions()
    crds = _module_folder("github.com/argoproj/argo-cd/v3", pinned["ARGOCD_VERSION"], "the Argo CD CRDs",
                          toolchain="go" + pinned["ARGOCD_GO_VERSION"]) / "manifests" / "crds"
    return [crds / name for name in ("application-crd.yaml", "applicationset-crd.yaml", "appproject-crd.yaml")]


def lb_controller_crd_files():
    """The AWS Load Balancer Controller's CRDs (TargetGroupBinding, IngressClassParams, ...) from its Go module."""
    folder = _module_folder("sigs.k8s.io/aws-load-balancer-controller/v3", versions()["AWS_LOAD_BALANCER_CONTROLLER_VERSION"],
                            "the AWS Load Balancer Controller's CRDs")
    return [folder / "helm" / "aws-load-balancer-controller" / "crds" / "crds.yaml"]
