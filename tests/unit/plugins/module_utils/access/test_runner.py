"""access_review's decisions on a fake API server: who asks, which reviews are sent, and the one refusal."""

import pytest

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.access.cluster import AccessReviews
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.access.identity import find_identity, kubeconfig_user
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.access.runner import run_access_review
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import BlueGreenError, VerificationFailed
from ansible_collections.ecoeco.bluegreen.tests.unit.plugins.module_utils.access.fake_access import USER, FakeApi, api_error

try:
    from kubernetes.dynamic.exceptions import ForbiddenError
except ImportError:  # pragma: no cover
    ForbiddenError = None

SA = USER["username"]
PHASE_60 = [
    {"resource": "namespaces", "verbs": ["get", "delete"], "namespace": "api", "why": "blue_removal: delete the source namespace"},
    {"group": "apps", "resource": "deployments", "verbs": ["list"]},
    {"group": "argoproj.io", "resource": "applications", "verbs": ["get", "patch"], "namespace": "argocd"},
]
CLUSTER_ROLE = {("get", "", "namespaces", "*"), ("delete", "", "namespaces", "*"), ("list", "apps", "deployments", "*"),
                ("get", "argoproj.io", "applications", "argocd"), ("patch", "argoproj.io", "applications", "argocd")}


def review(api, permissions, **params):
    return run_access_review(AccessReviews(api), dict({"permissions": permissions, "cluster_wide_first": True}, **params))


def test_everything_granted_is_reported_allowed_and_nothing_changes():
    api = FakeApi(CLUSTER_ROLE)
    result = review(api, PHASE_60)
    assert result["changed"] is False and result["denied"] == []
    assert result["allowed"] == ["get namespaces in namespace api", "delete namespaces in namespace api", "list deployments.apps in all namespaces",
                                 "get applications.argoproj.io in namespace argocd", "patch applications.argoproj.io in namespace argocd"]
    assert result["identity"] == dict(USER, source="SelfSubjectReview")
    by_text = {check["text"]: check for check in result["checks"]}
    assert by_text["delete namespaces in namespace api"]["via"] == "everywhere"
    # The Argo CD Role is namespaced: denied for all namespaces, then asked (and allowed) in argocd.
    assert by_text["patch applications.argoproj.io in namespace argocd"]["via"] == "namespace"
    assert result["reviews"] == len(api.asked) == 5 + 2


def test_a_missing_verb_is_refused_naming_verb_resource_namespace_why_and_identity():
    api = FakeApi(CLUSTER_ROLE - {("delete", "", "namespaces", "*")})
    with pytest.raises(VerificationFailed) as refused:
        review(api, PHASE_60, purpose="phase 60 (blue removal)")
    message = str(refused.value)
    assert message.startswith("phase 60 (blue removal): access denied, refusing before any write: may not delete namespaces in namespace api "
                              "(blue_removal: delete the source namespace). Runs as {0} (from SelfSubjectReview).".format(SA))
    details = refused.value.details
    assert details["denied"] == ["delete namespaces in namespace api"]
    assert "get namespaces in namespace api" in details["allowed"] and details["changed"] is False
    # Asked for all namespaces first, then for api itself before refusing.
    assert {"verb": "delete", "group": "", "resource": "namespaces", "namespace": "api"} in api.asked


def test_every_denied_permission_is_listed_in_one_message():
    api = FakeApi({("get", "", "namespaces", "*")})
    with pytest.raises(VerificationFailed) as refused:
        review(api, PHASE_60)
    assert refused.value.details["denied"] == ["delete namespaces in namespace api", "list deployments.apps in all namespaces",
                                               "get applications.argoproj.io in namespace argocd", "patch applications.argoproj.io in namespace argocd"]
    assert str(refused.value).count("may not ") == 4


def test_a_namespaced_grant_is_found_namespace_by_namespace():
    api = FakeApi({("create", "networking.k8s.io", "networkpolicies", "auth")})
    with pytest.raises(VerificationFailed) as refused:
        review(api, [{"group": "networking.k8s.io", "resource": "networkpolicies", "verbs": ["create"], "namespaces": ["auth", "my"]}])
    assert refused.value.details["allowed"] == ["create networkpolicies.networking.k8s.io in namespace auth"]
    assert refused.value.details["denied"] == ["create networkpolicies.networking.k8s.io in namespace my"]


