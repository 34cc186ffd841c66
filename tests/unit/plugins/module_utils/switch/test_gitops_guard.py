import pytest

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.cluster import Cluster
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.gitops_guard import check, self_heals, tracking_application
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.targets import ObjectRef
from ansible_collections.ecoeco.bluegreen.tests.unit.plugins.module_utils.switch import fake_k8s as k8s

TRACKING = "argocd.argoproj.io/tracking-id"
APPSET = "ecoeco-api-services-kustomize"


def tracked_service(annotations=None, labels=None):
    return k8s.service("api", "auth-api", {"app": "auth-api"}, annotations=annotations, labels=labels)


@pytest.mark.parametrize(
    "annotations, labels, app",
    [
        pytest.param({TRACKING: "ecoeco-auth:/Service:api/auth-api"}, None, ObjectRef("argocd", "ecoeco-auth"), id="annotation"),
        pytest.param({TRACKING: "ecoeco-auth:networking.k8s.io/Ingress:api/auth-api"}, None, ObjectRef("argocd", "ecoeco-auth"), id="annotation-with-group"),
        pytest.param({TRACKING: "team-a_auth:/Service:api/auth-api"}, None, ObjectRef("team-a", "auth"), id="app-in-other-namespace"),
        pytest.param(None, {"app.kubernetes.io/instance": "ecoeco-auth"}, ObjectRef("argocd", "ecoeco-auth"), id="label"),
        pytest.param({TRACKING: "from-annotation:/Service:api/auth-api"}, {"app.kubernetes.io/instance": "from-label"}, ObjectRef("argocd", "from-annotation"),
                     id="annotation-wins"),
        pytest.param(None, {"app": "auth-api"}, None, id="untracked"),
    ],
)
def test_tracking_application(annotations, labels, app):
    assert tracking_application(tracked_service(annotations, labels), "argocd") == app


@pytest.mark.parametrize(
    "policy, heals",
    [
        ({"automated": {"selfHeal": True}}, True),
        ({"automated": {"selfHeal": True, "enabled": True}}, True),
        ({"automated": {"selfHeal": True, "enabled": False}}, False),
        ({"automated": {"prune": True}}, False),
        ({"automated": None}, False),
        ({}, False),
        (None, False),
    ],
)
def test_self_heals(policy, heals):
    assert self_heals(policy) is heals


TRACKED = tracked_service({TRACKING: "ecoeco-auth:/Service:api/auth-api"})


@pytest.mark.parametrize(
    "world, argocd, freeze_on, info",
    [
        pytest.param([], False, None, {"application": "argocd/ecoeco-auth", "self_heal": False, "found": False}, id="no-argocd-crds"),
        pytest.param([], True, None, {"application": "argocd/ecoeco-auth", "self_heal": False, "found": False}, id="application-missing"),
        pytest.param([k8s.application("ecoeco-auth", self_heal=False)], True, None,
                     {"application": "argocd/ecoeco-auth", "self_heal": False, "found": True}, id="no-self-heal"),
        pytest.param([k8s.application("ecoeco-auth", self_heal=True, enabled=False)], True, None,
                     {"application": "argocd/ecoeco-auth", "self_heal": False, "found": True}, id="automation-disabled"),
        pytest.param([k8s.application("ecoeco-auth", self_heal=True)], True, "Application argocd/ecoeco-auth",
                     {"application": "argocd/ecoeco-auth", "self_heal": True, "found": True}, id="application-self-heals"),
        pytest.param([k8s.application("ecoeco-auth", self_heal=False, owner=APPSET), k8s.applicationset(APPSET, self_heal=True)], True,
                     "ApplicationSet argocd/" + APPSET,
                     {"application": "argocd/ecoeco-auth", "self_heal": True, "found": True, "applicationset": "argocd/" + APPSET},
                     id="applicationset-template-self-heals"),
        pytest.param([k8s.application("ecoeco-auth", self_heal=True, owner=APPSET), k8s.applicationset(APPSET, self_heal=True)], True,
                     "ApplicationSet argocd/" + APPSET,
                     {"application": "argocd/ecoeco-auth", "self_heal": True, "found": True, "applicationset": "argocd/" + APPSET},
                     id="both-self-heal-freeze-the-applicationset"),
        pytest.param([k8s.application("ecoeco-auth", self_heal=False, owner=APPSET), k8s.applicationset(APPSET, self_heal=False)], True, None,
                     {"application": "argocd/ecoeco-auth", "self_heal": False, "found": True, "applicationset": "argocd/" + APPSET},
                     id="frozen-applicationset"),
    ],
)
def test_check(world, argocd, freeze_on, info):
    found_info, refusal = check(Cluster(k8s.FakeK8s(world, argocd=argocd)), "Service", TRACKED, "argocd")
    assert found_info == info
    if freeze_on is None:
        assert refusal is None
    else:
        assert refusal.startswith("Argo CD Application argocd/ecoeco-auth tracks Service api/auth-api and ")
        assert "Argo CD would revert the flip within seconds" in refusal
        kind, ref = freeze_on.split(" ")
        namespace, name = ref.split("/")
        assert "ecoeco.bluegreen.argocd_sync_toggle state=disabled on {0} (kind: {1}, namespace: {2}, name: {3}),".format(
            freeze_on, kind, namespace, name) in refusal
        assert "gitops_frozen: true" in refusal


def test_untracked_object_needs_no_lookup():
    client = k8s.FakeK8s(argocd=True)
    assert check(Cluster(client), "Service", tracked_service(), "argocd") == (None, None)
