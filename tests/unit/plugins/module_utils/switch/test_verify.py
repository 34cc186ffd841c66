import pytest

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import VerificationFailed
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.cluster import Cluster
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.targets import Settings, parse_targets
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.verify import verify_targets
from ansible_collections.ecoeco.bluegreen.tests.unit.plugins.module_utils.switch import fake_k8s as k8s

ORDER = k8s.GROUP_ORDER


def settings(state="green", gitops_frozen=False):
    return Settings(state=state, converge_timeout=1.0, converge_interval=0.01, argocd_namespace="argocd", gitops_frozen=gitops_frozen)


def service_target(**fields):
    item = dict(kind="service", namespace="prod", name="backend", blue_value="blue", green_value="green")
    item.update(fields)
    return item


def ingress_target(**fields):
    item = dict(kind="ingress", blue={"namespace": "api", "name": "auth-api"}, green={"namespace": "auth", "name": "auth-api"})
    item.update(fields)
    return item


def verify(world, targets, state="green", **kwargs):
    client = k8s.FakeK8s(world, argocd=kwargs.pop("argocd", False))
    return client, verify_targets(Cluster(client), parse_targets(targets), settings(state, **kwargs))


def without(world, kind, namespace, name):
    return [obj for obj in _flat(world) if (obj["kind"], obj["metadata"].get("namespace"), obj["metadata"]["name"]) != (kind, namespace, name)]


def _flat(world):
    for item in world:
        if isinstance(item, list):
            yield from _flat(item)
        else:
            yield item


def edited(world, kind, namespace, name, mutate):
    flat = list(_flat(world))
    for obj in flat:
        if (obj["kind"], obj["metadata"].get("namespace"), obj["metadata"]["name"]) == (kind, namespace, name):
            mutate(obj)
    return flat


def test_service_plan_flips_the_selector_value():
    _failures, (plan,) = verify(k8s.service_world(), [service_target()])
    assert (plan.change.before, plan.change.after, plan.noop) == ("blue", "green", False)
    assert plan.verify == {"ready_endpoints": 2, "min_ready": 2, "selector": {"app": "backend", "version": "green"}, "argocd": None}


def test_service_already_green_is_a_noop():
    _failures, (plan,) = verify(k8s.service_world(selector_value="green"), [service_target()])
    assert plan.noop and plan.change.before == "green"


def test_noop_target_does_not_need_ready_endpoints():
    _failures, (plan,) = verify(k8s.service_world(selector_value="green", green_ready=False), [service_target()])
    assert plan.noop and plan.verify["ready_endpoints"] == 0


def test_rollback_needs_ready_blue_endpoints():
    world = edited(k8s.service_world(selector_value="green"), "Pod", "prod", "backend-blue-0",
                   lambda pod: pod["status"]["conditions"][0].update(status="False"))
    with pytest.raises(VerificationFailed, match="the blue backend has 1 Ready endpoints .* needs at least 2"):
        verify(world, [service_target()], state="blue")


@pytest.mark.parametrize(
    "world, target, reason",
    [
        pytest.param(without(without(k8s.service_world(), "Namespace", None, "prod"), "Service", "prod", "backend"), service_target(),
                     "namespace 'prod' does not exist", id="missing-namespace"),
        pytest.param(without(k8s.service_world(), "Service", "prod", "backend"), service_target(), "Service prod/backend does not exist", id="missing-service"),
        pytest.param(k8s.service_world(), service_target(selector_key="track"), "selector key 'track' is absent from the Service selector",
                     id="selector-key-absent"),
        pytest.param(k8s.service_world(selector_value="canary"), service_target(), "selector version='canary' is neither blue_value", id="unexpected-value"),
        pytest.param(k8s.service_world(green_ready=False), service_target(),
                     "the green backend has 0 Ready endpoints (Ready pods matching app=backend,version=green), needs at least 2 "
                     "(all 2 desired replicas of Deployment backend-green)", id="green-zero-ready"),
        pytest.param(k8s.service_world(green_replicas=3, green_ready=2), service_target(), "has 2 Ready endpoints", id="green-partly-ready"),
        pytest.param(k8s.service_world(green_ready=1), service_target(min_ready=2), "needs at least 2 (min_ready)", id="explicit-min-ready"),
        pytest.param(without(without(k8s.service_world(green_ready=False), "Deployment", "prod", "backend-green"), "Pod", "prod", "backend-green-0"),
                     service_target(), "needs at least 1 (no Deployment's pod template matches app=backend,version=green)", id="no-green-deployment"),
    ],
)
def test_service_verification_failures(world, target, reason):
    client = k8s.FakeK8s(world)
    with pytest.raises(VerificationFailed) as caught:
        verify_targets(Cluster(client), parse_targets([target]), settings())
    assert reason in str(caught.value)
    assert caught.value.details["failures"][0]["target"] == "targets[0]"
    assert client.patches == []


