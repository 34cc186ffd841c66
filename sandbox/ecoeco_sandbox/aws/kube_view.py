"""What the stand-in Load Balancer Controller reads from and writes to Kubernetes.

Lists go through the kubernetes python client with ``_preload_content=False`` and are kept as the
API's JSON (plain dicts): the controller polls several times a second and model objects are slow.
"""

import json
from dataclasses import dataclass

from kubernetes import client

SERVICE_NAME_LABEL = "kubernetes.io/service-name"
# Nodes the real controller leaves out of instance target groups.
EXCLUDED_NODE_LABELS = (
    "node-role.kubernetes.io/control-plane",
    "node-role.kubernetes.io/master",
    "node.kubernetes.io/exclude-from-external-load-balancers",
)
MERGE_PATCH = "application/merge-patch+json"


@dataclass
class Snapshot:
    """One read of the cluster: Ingresses, Services by (namespace, name), Ready endpoint counts, Nodes."""

    ingresses: list
    services: dict
    ready_endpoints: dict
    nodes: list

    def target_node_names(self):
        """Names of the nodes that become targets, sorted."""
        return sorted(
            node["metadata"]["name"] for node in self.nodes
            if not any(label in (node["metadata"].get("labels") or {}) for label in EXCLUDED_NODE_LABELS)
        )

    def has_ready_endpoint(self, namespace, service):
        """True when Service ``namespace/service`` has at least one Ready endpoint."""
        return self.ready_endpoints.get((namespace, service), 0) > 0

    def ingress_hostname(self, namespace, name):
        """``status.loadBalancer.ingress[0].hostname`` of an Ingress, or None."""
        for ingress in self.ingresses:
            metadata = ingress["metadata"]
            if (metadata.get("namespace"), metadata["name"]) == (namespace, name):
                entries = ((ingress.get("status") or {}).get("loadBalancer") or {}).get("ingress") or [{}]
                return entries[0].get("hostname")
        return None


def count_ready_endpoints(endpoint_slices):
    """{(namespace, service): Ready endpoints}; an unset ``ready`` condition means ready (API contract)."""
    counts = {}
    for endpoint_slice in endpoint_slices:
        metadata = endpoint_slice["metadata"]
        service = (metadata.get("labels") or {}).get(SERVICE_NAME_LABEL)
        if not service:
            continue
        ready = sum(1 for endpoint in endpoint_slice.get("endpoints") or [] if (endpoint.get("conditions") or {}).get("ready") is not False)
        key = (metadata.get("namespace"), service)
        counts[key] = counts.get(key, 0) + ready
    return counts


def _items(list_call):
    response = list_call(_preload_content=False)
    return json.loads(response.data)["items"]


class KubeView:
    """Reads a Snapshot and writes Ingress status through a ``kubernetes.client.ApiClient``."""

    def __init__(self, api_client):
        self._core = client.CoreV1Api(api_client)
        self._networking = client.NetworkingV1Api(api_client)
        self._discovery = client.DiscoveryV1Api(api_client)

    def snapshot(self):
        """List Ingresses, Services, EndpointSlices (all namespaces) and Nodes."""
        services = _items(self._core.list_service_for_all_namespaces)
        return Snapshot(
            ingresses=_items(self._networking.list_ingress_for_all_namespaces),
            services={(s["metadata"]["namespace"], s["metadata"]["name"]): s for s in services},
            ready_endpoints=count_ready_endpoints(_items(self._discovery.list_endpoint_slice_for_all_namespaces)),
            nodes=_items(self._core.list_node),
        )

    def set_ingress_hostname(self, namespace, name, hostname):
        """Set ``status.loadBalancer.ingress`` of an Ingress to ``[{hostname}]`` (status subresource)."""
        body = {"status": {"loadBalancer": {"ingress": [{"hostname": hostname}]}}}
        # The client would pick json-patch for a dict body, which the API server rejects.
        self._networking.patch_namespaced_ingress_status(name, namespace, body, _content_type=MERGE_PATCH)
