"""The Git repository Argo CD deploys the sandbox's services from, made by ``up`` beside the cluster's state: the
layout of seed 000, a kustomize base per service (``k8s/base/<domain>``) and an overlay per domain
(``k8s/overlays/<domain>``, the ApplicationSet's path) that puts it in namespace ``api``. Served as ``file://``.
"""

import os
import shutil
import subprocess

import yaml

from ecoeco_sandbox import blue_state
from ecoeco_sandbox.errors import SandboxError

BRANCH = "main"
# Where a new green Ingress waits behind blue's order 10 (the inventories' bluegreen_green_parked_order).
GREEN_PARKED_ORDER = 20
TRACKING = "argocd.argoproj.io/tracking-id"
COMMITTER = {"GIT_AUTHOR_NAME": "EcoEco sandbox", "GIT_AUTHOR_EMAIL": "sandbox@ecoeco.invalid",
             "GIT_COMMITTER_NAME": "EcoEco sandbox", "GIT_COMMITTER_EMAIL": "sandbox@ecoeco.invalid"}


def url(folder):
    return "file://{0}".format(folder)


def _as_manifest(obj):
    """A blue object as the team keeps it in Git: no namespace (the overlay sets it) and no tracking annotation
    (Argo CD writes it)."""
    manifest = yaml.safe_load(yaml.safe_dump(obj))
    manifest["metadata"].pop("namespace", None)
    annotations = manifest["metadata"].get("annotations") or {}
    annotations.pop(TRACKING, None)
    if not annotations:
        manifest["metadata"].pop("annotations", None)
    return manifest


def blue_files(domains):
    """Relative path -> text of every file of the blue layout."""
    files = {}
    for domain in domains:
        objects = {"deployment.yaml": blue_state.deployment(domain), "service.yaml": blue_state.service(domain),
                   "ingress.yaml": blue_state.ingress(domain, blue_state.BLUE_GROUP_ORDER)}
        for name, obj in objects.items():
            files["k8s/base/{0}/{1}".format(domain, name)] = yaml.safe_dump(_as_manifest(obj), sort_keys=False)
        files["k8s/base/{0}/kustomization.yaml".format(domain)] = yaml.safe_dump(
            {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": sorted(objects)})
        files["k8s/overlays/{0}/kustomization.yaml".format(domain)] = yaml.safe_dump(
            {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
             "namespace": blue_state.SOURCE_NAMESPACE, "resources": ["../../base/" + domain]})
    return files


def green_files(domains, moved, orders=None):
    """The layout after the manifests change that moves the ``moved`` domains to their own namespaces: their overlays
    put them in namespace <domain> with the green labels and the Ingress parked behind blue (the inventories'
    bluegreen_green_parked_order), as green_deploy makes them, or at ``orders[domain]`` once the switch is declared;
    the other domains stay in ``api``."""
    files = blue_files(domains)
    orders = orders or {}
    for domain in moved:
        files["k8s/overlays/{0}/kustomization.yaml".format(domain)] = yaml.safe_dump({
            "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
            "namespace": domain, "resources": ["../../base/" + domain],
            # Every green object carries the green labels (the inventories' bluegreen_green_labels), as phase 30 expects.
            "labels": [{"pairs": {"version": "green"}}],
            "patches": [
                {"target": {"kind": "Deployment"}, "patch": yaml.safe_dump([
                    {"op": "replace", "path": "/metadata/labels/version", "value": "green"},
                    {"op": "replace", "path": "/spec/selector/matchLabels/version", "value": "green"},
                    {"op": "replace", "path": "/spec/template/metadata/labels/version", "value": "green"}])},
                {"target": {"kind": "Service"}, "patch": yaml.safe_dump([
                    {"op": "replace", "path": "/spec/selector/version", "value": "green"}])},
                {"target": {"kind": "Ingress"}, "patch": yaml.safe_dump([
                    {"op": "replace", "path": "/metadata/annotations/alb.ingress.kubernetes.io~1group.order",
                     "value": str(orders.get(domain, GREEN_PARKED_ORDER))}])},
            ]})
    return files


def _git(folder, *args):
    return _git_raw(folder, *args).strip()


def _git_raw(folder, *args):
    result = subprocess.run(["git", "-C", str(folder)] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=dict(os.environ, **COMMITTER), check=False)
    if result.returncode != 0:
        raise SandboxError("git {0} in {1} failed: {2}".format(" ".join(args), folder, result.stderr.strip()))
    return result.stdout


def commit_layout(folder, files, message):
    """Make the ``k8s`` tree exactly ``files`` and commit it on ``main``; return the commit, or None when nothing
    changed."""
    if not (folder / ".git").exists():
        folder.mkdir(parents=True, exist_ok=True)
        _git(folder, "init", "--quiet", "--initial-branch", BRANCH)
    shutil.rmtree(folder / "k8s", ignore_errors=True)
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    _git(folder, "add", "--all")
    if not _git(folder, "status", "--porcelain"):
        return None
    _git(folder, "commit", "--quiet", "-m", message)
    return _git(folder, "rev-parse", "HEAD")


def moved_domains(folder, domains):
    """The domains whose committed overlay deploys into their own namespace."""
    committed = committed_files(folder)
    return [domain for domain in domains
            if (yaml.safe_load(committed.get("k8s/overlays/{0}/kustomization.yaml".format(domain)) or "{}") or {}).get("namespace") == domain]


def head(folder):
    return _git(folder, "rev-parse", "HEAD")


def committed_files(folder):
    """Relative path -> text of every file under ``k8s`` in the last commit of ``main``."""
    names = _git(folder, "ls-tree", "-r", "--name-only", BRANCH, "--", "k8s").splitlines()
    return {name: _git_raw(folder, "show", "{0}:{1}".format(BRANCH, name)) for name in names}