def test_enough_ready_with_explicit_min_ready():
    _failures, (plan,) = verify(k8s.service_world(green_replicas=3, green_ready=2), [service_target(min_ready=2)])
    assert plan.verify["min_ready"] == 2


def test_ingress_plan_orders_green_before_blue():
    _failures, (plan,) = verify(k8s.ingress_world(blue_order=5, green_order=10), [ingress_target()])
    assert (plan.change.before, plan.change.after) == ("10", "4")
    assert plan.verify["serving"] == "blue" and plan.verify["group"] == "ecoeco"
    assert plan.verify["backends"] == [{"namespace": "auth", "name": "auth-api", "ready_endpoints": 2, "min_ready": 2}]


def test_ingress_unset_green_order_is_guarded_by_the_annotations():
    _failures, (plan,) = verify(k8s.ingress_world(blue_order=None, green_order=None), [ingress_target()])
    # Both at 0: "api/auth-api" < "auth/auth-api", so blue is first; green moves to -1.
    assert (plan.change.before, plan.change.after) == (None, "-1")
    assert plan.change.parent == {k8s.GROUP_NAME: "ecoeco"}


@pytest.mark.parametrize(
    "world, target, state, before, after",
    [
        pytest.param(k8s.ingress_world(5, 10), ingress_target(green_order=-20), "green", "10", "-20", id="explicit-green-order"),
        pytest.param(k8s.ingress_world(5, 4), ingress_target(), "blue", "4", "6", id="rollback-default"),
        pytest.param(k8s.ingress_world(5, 4), ingress_target(previous="10"), "blue", "4", "10", id="rollback-to-previous"),
        pytest.param(k8s.ingress_world(5, 4), ingress_target(), "green", "4", "4", id="already-green"),
        pytest.param(k8s.ingress_world(5, 10), ingress_target(), "blue", "10", "10", id="already-blue"),
    ],
)
def test_ingress_planned_order(world, target, state, before, after):
    _failures, (plan,) = verify(world, [target], state=state)
    assert (plan.change.before, plan.change.after) == (before, after)


