# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure readers of Kubernetes object dicts: selectors, readiness, EndpointSlices and ALB IngressGroups.

Nothing here talks to the API server, so every rule the switch relies on is testable on plain dicts.
"""

import re

GROUP_NAME = "alb.ingress.kubernetes.io/group.name"
GROUP_ORDER = "alb.ingress.kubernetes.io/group.order"
SERVICE_NAME_LABEL = "kubernetes.io/service-name"

# The AWS Load Balancer Controller's own limits and default (pkg/ingress/group_loader.go).
GROUP_ORDER_MIN = -1000
GROUP_ORDER_MAX = 1000
GROUP_ORDER_DEFAULT = 0
# strconv.ParseInt accepts an optional sign and decimal digits only; Python's int() is laxer.
_GROUP_ORDER_SYNTAX = re.compile(r"^[+-]?[0-9]+$")
# An ALB action backend (port name use-annotation) names an annotation, not a Service.
_ACTION_BACKEND_PORT = "use-annotation"


def parse_group_order(text):
    """The integer the controller reads from a group.order annotation value; ValueError if it would refuse it."""
    if not isinstance(text, str) or not _GROUP_ORDER_SYNTAX.match(text):
        raise ValueError("group.order {0!r} is not an integer".format(text))
    order = int(text)
    if not GROUP_ORDER_MIN <= order <= GROUP_ORDER_MAX:
        raise ValueError("group.order {0} is outside {1}..{2}".format(order, GROUP_ORDER_MIN, GROUP_ORDER_MAX))
    return order


def value_at(obj, path):
    """The value at ``path`` (a sequence of keys) in an object dict, or None where any key is missing."""
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def annotations(obj):
    return value_at(obj, ("metadata", "annotations")) or {}


def labels(obj):
    return value_at(obj, ("metadata", "labels")) or {}


def group_order_annotation(ingress):
    """The raw group.order annotation, or None when it is unset (the controller then uses 0)."""
    return annotations(ingress).get(GROUP_ORDER)


def group_order(ingress):
    text = group_order_annotation(ingress)
    return GROUP_ORDER_DEFAULT if text is None else parse_group_order(text)


def evaluated_first(blue_ref, blue_order, green_ref, green_order):
    """Which of two Ingresses of one group the ALB evaluates first: V(blue) or V(green).

    The controller sorts by order, then by the string "namespace/name" (not by the pair), and
    gives the first Ingress the higher ALB rule priority for the same host and path.
    """
    blue_key = (blue_order, "{0}/{1}".format(blue_ref.namespace, blue_ref.name))
    green_key = (green_order, "{0}/{1}".format(green_ref.namespace, green_ref.name))
    return "green" if green_key < blue_key else "blue"


def host_paths(ingress):
    """Every (host, path) pair the Ingress routes; host "" means any host."""
    pairs = set()
    for rule in value_at(ingress, ("spec", "rules")) or []:
        for path in value_at(rule, ("http", "paths")) or []:
            pairs.add((rule.get("host") or "", path.get("path") or ""))
    return pairs


def backend_service_refs(ingress):
    """The ``service`` backends ({name, port}) the Ingress sends traffic to, in the Ingress's namespace, without
    duplicates and without ALB action backends (port name use-annotation), in the order the Ingress lists them."""
    backends = []
    for rule in value_at(ingress, ("spec", "rules")) or []:
        backends.extend(path.get("backend") for path in value_at(rule, ("http", "paths")) or [])
    backends.append(value_at(ingress, ("spec", "defaultBackend")))
    refs = []
    for backend in backends:
        service = value_at(backend, ("service",))
        if service and service.get("name") and value_at(service, ("port", "name")) != _ACTION_BACKEND_PORT and service not in refs:
            refs.append(service)
    return refs


def backend_services(ingress):
    """Names of the Services the Ingress sends traffic to (same namespace as the Ingress), sorted."""
    return sorted({service["name"] for service in backend_service_refs(ingress)})


def load_balancer_hostnames(ingress):
    entries = value_at(ingress, ("status", "loadBalancer", "ingress")) or []
    return {entry["hostname"] for entry in entries if entry.get("hostname")}


def selector_string(selector):
    """A label selector for the API's labelSelector query parameter."""
    return ",".join("{0}={1}".format(key, value) for key, value in sorted(selector.items()))


def selector_matches(selector, candidate_labels):
    return all(candidate_labels.get(key) == value for key, value in selector.items())


def desired_replicas(deployments, selector):
    """Replicas wanted by the Deployments whose pod template the selector matches, and their names."""
    total, names = 0, []
    for deployment in deployments:
        template_labels = value_at(deployment, ("spec", "template", "metadata", "labels")) or {}
        if selector and selector_matches(selector, template_labels):
            replicas = value_at(deployment, ("spec", "replicas"))
            total += 1 if replicas is None else replicas
            names.append(deployment["metadata"]["name"])
    return total, sorted(names)


def pod_is_ready(pod):
    """Ready condition True, an IP, and not being deleted: what the EndpointSlice controller serves."""
    status = pod.get("status") or {}
    if value_at(pod, ("metadata", "deletionTimestamp")) or not status.get("podIP"):
        return False
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])


def pod_ips(pods):
    ips = set()
    for pod in pods:
        status = pod.get("status") or {}
        ips.update(entry["ip"] for entry in status.get("podIPs") or [] if entry.get("ip"))
        if status.get("podIP"):
            ips.add(status["podIP"])
    return ips


def endpoint_addresses(slices):
    """(ready, all) addresses across EndpointSlices; a missing ready condition means ready (API contract)."""
    ready, every = set(), set()
    for endpoint_slice in slices:
        for endpoint in endpoint_slice.get("endpoints") or []:
            addresses = set(endpoint.get("addresses") or [])
            every |= addresses
            if value_at(endpoint, ("conditions", "ready")) is not False:
                ready |= addresses
    return ready, every
