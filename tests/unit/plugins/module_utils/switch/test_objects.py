import pytest

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.objects import (
    backend_services,
    desired_replicas,
    endpoint_addresses,
    evaluated_first,
    group_order,
    host_paths,
    parse_group_order,
    pod_is_ready,
    selector_string,
)
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.targets import ObjectRef
from ansible_collections.ecoeco.bluegreen.tests.unit.plugins.module_utils.switch import fake_k8s as k8s


@pytest.mark.parametrize("text, order", [("0", 0), ("-1000", -1000), ("1000", 1000), ("+7", 7), ("007", 7)])
def test_group_order_parses_like_the_controller(text, order):
    assert parse_group_order(text) == order


@pytest.mark.parametrize("text", ["", "1.5", " 1", "1_0", "1001", "-1001", "ten", None])
def test_group_order_the_controller_would_refuse(text):
    with pytest.raises(ValueError):
        parse_group_order(text)


def test_unset_group_order_is_zero():
    assert group_order(k8s.ingress("api", "auth-api", order=None)) == 0


@pytest.mark.parametrize(
    "blue, blue_order, green, green_order, first",
    [
        pytest.param(("api", "x"), 5, ("auth", "x"), 4, "green", id="lower-order-wins"),
        pytest.param(("api", "x"), 5, ("auth", "x"), 6, "blue", id="higher-order-loses"),
        pytest.param(("api", "x"), 0, ("auth", "x"), 0, "blue", id="tie-lexically-smaller-namespace"),
        pytest.param(("b", "x"), 0, ("a", "z"), 0, "green", id="tie-namespace-before-name"),
        # The controller compares the string "namespace/name": "a-b/x" < "a/x" because "-" < "/".
        pytest.param(("a", "x"), 0, ("a-b", "x"), 0, "green", id="tie-compares-the-joined-string"),
    ],
)
def test_evaluated_first(blue, blue_order, green, green_order, first):
    assert evaluated_first(ObjectRef(*blue), blue_order, ObjectRef(*green), green_order) == first


def test_host_paths_and_backends():
    ingress = k8s.ingress("auth", "auth-api", paths=(("", "/a"), ("example.com", "/b")), backend="auth-api")
    ingress["spec"]["rules"][0]["http"]["paths"].append(
        {"path": "/redirect", "backend": {"service": {"name": "ssl-redirect", "port": {"name": "use-annotation"}}}})
    ingress["spec"]["defaultBackend"] = {"service": {"name": "fallback", "port": {"number": 80}}}
    assert host_paths(ingress) == {("", "/a"), ("", "/redirect"), ("example.com", "/b")}
    assert backend_services(ingress) == ["auth-api", "fallback"]


@pytest.mark.parametrize(
    "conditions, ready",
    [
        pytest.param({"ready": True}, True, id="ready"),
        pytest.param({}, True, id="unknown-counts-as-ready"),
        pytest.param({"ready": False, "terminating": True}, False, id="terminating"),
    ],
)
def test_endpoint_ready_condition(conditions, ready):
    slices = [{"endpoints": [{"addresses": ["10.0.0.1"], "conditions": conditions}]}]
    assert endpoint_addresses(slices) == (({"10.0.0.1"} if ready else set()), {"10.0.0.1"})


@pytest.mark.parametrize(
    "mutate, ready",
    [
        pytest.param(lambda pod: None, True, id="ready"),
        pytest.param(lambda pod: pod["status"]["conditions"][0].update(status="False"), False, id="not-ready"),
        pytest.param(lambda pod: pod["status"].pop("podIP"), False, id="no-ip"),
        pytest.param(lambda pod: pod["metadata"].update(deletionTimestamp="2025-01-01T00:00:00Z"), False, id="deleting"),
    ],
)
def test_pod_is_ready(mutate, ready):
    pod = k8s.pods("prod", "p", {"app": "x"}, 1)[0]
    mutate(pod)
    assert pod_is_ready(pod) is ready


def test_desired_replicas_of_matching_templates():
    deployments = [
        k8s.deployment("prod", "backend-green", {"app": "backend", "version": "green"}, 3),
        k8s.deployment("prod", "backend-green-canary", {"app": "backend", "version": "green", "track": "canary"}, 1),
        k8s.deployment("prod", "backend-blue", {"app": "backend", "version": "blue"}, 2),
    ]
    del deployments[1]["spec"]["replicas"]  # unset replicas means 1
    assert desired_replicas(deployments, {"app": "backend", "version": "green"}) == (4, ["backend-green", "backend-green-canary"])
    assert desired_replicas(deployments, {}) == (0, [])


def test_selector_string_is_sorted():
    assert selector_string({"version": "green", "app": "backend"}) == "app=backend,version=green"
