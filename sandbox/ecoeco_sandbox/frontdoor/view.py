"""The front door's live routing tables: the listener rules and target groups of every ALB from moto (polled:
ELBv2 has no watch), Services and EndpointSlices from the API server (watched, behind kube-proxy's lag)."""

import logging
import threading

from kubernetes.client import CoreV1Api, DiscoveryV1Api

from ecoeco_sandbox.frontdoor.albs import AlbPoller
from ecoeco_sandbox.frontdoor.informer import Informer
from ecoeco_sandbox.frontdoor.lagged import Lagged
from ecoeco_sandbox.frontdoor.routing import endpoints_by_node_port

LOG = logging.getLogger("ecoeco_sandbox.frontdoor.view")


class RoutingView:
    """``load_balancers()``, ``rules(name)``, ``node_ports()`` and ``endpoints()`` as of now; ``run(stop)`` keeps
    them fresh."""

    def __init__(self, api_client, elbv2, kube_proxy_lag, alb_poll_interval=0.1):
        self._albs = AlbPoller(elbv2)
        self._alb_poll_interval = alb_poll_interval
        self._endpoints = Lagged({}, kube_proxy_lag)
        self._services = []
        self._slices = []
        self._lock = threading.Lock()
        core, discovery = CoreV1Api(api_client), DiscoveryV1Api(api_client)
        self._informers = [
            Informer(core.list_service_for_all_namespaces, self._services_changed),
            Informer(discovery.list_endpoint_slice_for_all_namespaces, self._slices_changed),
        ]

    def load_balancers(self):
        """Name -> DNS name of every ALB with an HTTP listener."""
        return self._albs.load_balancers

    def rules(self, load_balancer_name):
        return self._albs.rules.get(load_balancer_name, [])

    def node_ports(self):
        return self._albs.node_ports

    def endpoints(self):
        return self._endpoints.get()

    def run(self, stop):
        """Start the watches and poll the ALBs until ``stop`` is set."""
        threads = [threading.Thread(target=informer.run, args=(stop,), daemon=True, name="frontdoor-watch") for informer in self._informers]
        for thread in threads:
            thread.start()
        while not stop.is_set():
            try:
                self._albs.poll()
            except Exception as error:  # pylint: disable=broad-except  # moto restarting, an ALB deleted mid-poll: poll again
                LOG.debug("ALB read failed: %s", error)
            stop.wait(self._alb_poll_interval)
        for informer in self._informers:
            informer.stop()

    def _services_changed(self, services):
        with self._lock:
            self._services = services
            self._endpoints.set(endpoints_by_node_port(self._services, self._slices))

    def _slices_changed(self, slices):
        with self._lock:
            self._slices = slices
            self._endpoints.set(endpoints_by_node_port(self._services, self._slices))
