"""Argo CD in the sandbox: the real CRDs, the seed's ApplicationSet and one Application per domain."""

import json

from kubernetes import dynamic
from kubernetes.client import ApiextensionsV1Api

DOMAINS = ["auth", "my", "scan", "character", "location", "info", "chat"]


def test_applicationset_and_generated_applications_follow_the_seed(blue_state, kube):
    dyn = dynamic.DynamicClient(kube)
    app_sets = dyn.resources.get(api_version="argoproj.io/v1alpha1", kind="ApplicationSet")
    apps = dyn.resources.get(api_version="argoproj.io/v1alpha1", kind="Application")
    app_set = app_sets.get(name="ecoeco-api-services-kustomize", namespace="argocd")
    assert app_set.spec.template.spec.syncPolicy.automated.to_dict() == {"prune": True, "selfHeal": True}
    assert app_set.spec.template.spec.source.path == "k8s/overlays/{{domain}}"

    generated = {a.metadata.name: a for a in apps.get(namespace="argocd").items}
    assert set(generated) == {"ecoeco-" + d for d in DOMAINS}
    for app in generated.values():
        assert app.metadata.ownerReferences[0].kind == "ApplicationSet"
        assert app.metadata.ownerReferences[0].uid == app_set.metadata.uid
        assert app.spec.syncPolicy.automated.selfHeal is True


def test_crds_carry_real_schemas(kube):
    raw = ApiextensionsV1Api(kube).read_custom_resource_definition("applications.argoproj.io", _preload_content=False)
    schema = json.loads(raw.data)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    sync_policy = schema["properties"]["spec"]["properties"]["syncPolicy"]
    assert {"automated", "retry", "syncOptions"} <= set(sync_policy["properties"])
    assert {"prune", "selfHeal", "allowEmpty"} <= set(sync_policy["properties"]["automated"]["properties"])
