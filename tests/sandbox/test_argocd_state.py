"""Argo CD in the sandbox is the real one: its controllers generate the seed's Applications from the ApplicationSet,
deploy blue from the sandbox's Git repository, revert an unfrozen edit (self-heal) and carry a template change to
every Application."""

import json
import time

from kubernetes import dynamic
from kubernetes.client import ApiextensionsV1Api, AppsV1Api

DOMAINS = ["auth", "my", "scan", "character", "location", "info", "chat"]
APPSET = "ecoeco-api-services-kustomize"
ARGO = "argoproj.io/v1alpha1"


def wait_until(check, timeout, what):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out after {0} s waiting for {1}".format(timeout, what)
        time.sleep(0.5)


def test_the_applicationset_controller_generated_one_synced_application_per_domain(blue_state, kube):
    dyn = dynamic.DynamicClient(kube)
    app_set = dyn.resources.get(api_version=ARGO, kind="ApplicationSet").get(name=APPSET, namespace="argocd")
    assert app_set.spec.template.spec.syncPolicy.automated.to_dict() == {"prune": True, "selfHeal": True}
    assert app_set.spec.template.spec.source.path == "k8s/overlays/{{domain}}"
    generated = {a.metadata.name: a for a in dyn.resources.get(api_version=ARGO, kind="Application").get(namespace="argocd").items
                 if a.metadata.name in {"ecoeco-" + d for d in DOMAINS}}
    assert set(generated) == {"ecoeco-" + d for d in DOMAINS}
    for app in generated.values():
        assert app.metadata.ownerReferences[0].uid == app_set.metadata.uid
        assert (app.status.sync.status, app.status.health.status) == ("Synced", "Healthy")
        assert app.status.sync.revision and app.spec.source.repoURL.startswith("file://")
    deployment = AppsV1Api(kube).read_namespaced_deployment("auth-api", "api")
    assert deployment.metadata.annotations["argocd.argoproj.io/tracking-id"] == "ecoeco-auth:apps/Deployment:api/auth-api"


def test_self_heal_reverts_an_unfrozen_edit_and_a_template_change_reaches_every_application(blue_state, kube):
    apps_api = AppsV1Api(kube)
    apps_api.patch_namespaced_deployment("auth-api", "api", {"spec": {"replicas": 3}})
    wait_until(lambda: apps_api.read_namespaced_deployment("auth-api", "api").spec.replicas == 2, 60,
               "self-heal to put auth-api back at Git's 2 replicas")

    dyn = dynamic.DynamicClient(kube)
    app_sets = dyn.resources.get(api_version=ARGO, kind="ApplicationSet")
    applications = dyn.resources.get(api_version=ARGO, kind="Application")

    def labelled(value):
        return all((a.metadata.labels or {}).get("ecoeco.io/probe") == value
                   for a in applications.get(namespace="argocd").items if a.metadata.name in {"ecoeco-" + d for d in DOMAINS})

    patch = [{"op": "add", "path": "/spec/template/metadata/labels/ecoeco.io~1probe", "value": "template"}]
    app_sets.patch(name=APPSET, namespace="argocd", body=patch, content_type="application/json-patch+json")
    try:
        wait_until(lambda: labelled("template"), 30, "the template's new label on every Application")
    finally:
        app_sets.patch(name=APPSET, namespace="argocd", content_type="application/json-patch+json",
                       body=[{"op": "remove", "path": "/spec/template/metadata/labels/ecoeco.io~1probe"}])
    wait_until(lambda: labelled(None), 30, "the label to leave every Application again")


def test_crds_carry_real_schemas(kube):
    raw = ApiextensionsV1Api(kube).read_custom_resource_definition("applications.argoproj.io", _preload_content=False)
    schema = json.loads(raw.data)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    sync_policy = schema["properties"]["spec"]["properties"]["syncPolicy"]
    assert {"automated", "retry", "syncOptions"} <= set(sync_policy["properties"])
    assert {"prune", "selfHeal", "allowEmpty"} <= set(sync_policy["properties"]["automated"]["properties"])
