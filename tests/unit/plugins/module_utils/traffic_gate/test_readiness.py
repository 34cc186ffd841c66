"""What serves behind the gate's routes: the named Deployments rolled out, every admitted backend Service with a Ready endpoint."""

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.targets import ObjectRef
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.traffic_gate import readiness


def deployment(namespace, name, available=2, replicas=2):
    return {"metadata": {"namespace": namespace, "name": name, "generation": 1},
            "spec": {"replicas": replicas},
            "status": {"observedGeneration": 1, "replicas": replicas, "updatedReplicas": replicas, "availableReplicas": available}}


def endpoint_slice(namespace, service, *ready):
    return {"metadata": {"namespace": namespace, "name": service + "-x", "labels": {"kubernetes.io/service-name": service}},
            "endpoints": [{"addresses": ["10.0.0.{0}".format(i)], "conditions": {} if state is None else {"ready": state}}
                          for i, state in enumerate(ready)]}


BACKENDS = [{"key": "auth/green", "service": "auth/auth-api", "node_port": 30002, "missing": False},
            {"key": "auth/green", "service": "auth/auth-api", "node_port": 30003, "missing": False},
            {"key": "chat/green", "service": "chat/chat-api", "node_port": 30004, "missing": False},
            {"key": "chat/blue", "service": "chat/chat-api", "node_port": 30004, "missing": False}]


def test_deployments_missing_and_not_rolled_out_are_told_apart_and_each_named():
    found = [deployment("auth", "auth-api"), deployment("chat", "chat-api", available=1), deployment("other", "user-api")]
    missing, pending = readiness.deployment_problems(found, [ObjectRef("auth", "auth-api"), ObjectRef("chat", "chat-api"),
                                                             ObjectRef("user", "user-api")])
    assert missing == ["Deployment user/user-api does not exist"]
    assert pending == ["Deployment chat/chat-api is not fully available: "
                       "1 of 2 replicas available, 2 updated, 2 running, generation 1 of 1 observed"]


def test_the_services_of_the_backends_once_each_with_every_route_side_they_serve():
    assert readiness.backend_services(BACKENDS) == {"auth/auth-api": ["auth/green"], "chat/chat-api": ["chat/green", "chat/blue"]}


def test_one_selector_for_every_service_name():
    assert readiness.service_name_selector({"auth/auth-api": [], "chat/auth-api": [], "chat/chat-api": []}) == (
        "kubernetes.io/service-name in (auth-api,chat-api)")


def test_only_endpoints_ready_true_count_and_only_in_the_services_own_namespace():
    services = readiness.backend_services(BACKENDS)
    slices = [endpoint_slice("auth", "auth-api", True, False, None), endpoint_slice("auth", "auth-api", True),
              endpoint_slice("other", "chat-api", True), endpoint_slice("chat", "chat-api", False),
              {"metadata": {"namespace": "chat", "name": "unlabelled"}, "endpoints": None}]
    counts = readiness.ready_endpoints(slices, services)
    assert counts == {"auth/auth-api": 2, "chat/chat-api": 0}
    assert readiness.endpoint_problems(counts, services) == [
        "green/blue Service chat/chat-api has no Ready endpoint (backend of chat/green, chat/blue)"]


def test_a_service_without_any_endpoint_slice_has_no_ready_endpoint():
    services = {"auth/auth-api": ["auth/green"]}
    counts = readiness.ready_endpoints([], services)
    assert counts == {"auth/auth-api": 0}
    assert readiness.endpoint_problems(counts, services) == ["green Service auth/auth-api has no Ready endpoint (backend of auth/green)"]
