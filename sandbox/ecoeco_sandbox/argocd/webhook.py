"""What the Git host's push webhook does for Argo CD in production: ask every Application for a hard refresh, so it
compares with the new commit at once (here a ``file://`` repository is not polled for new commits reliably, and the
ApplicationSet controller may drop a refresh request while it rewrites an Application, so the request is repeated)."""

from ecoeco_sandbox import kube
from ecoeco_sandbox.argocd import objects as argocd

REFRESH = "argocd.argoproj.io/refresh"


def refresh_until_compared(dyn, names, revision, timeout=120):
    """Hard-refresh the Applications ``names`` until each has compared with ``revision``."""
    applications = dyn.resources.get(api_version=argocd.API_VERSION, kind="Application")

    def compared():
        live = {a["metadata"]["name"]: a for a in applications.get(namespace=argocd.ARGOCD_NAMESPACE).to_dict()["items"]}
        behind = [name for name in names if ((live.get(name) or {}).get("status") or {}).get("sync", {}).get("revision") != revision]
        for name in behind:
            if name in live and REFRESH not in (live[name]["metadata"].get("annotations") or {}):
                applications.patch(name=name, namespace=argocd.ARGOCD_NAMESPACE, body={"metadata": {"annotations": {REFRESH: "hard"}}},
                                   content_type="application/merge-patch+json")
        return not behind

    kube.wait_for(compared, timeout, "Argo CD to compare {0} Applications with commit {1}".format(len(names), revision[:8]), interval=0.5)