@pytest.mark.parametrize(
    "world, target, reason",
    [
        pytest.param(without(k8s.ingress_world(), "Ingress", "auth", "auth-api"), ingress_target(), "green Ingress auth/auth-api does not exist",
                     id="missing-ingress"),
        pytest.param(without(without(k8s.ingress_world(), "Namespace", None, "auth"), "Ingress", "auth", "auth-api"), ingress_target(),
                     "namespace 'auth' does not exist", id="missing-namespace"),
        pytest.param(edited(k8s.ingress_world(), "Ingress", "auth", "auth-api", lambda i: i["metadata"]["annotations"].update({k8s.GROUP_NAME: "other"})),
                     ingress_target(), "not in the same IngressGroup", id="different-groups"),
        pytest.param(edited(k8s.ingress_world(), "Ingress", "api", "auth-api", lambda i: i["metadata"]["annotations"].pop(k8s.GROUP_NAME)),
                     ingress_target(), "not in the same IngressGroup", id="blue-without-group"),
        pytest.param(edited(k8s.ingress_world(), "Ingress", "auth", "auth-api", lambda i: i["spec"].update(ingressClassName="nginx")),
                     ingress_target(), "different spec.ingressClassName", id="different-class"),
        pytest.param(edited(k8s.ingress_world(), "Ingress", "auth", "auth-api", lambda i: i["spec"]["rules"][0]["http"]["paths"][0].update(path="/x")),
                     ingress_target(), "green does not route all of blue's host/path pairs; missing: */api/v1/auth", id="uncovered-path"),
        pytest.param(edited(k8s.ingress_world(), "Ingress", "api", "auth-api", lambda i: i["metadata"]["annotations"].update({ORDER: "first"})),
                     ingress_target(), "blue Ingress api/auth-api: the controller would refuse its group.order 'first' is not an integer", id="bad-order"),
        pytest.param(k8s.ingress_world(green_ready=False), ingress_target(),
                     "the green backend Service auth/auth-api has 0 Ready endpoints, needs at least 2", id="green-zero-ready"),
        pytest.param(without(k8s.ingress_world(), "Service", "auth", "auth-api"), ingress_target(),
                     "the green backend Service auth/auth-api does not exist", id="backend-missing"),
        pytest.param(k8s.ingress_world(5, 10), ingress_target(green_order=5), "targets[0].green_order=5 would not put green first", id="green-order-tie-loses"),
        pytest.param(k8s.ingress_world(-1000, 10), ingress_target(), "blue's group.order - 1 = -1001 is outside -1000..1000; set targets[0].green_order",
                     id="no-room-below-blue"),
        pytest.param(k8s.ingress_world(5, 4), ingress_target(previous="3"), "targets[0].previous=3 would not put blue first", id="previous-keeps-green-first"),
    ],
)
def test_ingress_verification_failures(world, target, reason):
    state = "blue" if target.get("previous") else "green"
    client = k8s.FakeK8s(world)
    with pytest.raises(VerificationFailed) as caught:
        verify_targets(Cluster(client), parse_targets([target]), settings(state))
    assert reason in str(caught.value)
    assert client.patches == []


def test_every_failing_target_is_listed_and_passing_ones_are_not():
    world = k8s.service_world(green_ready=False) + k8s.ingress_world() + [k8s.service("prod", "other", {"app": "backend", "version": "blue"})]
    targets = [service_target(), ingress_target(), service_target(name="other", min_ready=2), service_target(name="missing")]
    with pytest.raises(VerificationFailed) as caught:
        verify(world, targets)
    failures = caught.value.details["failures"]
    assert [failure["target"] for failure in failures] == ["targets[0]", "targets[2]", "targets[3]"]
    assert str(caught.value).startswith("Nothing was switched: 3 of 4 targets failed verification for state=green:\n- targets[0] (Service prod/backend): ")
    assert "- targets[3] (Service prod/missing): Service prod/missing does not exist" in str(caught.value)


def test_argocd_self_heal_refuses_and_gitops_frozen_lets_it_pass():
    world = k8s.service_world(service_extra={"annotations": {"argocd.argoproj.io/tracking-id": "backend:/Service:prod/backend"}})
    world += [k8s.application("backend", self_heal=True)]
    with pytest.raises(VerificationFailed, match="Argo CD would revert the flip within seconds"):
        verify(world, [service_target()], argocd=True)
    _failures, (plan,) = verify(world, [service_target()], argocd=True, gitops_frozen=True)
    assert plan.verify["argocd"] == {"application": "argocd/backend", "self_heal": True, "found": True, "gitops_frozen": True}


def test_a_noop_on_a_self_healed_object_is_not_refused_but_reports_who_tracks_it():
    # Nothing is edited, so nothing to refuse; the tracking still tells the caller Git may declare the old value.
    world = k8s.service_world(selector_value="green", service_extra={"labels": {"app.kubernetes.io/instance": "backend"}})
    world += [k8s.application("backend", self_heal=True)]
    _cluster, (plan,) = verify(world, [service_target()], argocd=True)  # a refusal would raise
    assert plan.noop
    assert plan.verify["argocd"]["application"].endswith("backend") and plan.verify["argocd"]["self_heal"] is True
