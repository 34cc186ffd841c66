"""The front door's live routing tables: the ALB listener rules and target groups from moto (polled:
ELBv2 has no watch), Services and EndpointSlices from the API server (watched, behind kube-proxy's lag)."""

import logging
import threading

from kubernetes.client import CoreV1Api, DiscoveryV1Api

from ecoeco_sandbox.frontdoor.informer import Informer
from ecoeco_sandbox.frontdoor.lagged import Lagged
from ecoeco_sandbox.frontdoor.routing import endpoints_by_node_port, rules_from_listener

LOG = logging.getLogger("ecoeco_sandbox.frontdoor.view")
LISTENER_PORT = 80


class RoutingView:
    """``rules()``, ``node_ports()`` and ``endpoints()`` as of now; ``run(stop)`` keeps them fresh."""

    def __init__(self, api_client, elbv2, load_balancer_name, kube_proxy_lag, alb_poll_interval=0.1):
        self._elbv2 = elbv2
        self._load_balancer_name = load_balancer_name
        self._alb_poll_interval = alb_poll_interval
        self._rules = []
        self._node_ports = {}
        self._endpoints = Lagged({}, kube_proxy_lag)
        self._services = []
        self._slices = []
        self._lock = threading.Lock()
        core, discovery = CoreV1Api(api_client), DiscoveryV1Api(api_client)
        self._informers = [
            Informer(core.list_service_for_all_namespaces, self._services_changed),
            Informer(discovery.list_endpoint_slice_for_all_namespaces, self._slices_changed),
        ]

    def rules(self):
        return self._rules

    def node_ports(self):
        return self._node_ports

    def endpoints(self):
        return self._endpoints.get()

    def run(self, stop):
        """Start the watches and poll the ALB until ``stop`` is set."""
        threads = [threading.Thread(target=informer.run, args=(stop,), daemon=True, name="frontdoor-watch") for informer in self._informers]
        for thread in threads:
            thread.start()
        listener_arn = None
        while not stop.is_set():
            try:
                listener_arn = listener_arn or self._listener_arn()
                if listener_arn:
                    self._refresh_alb(listener_arn)
            except Exception as error:  # pylint: disable=broad-except  # the ALB may be recreated; look it up again
                LOG.debug("ALB read failed: %s", error)
                listener_arn = None
            stop.wait(self._alb_poll_interval)
        for informer in self._informers:
            informer.stop()

    def _listener_arn(self):
        try:
            balancers = self._elbv2.describe_load_balancers(Names=[self._load_balancer_name])["LoadBalancers"]
        except self._elbv2.exceptions.LoadBalancerNotFoundException:
            return None
        for listener in self._elbv2.describe_listeners(LoadBalancerArn=balancers[0]["LoadBalancerArn"])["Listeners"]:
            if listener["Port"] == LISTENER_PORT:
                return listener["ListenerArn"]
        return None

    def _refresh_alb(self, listener_arn):
        pages = self._elbv2.get_paginator("describe_rules").paginate(ListenerArn=listener_arn)
        rules = rules_from_listener([rule for page in pages for rule in page["Rules"]])
        unknown = {rule.target_group_arn for rule in rules if rule.target_group_arn} - set(self._node_ports)
        if unknown:
            groups = self._elbv2.describe_target_groups(TargetGroupArns=sorted(unknown))["TargetGroups"]
            self._node_ports = dict(self._node_ports, **{group["TargetGroupArn"]: group["Port"] for group in groups})
        self._rules = rules

    def _services_changed(self, services):
        with self._lock:
            self._services = services
            self._endpoints.set(endpoints_by_node_port(self._services, self._slices))

    def _slices_changed(self, slices):
        with self._lock:
            self._slices = slices
            self._endpoints.set(endpoints_by_node_port(self._services, self._slices))
