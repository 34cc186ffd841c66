import pytest

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import BlueGreenError, Conflict, NotFound
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.cluster import Cluster
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.flip import apply_flips
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.targets import Settings, parse_targets
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.verify import verify_targets
from ansible_collections.ecoeco.bluegreen.tests.unit.plugins.module_utils.switch import fake_k8s as k8s

NAMES = ("one", "two", "three")


def world():
    objects = [k8s.namespace("prod")]
    for index, name in enumerate(NAMES):
        labels = {"app": name}
        objects += [k8s.service("prod", name, dict(labels, version="blue")),
                    k8s.pods("prod", name + "-green", dict(labels, version="green"), 1, subnet="10.{0}.0".format(index))]
    return objects


def planned(client):
    targets = parse_targets([dict(kind="service", namespace="prod", name=name, blue_value="blue", green_value="green") for name in NAMES])
    return verify_targets(Cluster(client), targets, Settings("green", 1.0, 0.01, "argocd", False))


def selector_values(client):
    return [client.obj("Service", "prod", name)["spec"]["selector"]["version"] for name in NAMES]


def someone_sets(value):
    return lambda service: service["spec"]["selector"].update(version=value)


def test_flips_in_order():
    client = k8s.FakeK8s(world())
    patched = apply_flips(Cluster(client), planned(client), dry_run=False)
    assert [obj["metadata"]["name"] for obj in patched] == list(NAMES)
    assert selector_values(client) == ["green"] * 3
    assert all(call["content_type"] == "application/json-patch+json" for call in client.patches)


def test_conflict_on_a_later_flip_rolls_back_the_earlier_ones():
    client = k8s.FakeK8s(world())
    plans = planned(client)
    client.interfere[("Service", "prod", "two")] = [someone_sets("canary")]
    with pytest.raises(Conflict) as caught:
        apply_flips(Cluster(client), plans, dry_run=False)
    assert selector_values(client) == ["blue", "canary", "blue"]
    assert [(o["target"], o["outcome"]) for o in caught.value.details["targets"]] == [
        ("targets[0]", "rolled back"), ("targets[1]", "failed"), ("targets[2]", "not attempted")]
    assert caught.value.details["changed"] is False
    assert str(caught.value) == (
        "Switch stopped at targets[1] (Service prod/two): spec.selector.version is no longer 'blue': someone else changed it "
        "(compare-and-swap failed). Nothing was written to it. Rolled back targets[0]: traffic is where it was before this run. "
        "Not attempted: targets[2].")


def test_failed_rollback_is_reported_with_the_manual_fix():
    client = k8s.FakeK8s(world())
    plans = planned(client)
    client.interfere[("Service", "prod", "one")] = [None, someone_sets("canary")]
    client.interfere[("Service", "prod", "three")] = [someone_sets("canary")]
    with pytest.raises(Conflict) as caught:
        apply_flips(Cluster(client), plans, dry_run=False)
    outcomes = {o["target"]: o for o in caught.value.details["targets"]}
    assert [o["outcome"] for o in caught.value.details["targets"]] == ["rolled back", "rollback failed", "failed"]
    assert outcomes["targets[0]"]["restore"] == "restore by hand: set spec.selector.version of Service prod/one back to 'blue'"
    assert caught.value.details["changed"] is True
    assert "ROLLBACK FAILED for targets[0]" in str(caught.value)
    assert selector_values(client) == ["canary", "blue", "canary"]


def test_object_deleted_before_its_flip_keeps_the_error_class():
    client = k8s.FakeK8s(world())
    plans = planned(client)
    del client.store[("Service", "prod", "one")]
    with pytest.raises(NotFound, match="Service prod/one no longer exists"):
        apply_flips(Cluster(client), plans, dry_run=False)


def test_dry_run_failure_undoes_nothing_because_nothing_was_written():
    client = k8s.FakeK8s(world())
    plans = planned(client)
    client.interfere[("Service", "prod", "two")] = [someone_sets("canary")]
    with pytest.raises(BlueGreenError, match=r"^Check mode: the API server refused the dry run for targets\[1\] .* Nothing was written\.$"):
        apply_flips(Cluster(client), plans, dry_run=True)
    assert client.writes() == []
    assert [call["dry_run"] for call in client.patches] == [True, True]
