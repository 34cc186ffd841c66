"""A fake Kubernetes API server behind a real ``kubernetes.client.ApiClient`` (its REST layer replaced).

Only what the stand-in Load Balancer Controller calls is served: the four lists and the Ingress status
patch (merge patch only, as the real server would reject a JSON patch with an object body).
Objects are the API's JSON as dicts, built with the helpers below.
"""

import json
from urllib.parse import urlparse

from kubernetes import client
from kubernetes.client.exceptions import ApiException

LISTS = {
    "/apis/networking.k8s.io/v1/ingresses": "ingresses",
    "/api/v1/services": "services",
    "/apis/discovery.k8s.io/v1/endpointslices": "endpointslices",
    "/api/v1/nodes": "nodes",
}
KINDS = {"Ingress": "ingresses", "Service": "services", "EndpointSlice": "endpointslices", "Node": "nodes"}


class FakeResponse:
    """Just enough of urllib3's response for ApiClient."""

    def __init__(self, payload):
        self.status = 200
        self.reason = "OK"
        self.data = json.dumps(payload).encode()

    def getheader(self, name, default=None):
        return "application/json" if name.lower() == "content-type" else default

    def getheaders(self):
        return {"content-type": "application/json"}


class FakeApiServer:
    """Objects by kind and (namespace, name); records status patches."""

    def __init__(self):
        self.objects = {kind: {} for kind in LISTS.values()}
        self.status_patches = []
        self.api_client = client.ApiClient(client.Configuration(host="http://fake-apiserver"))
        self.api_client.rest_client = self

    def put(self, *objects):
        for obj in objects:
            metadata = obj["metadata"]
            self.objects[KINDS[obj["kind"]]][(metadata.get("namespace"), metadata["name"])] = obj

    def delete(self, kind, namespace, name):
        del self.objects[kind][(namespace, name)]

    def get(self, kind, namespace, name):
        return self.objects[kind][(namespace, name)]

    def GET(self, url, **_kwargs):  # pylint: disable=invalid-name  # RESTClientObject's interface
        return FakeResponse({"items": list(self.objects[LISTS[urlparse(url).path]].values())})

    def PATCH(self, url, headers=None, body=None, **_kwargs):  # pylint: disable=invalid-name
        parts = urlparse(url).path.split("/")
        if parts[-1] != "status" or parts[-3] != "ingresses":
            raise ApiException(status=404, reason="Not Found")
        if (headers or {}).get("Content-Type") != "application/merge-patch+json":
            raise ApiException(status=415, reason="Unsupported Media Type")
        ingress = self.get("ingresses", parts[-4], parts[-2])
        ingress["status"] = body["status"]
        self.status_patches.append((parts[-4], parts[-2], body))
        return FakeResponse(ingress)


def ingress(namespace, name, paths, group=None, order=None, lb_name=None, host=None, class_name="alb", annotations=None):
    """Ingress with one rule; ``paths`` = [(path, pathType, service, port)]."""
    metadata_annotations = dict(annotations or {})
    for key, value in (("group.name", group), ("group.order", order), ("load-balancer-name", lb_name)):
        if value is not None:
            metadata_annotations["alb.ingress.kubernetes.io/" + key] = str(value)
    rule = {"http": {"paths": [
        {"path": path, "pathType": path_type, "backend": {"service": {"name": service, "port": {"number": port}}}}
        for path, path_type, service, port in paths
    ]}}
    if host:
        rule["host"] = host
    spec = {"rules": [rule]}
    if class_name:
        spec["ingressClassName"] = class_name
    return {"kind": "Ingress", "metadata": {"namespace": namespace, "name": name, "annotations": metadata_annotations}, "spec": spec}


def service(namespace, name, port=8000, node_port=30080, service_type="NodePort"):
    """Service with one port."""
    port_spec = {"name": "http", "port": port, "targetPort": port, "protocol": "TCP"}
    if service_type in ("NodePort", "LoadBalancer"):
        port_spec["nodePort"] = node_port
    return {"kind": "Service", "metadata": {"namespace": namespace, "name": name}, "spec": {"type": service_type, "ports": [port_spec]}}


def endpoint_slice(namespace, service_name, ready):
    """EndpointSlice of ``service_name`` with one endpoint per entry of ``ready`` (True, False or None = unset)."""
    endpoints = []
    for index, is_ready in enumerate(ready):
        endpoint = {"addresses": [f"10.244.0.{index + 10}"]}
        if is_ready is not None:
            endpoint["conditions"] = {"ready": is_ready}
        endpoints.append(endpoint)
    return {
        "kind": "EndpointSlice",
        "metadata": {"namespace": namespace, "name": f"{service_name}-abcde", "labels": {"kubernetes.io/service-name": service_name}},
        "addressType": "IPv4", "endpoints": endpoints,
    }


def node(name, *labels):
    """Node with the given label keys (value empty)."""
    return {"kind": "Node", "metadata": {"name": name, "labels": {label: "" for label in labels}}}