def test_with_a_cluster_role_one_review_per_verb_whatever_the_number_of_namespaces():
    api = FakeApi({("get", "apps", "deployments", "*"), ("patch", "apps", "deployments", "*")})
    namespaces = ["domain-{0}".format(index) for index in range(200)]
    result = review(api, [{"group": "apps", "resource": "deployments", "verbs": ["get", "patch"], "namespaces": namespaces}])
    assert len(result["allowed"]) == 400 and result["reviews"] == 2


def test_without_cluster_wide_first_every_namespace_is_asked():
    api = FakeApi({("get", "apps", "deployments", "*")})
    result = review(api, [{"group": "apps", "resource": "deployments", "verbs": ["get"], "namespaces": ["a", "b", "c"]}], cluster_wide_first=False)
    assert result["reviews"] == 3 and sorted(asked["namespace"] for asked in api.asked) == ["a", "b", "c"]


@pytest.mark.parametrize("self_review", ["not served", "forbidden", "missing"])
def test_without_a_self_subject_review_the_kubeconfig_user_is_named(self_review, tmp_path):
    config = tmp_path / "kubeconfig"
    config.write_text("current-context: ops\ncontexts:\n- name: ops\n  context: {cluster: c, user: deploy-bot}\n- name: other\n  context: {user: x}\n")
    api = FakeApi(set(), self_review=self_review)
    with pytest.raises(VerificationFailed) as refused:
        run_access_review(AccessReviews(api), {"permissions": PHASE_60[1:2], "cluster_wide_first": True}, kubeconfig=str(config))
    identity = refused.value.details["identity"]
    assert (identity["username"], identity["source"]) == ("deploy-bot", "kubeconfig")
    assert "Runs as kubeconfig user deploy-bot (SelfSubjectReview" in str(refused.value)


def test_the_kubeconfig_user_follows_the_context_and_the_environment(tmp_path):
    config = tmp_path / "config"
    config.write_text("current-context: ops\ncontexts:\n- name: ops\n  context: {user: deploy-bot}\n- name: other\n  context: {user: alice}\n")
    assert kubeconfig_user(str(config), "other", {}, _load) == "alice"
    assert kubeconfig_user(None, None, {"KUBECONFIG": str(config) + ":/elsewhere"}, _load) == "deploy-bot"
    assert kubeconfig_user(None, None, {"K8S_AUTH_KUBECONFIG": str(config), "K8S_AUTH_CONTEXT": "other"}, _load) == "alice"
    assert kubeconfig_user({"current-context": "a", "contexts": [{"name": "a", "context": {"user": "in-memory"}}]}, None, {}, _load) == "in-memory"
    assert kubeconfig_user(str(tmp_path / "absent"), None, {}, _load) is None


def test_an_identity_nobody_names_is_said_to_be_unknown(tmp_path):
    identity = find_identity(AccessReviews(FakeApi(self_review="forbidden")), kubeconfig=str(tmp_path / "absent"))
    assert identity["source"] == "unknown" and "SelfSubjectReview refused: HTTP 403" in identity["note"]


def test_a_refused_review_is_an_error_naming_the_question():
    class Refusing(FakeApi):
        def resource(self, kind, api_version):
            resource = super().resource(kind, api_version)
            if kind == "SelfSubjectAccessReview":
                resource.create = refuse
            return resource

    def refuse(body=None):
        raise api_error(ForbiddenError, 403, "Forbidden")

    with pytest.raises(BlueGreenError) as failed:
        review(Refusing(), PHASE_60[1:2])
    assert str(failed.value) == "Could not ask whether the caller may list deployments.apps in all namespaces (SelfSubjectAccessReview): HTTP 403 Forbidden"


def _load(path):
    import yaml

    with open(path, encoding="utf-8") as stream:
        return yaml.safe_load(stream)
