import pytest

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.converge import (
    ingress_settled,
    service_settled,
    wait_until_settled,
)


def endpoint(ip, ready=True):
    return {"addresses": [ip], "conditions": {"ready": ready}}


GREEN = {"10.2.0.1", "10.2.0.2"}


@pytest.mark.parametrize(
    "endpoints, min_ready, settled, ready, foreign",
    [
        pytest.param([endpoint("10.2.0.1"), endpoint("10.2.0.2")], 2, True, 2, [], id="only-green-all-ready"),
        pytest.param([endpoint("10.2.0.1"), endpoint("10.1.0.1")], 1, False, 1, ["10.1.0.1"], id="blue-still-there"),
        pytest.param([endpoint("10.2.0.1"), endpoint("10.2.0.2", ready=False)], 2, False, 1, [], id="too-few-ready"),
        pytest.param([endpoint("10.2.0.1"), endpoint("10.2.0.2", ready=False)], 1, True, 1, [], id="unready-green-tolerated"),
        pytest.param([], 1, False, 0, [], id="empty"),
    ],
)
def test_service_settled(endpoints, min_ready, settled, ready, foreign):
    observed_settled, observation = service_settled([{"endpoints": endpoints}], GREEN, min_ready)
    assert observed_settled is settled
    assert observation == {"ready_endpoints": ready, "min_ready": min_ready, "foreign_endpoints": foreign}


def with_hostname(*hostnames):
    return {"status": {"loadBalancer": {"ingress": [{"hostname": hostname} for hostname in hostnames]}}}


@pytest.mark.parametrize(
    "destination, other, ready, settled",
    [
        pytest.param(with_hostname("alb-1"), with_hostname("alb-1"), 2, True, id="same-alb"),
        pytest.param(with_hostname(), with_hostname("alb-1"), 2, False, id="not-in-alb-yet"),
        pytest.param(with_hostname("alb-2"), with_hostname("alb-1"), 2, False, id="different-alb"),
        pytest.param(with_hostname("alb-1"), with_hostname("alb-1"), 1, False, id="backend-not-ready"),
        pytest.param(None, with_hostname("alb-1"), 2, False, id="destination-gone"),
    ],
)
def test_ingress_settled(destination, other, ready, settled):
    backends = [{"namespace": "auth", "name": "auth-api", "ready_endpoints": ready, "min_ready": 2}]
    assert ingress_settled(destination, other, backends)[0] is settled


class FakeTime:
    def __init__(self):
        self.now = 0.0

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class Plan:
    api_kind = "Service"

    def __init__(self, label, settles_after, namespace="prod"):
        self.target = type("Target", (), {"label": label})
        self.ref = type("Ref", (), {"namespace": namespace})
        self.settles_after = settles_after


def test_wait_polls_every_plan_until_all_settle(monkeypatch):
    time = FakeTime()
    monkeypatch.setattr(
        "ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.converge.observe",
        lambda cluster, plan: (time.now >= plan.settles_after, {"at": time.now}),
    )
    settled, observations = wait_until_settled(None, [Plan("a", 0.0), Plan("b", 0.5)], 2.0, 0.2, time.sleep, time.clock)
    assert settled and observations["b"]["at"] >= 0.5 and time.now < 1.0


def test_wait_is_bounded(monkeypatch):
    time = FakeTime()
    monkeypatch.setattr(
        "ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.converge.observe",
        lambda cluster, plan: (False, {"at": time.now}),
    )
    settled, observations = wait_until_settled(None, [Plan("a", 0.0)], 1.0, 0.3, time.sleep, time.clock)
    assert not settled and time.now == pytest.approx(1.0) and observations["a"]["at"] == pytest.approx(1.0)
