"""access_review through main(), as Ansible runs it, against a fake API server."""

import pytest

from ansible_collections.ecoeco.bluegreen.plugins.modules import access_review
from ansible_collections.ecoeco.bluegreen.tests.unit.plugins.module_utils.access.fake_access import USER, FakeApi
from ansible_collections.ecoeco.bluegreen.tests.unit.plugins.modules.module_runner import run_main

DELETE_BLUE = {"resource": "namespaces", "verbs": ["get", "delete"], "namespace": "api", "why": "blue_removal: delete the source namespace"}


@pytest.fixture
def api(monkeypatch):
    fake = FakeApi({("get", "", "namespaces", "*")})
    monkeypatch.setattr(access_review, "get_api_client", lambda module: fake)
    return fake


def test_allowed_in_check_mode_too_and_never_changed(api):
    api.grants.add(("delete", "", "namespaces", "*"))
    outcome, result = run_main(access_review.main, {"permissions": [DELETE_BLUE], "_ansible_check_mode": True})
    assert outcome == "exit" and result["changed"] is False
    assert result["allowed"] == ["get namespaces in namespace api", "delete namespaces in namespace api"] and result["denied"] == []
    assert result["identity"]["username"] == USER["username"] and len(api.asked) == result["reviews"] == 2


def test_denied_fails_once_naming_verb_resource_namespace_and_identity(api):
    outcome, result = run_main(access_review.main, {"permissions": [DELETE_BLUE], "purpose": "phase 60 (blue removal)"})
    assert outcome == "fail"
    assert result["msg"].startswith("phase 60 (blue removal): access denied, refusing before any write: may not delete namespaces in namespace api "
                                    "(blue_removal: delete the source namespace). Runs as system:serviceaccount:ecoeco-bluegreen:ecoeco-bluegreen")
    assert result["denied"] == ["delete namespaces in namespace api"] and result["allowed"] == ["get namespaces in namespace api"]
    assert result["changed"] is False


@pytest.mark.parametrize("permission, message", [
    ({"verbs": ["get"]}, "missing required arguments: resource found in permissions"),
    ({"resource": "pods", "verbs": []}, "permissions[0].verbs: expected a non-empty list of verbs, for example [get, list], got []"),
    ({"resource": "Pod", "verbs": ["get"]}, "permissions[0].resource: expected the plural lowercase resource"),
    ({"resource": "pods", "verbs": ["get"], "namespace": "a", "namespaces": ["b"]},
     "parameters are mutually exclusive: namespace|namespaces found in permissions"),
])
def test_bad_input_names_the_field_before_any_review(api, permission, message):
    outcome, result = run_main(access_review.main, {"permissions": [permission]})
    assert outcome == "fail" and message in result["msg"]
    assert api.asked == []


def test_a_kubeconfig_that_does_not_exist_is_named(api, tmp_path):
    outcome, result = run_main(access_review.main, {"permissions": [DELETE_BLUE], "kubeconfig": str(tmp_path / "no-such.kubeconfig")})
    assert outcome == "fail" and result["msg"] == "kubeconfig: expected a kubeconfig file, {0} does not exist".format(tmp_path / "no-such.kubeconfig")
