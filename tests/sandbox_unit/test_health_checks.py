"""The ALB's health checks in the sandbox: TargetGroupBinding -> Service NodePort -> Ready endpoints -> health."""

import json
from types import SimpleNamespace

from ecoeco_sandbox.aws.health_checks import HealthChecks, bound_node_ports
from ecoeco_sandbox.aws.target_health import HealthRegistry


def binding(namespace, arn, service, port):
    return {"metadata": {"namespace": namespace, "name": service + "-tgb"},
            "spec": {"targetGroupARN": arn, "serviceRef": {"name": service, "port": port}, "targetType": "instance"}}


def service(namespace, name, node_port):
    return {"metadata": {"namespace": namespace, "name": name},
            "spec": {"type": "NodePort", "ports": [{"name": "http", "port": 8000, "nodePort": node_port}]}}


def endpoint_slice(namespace, service_name, ready):
    return {"metadata": {"namespace": namespace, "name": service_name + "-x", "labels": {"kubernetes.io/service-name": service_name}},
            "ports": [{"name": "http", "port": 8000}],
            "endpoints": [{"addresses": ["10.244.1.7"], "conditions": {"ready": ready}, "targetRef": {"name": "pod-1"}}]}


def test_binding_finds_the_node_port_by_service_port_number_or_name():
    services = [service("auth", "auth-api", 30001), service("api", "auth-api", 30002)]
    bindings = [binding("auth", "tg-green", "auth-api", 8000), binding("api", "tg-blue", "auth-api", "http"),
                binding("api", "tg-missing", "gone-api", 8000), binding("auth", "tg-wrong-port", "auth-api", 9000)]
    assert bound_node_ports(bindings, services) == {"tg-green": 30001, "tg-blue": 30002, "tg-missing": None, "tg-wrong-port": None}


class Listing:
    """One ``list_*`` call of the kubernetes client answering with ``items`` (as ``_preload_content=False`` does)."""

    def __init__(self, items):
        self.items = items

    def __call__(self, *_args, **_kwargs):
        return SimpleNamespace(data=json.dumps({"items": self.items}).encode())


def health_checks(now, bindings, services, slices, registry):
    core = SimpleNamespace(list_service_for_all_namespaces=Listing(services))
    custom_objects = SimpleNamespace(list_cluster_custom_object=Listing(bindings))
    discovery = SimpleNamespace(list_endpoint_slice_for_all_namespaces=Listing(slices))
    return HealthChecks(core, custom_objects, discovery, healthy_after=1.0, clock=lambda: now[0], registry=registry), discovery


def test_a_group_turns_healthy_after_its_service_is_ready_long_enough_and_is_forgotten_when_unbound():
    registry, now = HealthRegistry(), [100.0]
    bindings = [binding("auth", "tg-green", "auth-api", 8000)]
    checks, discovery = health_checks(now, bindings, [service("auth", "auth-api", 30001)], [endpoint_slice("auth", "auth-api", False)], registry)

    checks.check()
    assert registry.get("tg-green").state == "initial"
    now[0] += 1.5
    checks.check()
    assert registry.get("tg-green").state == "unhealthy"  # no Ready endpoint once the initial period is over

    discovery.list_endpoint_slice_for_all_namespaces.items = [endpoint_slice("auth", "auth-api", True)]
    checks.check()
    assert registry.get("tg-green").state == "unhealthy"  # Ready, but not yet for HealthyThresholdCount checks
    now[0] += 1.0
    checks.check()
    assert registry.get("tg-green").state == "healthy"

    bindings.clear()
    checks.check()
    assert registry.get("tg-green") is None
