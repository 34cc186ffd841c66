"""One ``bluegreen_switch`` over N Service targets (7, 50, 200): how its time and API requests grow.

The N Services in namespace ``bench-scale`` share one blue and one green Deployment (2 pods each),
so the cluster stays small while the module does its per-target work N times.
"""

import time

from kubernetes.client import DiscoveryV1Api

from bench.switch_fixture import REPLICAS, _untracked
from ecoeco_sandbox import blue_state
from ecoeco_sandbox.kube import wait_for

NAMESPACE = "bench-scale"
APP = "scale-api"


def manifests(count):
    objects = [blue_state.namespace(NAMESPACE)]
    for version in ("blue", "green"):
        deployment = _untracked(blue_state.deployment("scale", NAMESPACE, version=version, replicas=REPLICAS))
        deployment["metadata"]["name"] = "{0}-{1}".format(APP, version)
        objects.append(deployment)
    for index in range(1, count + 1):
        service = _untracked(blue_state.service("scale", NAMESPACE))
        service["metadata"]["name"] = "s{0:03d}".format(index)
        service["spec"]["type"] = "ClusterIP"
        objects.append(service)
    return objects


def targets(count):
    return [{"kind": "service", "namespace": NAMESPACE, "name": "s{0:03d}".format(i), "blue_value": "blue", "green_value": "green"}
            for i in range(1, count + 1)]


def prepare(sandbox, count):
    for obj in manifests(count):
        sandbox.apply(obj)
    discovery = DiscoveryV1Api(sandbox.api)

    def every_service_has_blue_endpoints():
        ready = {}
        for endpoint_slice in discovery.list_namespaced_endpoint_slice(NAMESPACE).items:
            name = (endpoint_slice.metadata.labels or {}).get("kubernetes.io/service-name")
            ready[name] = ready.get(name, 0) + sum(1 for e in endpoint_slice.endpoints or [] if e.conditions.ready)
        return all(ready.get("s{0:03d}".format(i), 0) >= REPLICAS for i in range(1, count + 1))

    wait_for(every_service_has_blue_endpoints, 300, "{0} Services with their blue endpoints".format(count))


def switch_at_scale(sandbox, count, idle_rate, module_args=None):
    """Switch N targets to green and back; figures per direction. ``module_args`` are added to each call."""
    prepare(sandbox, count)
    rows = []
    for state in ("green", "blue"):
        before = sandbox.request_counts()
        started = time.monotonic()
        wall, result = sandbox.module("ecoeco.bluegreen.bluegreen_switch", dict({"state": state, "targets": targets(count)}, **(module_args or {})))
        elapsed = time.monotonic() - started
        after = sandbox.request_counts()
        background = sum(idle_rate.values()) * elapsed
        requests = max(0.0, sum(after.get(k, 0) - before.get(k, 0) for k in after) - background)
        rows.append({"targets": count, "state": state, "ansible_wall_s": round(wall, 2), "module_ms": result["timings_ms"],
                     "api_requests": round(requests), "api_requests_per_target": round(requests / count, 1)})
    sandbox.kubectl("delete", "namespace", NAMESPACE, "--wait=true", "--timeout=180s")
    return rows
