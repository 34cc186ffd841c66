"""Where the sandbox keeps its state: one folder, ``.sandbox`` in the checkout unless overridden."""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SANDBOX_SOURCE = REPO_ROOT / "sandbox"
CLUSTER_NAME = "ecoeco"


class Paths:
    """Every file the sandbox writes, derived from one state folder."""

    def __init__(self, home=None):
        self.home = Path(home or os.environ.get("ECOECO_SANDBOX_HOME") or REPO_ROOT / ".sandbox").resolve()
        self.kwok_workdir = self.home / "kwok"
        self.kubeconfig = self.home / "kubeconfig"
        self.env_file = self.home / "env"
        self.services_pid = self.home / "services.pid"
        self.services_log = self.home / "services.log"
        self.services_ready = self.home / "services.ready"
        self.lb_controller_pid = self.home / "lb-controller.pid"
        self.lb_controller_log = self.home / "lb-controller.log"
        self.frontdoor_albs = self.home / "frontdoor-albs.json"
        self.kwokctl_config = self.home / "kwokctl.yaml"
        self.state_file = self.home / "state.json"
        self.argocd_home = self.home / "argocd"
        self.gitops_repository = self.home / "gitops"

    def argocd_log(self, component):
        return self.argocd_home / (component + ".log")

    def argocd_pid(self, component):
        return self.argocd_home / (component + ".pid")

    def cluster_dir(self):
        return self.kwok_workdir / "clusters" / CLUSTER_NAME
