"""The ALB's health checks, which cannot run here: each target group's health decided from the cluster.

The AWS Load Balancer Controller binds every target group it makes to a Service with a TargetGroupBinding
(``spec.targetGroupARN``, ``spec.serviceRef``). In instance mode each target is a node's NodePort, and kube-proxy
forwards it to any Ready endpoint of the Service (``externalTrafficPolicy: Cluster``), so every target of a group
shares one health: whether the Service has had a Ready endpoint long enough (``HealthTracker``). The result goes to
the moto patch that answers ``describe_target_health`` (``target_health.REGISTRY``).
"""

import json
import logging
import time

from ecoeco_sandbox.frontdoor.routing import endpoints_by_node_port

from .health_tracker import HealthTracker
from .target_health import REGISTRY

LOG = logging.getLogger("ecoeco_sandbox.aws.health_checks")
TARGET_GROUP_BINDINGS = ("elbv2.k8s.aws", "v1beta1", "targetgroupbindings")


def bound_node_ports(bindings, services):
    """Target group ARN -> the NodePort its targets listen on (None when the Service or its port is missing)."""
    by_key = {(s["metadata"]["namespace"], s["metadata"]["name"]): s for s in services}
    node_ports = {}
    for binding in bindings:
        spec = binding.get("spec") or {}
        reference = spec.get("serviceRef") or {}
        service = by_key.get((binding["metadata"]["namespace"], reference.get("name")))
        ports = ((service or {}).get("spec") or {}).get("ports") or []
        wanted = reference.get("port")
        port = next((p for p in ports if p.get("port") == wanted or (p.get("name") and p.get("name") == wanted)), None)
        node_ports[spec.get("targetGroupARN")] = (port or {}).get("nodePort")
    return node_ports


class HealthChecks:
    """``check()`` reads the bindings, Services and EndpointSlices once and publishes every group's health."""

    def __init__(self, core, custom_objects, discovery, healthy_after=1.0, clock=time.monotonic, registry=REGISTRY):
        self._core = core
        self._custom_objects = custom_objects
        self._discovery = discovery
        self._clock = clock
        self._registry = registry
        self._tracker = HealthTracker(healthy_after)
        self._published = set()

    def _list(self, call, *args):
        return json.loads(call(*args, _preload_content=False).data)["items"]

    def check(self):
        bindings = self._list(self._custom_objects.list_cluster_custom_object, *TARGET_GROUP_BINDINGS)
        services = self._list(self._core.list_service_for_all_namespaces)
        endpoints = endpoints_by_node_port(services, self._list(self._discovery.list_endpoint_slice_for_all_namespaces))
        now = self._clock()
        node_ports = bound_node_ports(bindings, services)
        for arn, node_port in node_ports.items():
            self._registry.set(arn, self._tracker.observe(arn, bool(endpoints.get(node_port)), now))
        for gone in self._published - set(node_ports):
            self._registry.forget(gone)
            self._tracker.forget(gone)
        self._published = set(node_ports)

    def run(self, stop, interval=0.25):
        """Check every ``interval`` seconds until ``stop`` is set; a failed round is logged and tried again."""
        while not stop.is_set():
            try:
                self.check()
            except Exception:  # pylint: disable=broad-exception-caught  # the loop must outlive any bad round
                LOG.exception("health check round failed; retrying")
            stop.wait(interval)
