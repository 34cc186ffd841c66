import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.ecoeco.bluegreen.plugins.modules import bluegreen_switch
from ansible_collections.ecoeco.bluegreen.tests.unit.plugins.module_utils.switch import fake_k8s as k8s

SERVICE = dict(kind="service", namespace="prod", name="backend", blue_value="blue", green_value="green")
INGRESS = dict(kind="ingress", blue={"namespace": "api", "name": "auth-api"}, green={"namespace": "auth", "name": "auth-api"})


def run_main(monkeypatch, capsys, client, args):
    """main() against ``client``; returns the module's JSON result."""
    monkeypatch.setattr(bluegreen_switch, "get_api_client", lambda module: client)
    with patch_module_args(dict({"converge_interval": 0.01, "settle_grace": 0}, **args)):
        with pytest.raises(SystemExit):
            bluegreen_switch.main()
    return json.loads(capsys.readouterr().out)


def world():
    return [k8s.service_world(), k8s.ingress_world()]


def versions(client):
    return {key: obj["metadata"]["resourceVersion"] for key, obj in client.store.items()}


def test_switch_reports_targets_and_timings(monkeypatch, capsys):
    client = k8s.FakeK8s(world())
    result = run_main(monkeypatch, capsys, client, {"targets": [SERVICE, INGRESS]})
    assert result["changed"] is True and result["state"] == "green"
    assert [(t["kind"], t["namespace"], t["name"], t["previous"], t["current"]) for t in result["targets"]] == [
        ("service", "prod", "backend", "blue", "green"), ("ingress", "auth", "auth-api", "10", "4")]
    assert set(result["timings_ms"]) == {"verify", "patch", "converge", "grace", "total"}
    assert "diff" not in result


def test_check_mode_is_a_server_dry_run_with_diff(monkeypatch, capsys):
    client = k8s.FakeK8s(world())
    before = versions(client)
    result = run_main(monkeypatch, capsys, client, {"targets": [SERVICE], "_ansible_check_mode": True, "_ansible_diff": True})
    assert result["changed"] is True
    assert result["diff"][0]["after"] == {"spec": {"selector": {"version": "green"}}}
    assert [call["dry_run"] for call in client.patches] == [True]
    assert versions(client) == before


def test_second_run_changes_nothing(monkeypatch, capsys):
    client = k8s.FakeK8s(world())
    run_main(monkeypatch, capsys, client, {"targets": [SERVICE, INGRESS]})
    writes = len(client.writes())
    result = run_main(monkeypatch, capsys, client, {"targets": [SERVICE, INGRESS]})
    assert result["changed"] is False and len(client.writes()) == writes


def _drop(kind, namespace, name):
    def mutate(client):
        del client.store[(kind, namespace, name)]
    return mutate


def _set(kind, namespace, name, path, value):
    def mutate(client):
        node = client.obj(kind, namespace, name)
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return mutate


def _unready_green(client):
    for key, obj in client.store.items():
        if key[0] == "Pod" and obj["metadata"]["labels"].get("version") == "green":
            obj["status"]["conditions"][0]["status"] = "False"


@pytest.mark.parametrize(
    "mutate, target, extra, message",
    [
        pytest.param(lambda c: (_drop("Namespace", None, "prod")(c), _drop("Service", "prod", "backend")(c)), SERVICE, {},
                     "targets[0] (Service prod/backend): namespace 'prod' does not exist", id="missing-namespace"),
        pytest.param(_drop("Service", "prod", "backend"), SERVICE, {}, "Service prod/backend does not exist", id="missing-service"),
        pytest.param(_drop("Ingress", "api", "auth-api"), INGRESS, {}, "blue Ingress api/auth-api does not exist", id="missing-ingress"),
        pytest.param(_set("Service", "prod", "backend", ("spec", "selector"), {"app": "backend"}), SERVICE, {},
                     "selector key 'version' is absent from the Service selector", id="selector-key-absent"),
        pytest.param(None, dict(SERVICE, green_value="blue"), {}, "targets[0].green_value: expected a value different from blue_value", id="blue-equals-green"),
        pytest.param(_unready_green, SERVICE, {}, "the green backend has 0 Ready endpoints", id="green-zero-ready"),
        pytest.param(None, dict(SERVICE, green_value="green/v2"), {}, "targets[0].green_value: expected a label value", id="invalid-label-value"),
        pytest.param(None, SERVICE, {"converge_timeout": 0}, "converge_timeout: expected a number of seconds greater than 0", id="zero-timeout"),
        pytest.param(None, SERVICE, {"converge_timeout": -5}, "converge_timeout: expected a number of seconds greater than 0", id="negative-timeout"),
        pytest.param(None, dict(SERVICE, kind="deployment"), {}, "value of kind must be one of: service, ingress", id="unknown-kind"),
        pytest.param(_set("Ingress", "auth", "auth-api", ("metadata", "annotations", k8s.GROUP_NAME), "other"), INGRESS, {},
                     "blue and green are not in the same IngressGroup", id="different-groups"),
    ],
)
def test_bad_input_fails_and_changes_nothing(monkeypatch, capsys, mutate, target, extra, message):
    client = k8s.FakeK8s(world())
    if mutate:
        mutate(client)
    before = versions(client)
    result = run_main(monkeypatch, capsys, client, dict({"targets": [target]}, **extra))
    assert result["failed"] is True
    assert message in result["msg"]
    assert result.get("changed", False) is False
    assert client.patches == [] and versions(client) == before


def test_argocd_self_heal_is_refused_with_the_fix(monkeypatch, capsys):
    client = k8s.FakeK8s(world(), k8s.application("ecoeco-auth", self_heal=False, owner="ecoeco-api-services-kustomize"),
                         k8s.applicationset("ecoeco-api-services-kustomize", self_heal=True), argocd=True)
    _set("Ingress", "auth", "auth-api", ("metadata", "annotations", "argocd.argoproj.io/tracking-id"),
         "ecoeco-auth:networking.k8s.io/Ingress:auth/auth-api")(client)
    result = run_main(monkeypatch, capsys, client, {"targets": [INGRESS]})
    assert result["failed"] is True
    assert "ecoeco.bluegreen.argocd_sync_toggle state=disabled on ApplicationSet argocd/ecoeco-api-services-kustomize" in result["msg"]
    assert result["failures"][0]["target"] == "targets[0]"
    assert client.patches == []
