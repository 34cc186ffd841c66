import pytest

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import InvalidInput, VerificationFailed, WaitTimeout
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.cluster import Cluster
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.runner import run_switch
from ansible_collections.ecoeco.bluegreen.tests.unit.plugins.module_utils.switch import fake_k8s as k8s

ORDER = k8s.GROUP_ORDER
SERVICE = dict(kind="service", namespace="prod", name="backend", blue_value="blue", green_value="green")
INGRESS = dict(kind="ingress", blue={"namespace": "api", "name": "auth-api"}, green={"namespace": "auth", "name": "auth-api"})


def params(*targets, **overrides):
    values = dict(state="green", converge_timeout=1.0, converge_interval=0.01, settle_grace=0.0, argocd_namespace="argocd", gitops_frozen=False,
                  targets=[dict(target) for target in targets or (SERVICE, INGRESS)])
    values.update(overrides)
    return values


def fresh(**ingress):
    return k8s.FakeK8s(k8s.service_world(), k8s.ingress_world(**ingress))


def served(client):
    return (client.obj("Service", "prod", "backend")["spec"]["selector"]["version"],
            client.obj("Ingress", "auth", "auth-api")["metadata"]["annotations"].get(ORDER))


def versions(client):
    return {key: obj["metadata"]["resourceVersion"] for key, obj in client.store.items()}


def test_check_mode_dry_runs_the_patches_and_writes_nothing():
    client = fresh()
    before = versions(client)
    result = run_switch(Cluster(client), params(), check_mode=True, diff=True)
    assert result["changed"] is True
    assert [(t["previous"], t["current"], t["changed"]) for t in result["targets"]] == [("blue", "green", True), ("10", "4", True)]
    assert [call["dry_run"] for call in client.patches] == [True, True]
    assert versions(client) == before
    assert result["timings_ms"]["converge"] == 0.0
    assert result["diff"][0] == {"before_header": "Service prod/backend", "after_header": "Service prod/backend",
                                 "before": {"spec": {"selector": {"version": "blue"}}}, "after": {"spec": {"selector": {"version": "green"}}}}


def test_switch_then_idempotent_then_rollback_puts_blue_first_again():
    client = fresh(blue_order=None, green_order=None)
    switched = run_switch(Cluster(client), params())
    assert switched["changed"] and served(client) == ("green", "-1")
    assert set(switched["timings_ms"]) == {"verify", "patch", "converge", "grace", "total"}

    writes = len(client.writes())
    again = run_switch(Cluster(client), params())
    assert again["changed"] is False and len(client.writes()) == writes
    assert [(t["previous"], t["current"], t["changed"]) for t in again["targets"]] == [("green", "green", False), ("-1", "-1", False)]

    ingress_back = dict(INGRESS, previous=switched["targets"][1]["previous"])
    rolled_back = run_switch(Cluster(client), params(SERVICE, ingress_back, state="blue"))
    assert rolled_back["changed"] and served(client) == ("blue", "1")


def test_rollback_to_a_recorded_previous_order():
    client = fresh(green_order=10)
    switched = run_switch(Cluster(client), params(INGRESS))
    assert switched["targets"][0]["previous"] == "10"
    run_switch(Cluster(client), params(dict(INGRESS, previous="10"), state="blue"))
    assert served(client)[1] == "10"


def test_converge_timeout_puts_every_flipped_target_back():
    client = fresh(blue_order=None, green_order=None)
    client.freeze_data_plane()
    with pytest.raises(WaitTimeout) as caught:
        run_switch(Cluster(client), params(converge_timeout=0.05))
    # The unset annotation is removed again, not set to some value.
    assert served(client) == ("blue", None)
    assert [(o["target"], o["outcome"]) for o in caught.value.details["targets"]] == [("targets[1]", "rolled back"), ("targets[0]", "rolled back")]
    assert caught.value.details["changed"] is False
    assert caught.value.details["timings_ms"]["converge"] >= 50
    assert str(caught.value).startswith("Traffic did not settle on green within 0.05 s (converge_timeout), so the switch was undone.")
    assert "targets[0] (Service prod/backend): 2 endpoint(s) outside the green pods still in the EndpointSlices (10.1.0.1, 10.1.0.2)" in str(caught.value)


def test_ingress_waits_for_the_alb():
    client = fresh(green_order=10)
    client.obj("Ingress", "auth", "auth-api")["status"]["loadBalancer"]["ingress"] = []
    with pytest.raises(WaitTimeout, match="the green Ingress has no status.loadBalancer hostname in common with the other one"):
        run_switch(Cluster(client), params(INGRESS, converge_timeout=0.03))
    assert served(client)[1] == "10"


def test_failed_verification_reports_timings_and_writes_nothing():
    client = k8s.FakeK8s(k8s.service_world(green_ready=False))
    with pytest.raises(VerificationFailed) as caught:
        run_switch(Cluster(client), params(SERVICE))
    assert client.patches == [] and caught.value.details["timings_ms"]["verify"] > 0


def test_bad_input_fails_before_any_api_call():
    client = fresh()
    with pytest.raises(InvalidInput, match=r"^converge_timeout: expected a number of seconds greater than 0, got 0$"):
        run_switch(Cluster(client), params(converge_timeout=0))
    assert client.patches == []


def test_settled_flip_waits_the_grace_for_the_node_proxies_and_reports_it():
    slept = []
    client = fresh()
    result = run_switch(Cluster(client), params(SERVICE, settle_grace=1.5), sleep=slept.append)
    assert slept[-1] == 1.5
    assert "grace" in result["timings_ms"]


def test_no_grace_when_nothing_was_flipped():
    client = fresh()
    run_switch(Cluster(client), params(SERVICE))
    slept = []
    run_switch(Cluster(client), params(SERVICE, settle_grace=1.5), sleep=slept.append)
    assert slept == []
