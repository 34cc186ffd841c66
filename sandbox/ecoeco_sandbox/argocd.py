"""Argo CD as the seed runs it: the ApplicationSet that renders one Application per domain, with
automated sync (prune + selfHeal). Only the CRDs and objects exist; no Argo CD controller runs, so the
Applications are written the way the ApplicationSet controller would render them."""

import copy

from ecoeco_sandbox.blue_state import DOMAINS, PART_OF, SOURCE_NAMESPACE

ARGOCD_NAMESPACE = "argocd"
APPLICATION_SET = "ecoeco-api-services-kustomize"
REPO_URL = "https://github.com/SeSACTHON/backend.git"
API_VERSION = "argoproj.io/v1alpha1"


def app_project():
    return {
        "apiVersion": API_VERSION,
        "kind": "AppProject",
        "metadata": {"name": "default", "namespace": ARGOCD_NAMESPACE},
        "spec": {"sourceRepos": ["*"], "destinations": [{"server": "*", "namespace": "*"}],
                 "clusterResourceWhitelist": [{"group": "*", "kind": "*"}]},
    }


def application_set(domains=None):
    return {
        "apiVersion": API_VERSION,
        "kind": "ApplicationSet",
        "metadata": {"name": APPLICATION_SET, "namespace": ARGOCD_NAMESPACE, "labels": dict(PART_OF)},
        "spec": {
            "generators": [{"list": {"elements": [{"domain": d} for d in (domains or DOMAINS)]}}],
            "template": {
                "metadata": {"name": "ecoeco-{{domain}}", "labels": dict({"ecoeco.io/domain": "{{domain}}"}, **PART_OF)},
                "spec": {
                    "project": "default",
                    "source": {"repoURL": REPO_URL, "targetRevision": "main", "path": "k8s/overlays/{{domain}}"},
                    "destination": {"server": "https://kubernetes.default.svc", "namespace": SOURCE_NAMESPACE},
                    "syncPolicy": {"automated": {"prune": True, "selfHeal": True}, "syncOptions": ["CreateNamespace=true"]},
                },
            },
        },
    }


def application_names(domains=None):
    """The Applications the ApplicationSet generates: one per domain."""
    return ["ecoeco-" + domain for domain in (domains or DOMAINS)]


def rendered_application(app_set, domain):
    """The Application the ApplicationSet controller would generate for ``domain``, owned by it."""
    template = copy.deepcopy(app_set["spec"]["template"])
    rendered = _substitute(template, {"domain": domain})
    metadata = rendered["metadata"]
    metadata["namespace"] = ARGOCD_NAMESPACE
    metadata["ownerReferences"] = [{
        "apiVersion": API_VERSION, "kind": "ApplicationSet", "name": app_set["metadata"]["name"],
        "uid": app_set["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True,
    }]
    return {
        "apiVersion": API_VERSION,
        "kind": "Application",
        "metadata": metadata,
        "spec": rendered["spec"],
        "status": {"sync": {"status": "Synced", "revision": "0" * 40}, "health": {"status": "Healthy"}},
    }


def _substitute(value, params):
    if isinstance(value, dict):
        return {k: _substitute(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, params) for v in value]
    if isinstance(value, str):
        for key, replacement in params.items():
            value = value.replace("{{" + key + "}}", replacement)
    return value
