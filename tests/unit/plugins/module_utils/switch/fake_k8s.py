"""An in-memory stand-in for kubernetes.core's K8SClient, and builders for the objects the switch reads.

Reads and JSON patches behave like the API server where the switch depends on it: a failed
``test`` is HTTP 422 without field causes, dry runs store nothing, unknown kinds raise
ResourceNotFoundError (a CRD that is not installed). EndpointSlices follow the Services and Pods
like the EndpointSlice controller does, until ``freeze_data_plane()`` stops them.
"""

import copy
import json
import re

import jsonpatch
from kubernetes.client.rest import ApiException
from kubernetes.dynamic.exceptions import ConflictError, NotFoundError, ResourceNotFoundError, UnprocessibleEntityError

CORE_KINDS = ("Namespace", "Service", "Pod", "Deployment", "EndpointSlice", "Ingress", "Event")
STRATEGIC_MERGE = "application/strategic-merge-patch+json"
FIRST_NODE_PORT = 30100
ARGO_KINDS = ("Application", "ApplicationSet")
GROUP_NAME = "alb.ingress.kubernetes.io/group.name"
GROUP_ORDER = "alb.ingress.kubernetes.io/group.order"


class FakeResource:
    def __init__(self, kind):
        self.kind = kind


class Answer:
    def __init__(self, data):
        self._data = copy.deepcopy(data)

    def to_dict(self):
        return copy.deepcopy(self._data)


def api_error(error_class, status, reason, body=None):
    exception = ApiException(status=status, reason=reason)
    exception.body = json.dumps(body) if body is not None else None
    exception.headers = {"Content-Type": "application/json"}
    return error_class(exception)


class FakeK8s:
    def __init__(self, *objects, argocd=False):
        self.store = {}
        self.served = set(CORE_KINDS) | (set(ARGO_KINDS) if argocd else set())
        self.patches = []
        self.interfere = {}
        self.frozen_slices = None
        # kind -> f(stored object): what a controller does after a create or a change of spec (a rollout, an admission).
        self.controllers = {}
        self._version = 100
        self._node_ports = iter(range(FIRST_NODE_PORT, FIRST_NODE_PORT + 1000))
        self.add(*objects)

    def add(self, *objects):
        for obj in objects:
            if isinstance(obj, list):
                self.add(*obj)
                continue
            obj = copy.deepcopy(obj)
            self._version += 1
            obj["metadata"]["resourceVersion"] = str(self._version)
            self.store[_key(obj["kind"], obj["metadata"].get("namespace"), obj["metadata"]["name"])] = obj

    def obj(self, kind, namespace, name):
        return self.store[_key(kind, namespace, name)]

    def freeze_data_plane(self):
        """From now on EndpointSlices keep what they hold now, like a stuck EndpointSlice controller."""
        self.frozen_slices = {key: self._slices(*key) for key in self._service_keys()}

    def writes(self):
        return [call for call in self.patches if not call["dry_run"]]

    # The K8SClient surface used by Cluster.

    def resource(self, kind, api_version):
        if kind not in self.served:
            raise ResourceNotFoundError("No matches found for {0}".format({"kind": kind, "api_version": api_version}))
        return FakeResource(kind)

    def get(self, resource, name=None, namespace=None, label_selector=None, field_selector=None, **params):
        if name is not None:
            found = self.store.get(_key(resource.kind, namespace, name))
            if found is None:
                raise api_error(NotFoundError, 404, "Not Found", {"kind": "Status", "message": "{0} {1!r} not found".format(resource.kind, name)})
            return Answer(found)
        wanted = _parse_selector(label_selector)
        if resource.kind == "EndpointSlice":
            items = self._endpoint_slices(namespace)
        else:
            # No namespace lists every namespace, as the API server does.
            items = [obj for (kind, ns, _name), obj in sorted(self.store.items()) if kind == resource.kind and namespace in (None, ns)]
        fields = _parse_selector(field_selector)
        return Answer({"items": [item for item in items if _matches(wanted, item["metadata"].get("labels") or {})
                                 and all(_field(item, path) == value for path, value in fields.items())]})

    def create(self, resource, body, namespace=None, **params):
        key = _key(resource.kind, namespace, body["metadata"]["name"])
        dry_run = params.get("dry_run") == "All"
        self.patches.append({"kind": resource.kind, "namespace": namespace, "name": body["metadata"]["name"], "body": copy.deepcopy(body),
                             "content_type": "create", "dry_run": dry_run})
        if key in self.store:
            raise api_error(ConflictError, 409, "Conflict", {"kind": "Status", "reason": "AlreadyExists", "message": "already exists"})
        created = copy.deepcopy(body)
        created["metadata"].update(uid="uid-{0}".format(self._version), generation=1)
        if resource.kind == "Service" and created["spec"].get("type") in ("NodePort", "LoadBalancer"):
            for port in created["spec"].get("ports") or []:
                port.setdefault("nodePort", next(self._node_ports))
        return self._store(key, created, dry_run, spec_changed=True)

    def patch(self, resource, body, name=None, namespace=None, content_type=None, **params):
        key = _key(resource.kind, namespace, name)
        dry_run = params.get("dry_run") == "All"
        self.patches.append({"kind": resource.kind, "namespace": namespace, "name": name, "body": copy.deepcopy(body),
                             "content_type": content_type, "dry_run": dry_run})
        hooks = self.interfere.get(key)
        if hooks:
            hook = hooks.pop(0)
            if hook is not None:
                hook(self.store[key])
        if key not in self.store:
            raise api_error(NotFoundError, 404, "Not Found", {"kind": "Status", "message": "not found"})
        if content_type == STRATEGIC_MERGE:
            patched = _strategic_merge(self.store[key], body)
            if patched == self.store[key]:
                # A merge that changes nothing stores nothing: the resourceVersion stays.
                return Answer(patched)
            spec_changed = patched.get("spec") != self.store[key].get("spec")
            if spec_changed and "generation" in patched["metadata"]:
                patched["metadata"]["generation"] += 1
            return self._store(key, patched, dry_run, spec_changed)
        try:
            patched = jsonpatch.apply_patch(self.store[key], body)
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException):
            # What the API server answers when a JSON patch cannot be applied: 422 and no field causes.
            raise api_error(UnprocessibleEntityError, 422, "Unprocessable Entity",
                            {"kind": "Status", "reason": "Invalid", "message": "the server rejected our request due to an error in our request"})
        return self._store(key, patched, dry_run, spec_changed=False)

    def _store(self, key, obj, dry_run, spec_changed):
        if dry_run:
            return Answer(obj)
        self._version += 1
        obj["metadata"]["resourceVersion"] = str(self._version)
        self.store[key] = obj
        if spec_changed and key[0] in self.controllers:
            self.controllers[key[0]](obj)
        return Answer(obj)

    # The EndpointSlice controller.

    def _service_keys(self):
        return [(ns, name) for (kind, ns, name) in sorted(self.store) if kind == "Service"]

    def _endpoint_slices(self, namespace):
        slices = []
        for ns, name in self._service_keys():
            if namespace not in (None, ns):
                continue
            slices.extend(self.frozen_slices.get((ns, name), []) if self.frozen_slices is not None else self._slices(ns, name))
        return slices

    def _slices(self, namespace, name):
        selector = self.obj("Service", namespace, name)["spec"].get("selector")
        if not selector:
            return []
        endpoints = []
        for (kind, ns, _name), pod in sorted(self.store.items()):
            if kind == "Pod" and ns == namespace and _matches(selector, pod["metadata"].get("labels") or {}) and pod["status"].get("podIP"):
                ready = any(c["type"] == "Ready" and c["status"] == "True" for c in pod["status"].get("conditions", []))
                endpoints.append({"addresses": [pod["status"]["podIP"]], "conditions": {"ready": ready}})
        return [{"kind": "EndpointSlice", "metadata": {"name": name + "-abcde", "namespace": namespace,
                                                       "labels": {"kubernetes.io/service-name": name}}, "endpoints": endpoints}]


def _strategic_merge(live, patch):
    """Enough of a strategic merge for these tests: maps merge, ``ports`` lists merge by ``port``, other lists are replaced."""
    merged = copy.deepcopy(live)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _strategic_merge(merged[key], value)
        elif key == "ports" and isinstance(merged.get(key), list):
            by_port = {port.get("port"): port for port in merged[key]}
            merged[key] = [dict(by_port.get(port.get("port"), {}), **port) for port in value]
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _key(kind, namespace, name):
    return (kind, namespace, name)


def _field(obj, dotted):
    for part in dotted.split("."):
        obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


def _parse_selector(text):
    """``{key: value}`` of equality terms, ``{key: frozenset(values)}`` of set-based ``key in (a,b)`` terms."""
    if not text:
        return {}
    selector = {}
    for term in re.findall(r"[^,(]+\([^)]*\)|[^,]+", text):
        found = re.fullmatch(r"\s*(\S+)\s+in\s+\(([^)]*)\)\s*", term)
        if found:
            selector[found.group(1)] = frozenset(value.strip() for value in found.group(2).split(","))
        else:
            key, value = term.split("=", 1)
            selector[key] = value
    return selector


def _matches(selector, labels):
    return all(labels.get(key) in value if isinstance(value, frozenset) else labels.get(key) == value for key, value in selector.items())


# Builders.

def namespace(name):
    return {"kind": "Namespace", "metadata": {"name": name}}


def service(ns, name, selector, annotations=None, labels=None):
    return {"kind": "Service", "metadata": {"namespace": ns, "name": name, "annotations": annotations or {}, "labels": labels or {}},
            "spec": {"selector": dict(selector), "ports": [{"port": 8000}]}}


def deployment(ns, name, labels, replicas):
    return {"kind": "Deployment", "metadata": {"namespace": ns, "name": name, "generation": 1},
            "spec": {"replicas": replicas, "selector": {"matchLabels": dict(labels)}, "template": {"metadata": {"labels": dict(labels)}}},
            "status": {"observedGeneration": 1, "replicas": replicas, "updatedReplicas": replicas, "availableReplicas": replicas}}


def pods(ns, prefix, labels, count, ready=True, subnet="10.0.0"):
    """``count`` pods with IPs subnet.1.. ; ``ready`` may be a bool or the number of Ready ones."""
    ready_count = count if ready is True else (0 if ready is False else ready)
    return [{"kind": "Pod", "metadata": {"namespace": ns, "name": "{0}-{1}".format(prefix, index), "labels": dict(labels)},
             "status": {"podIP": "{0}.{1}".format(subnet, index + 1), "podIPs": [{"ip": "{0}.{1}".format(subnet, index + 1)}],
                        "conditions": [{"type": "Ready", "status": "True" if index < ready_count else "False"}]}}
            for index in range(count)]


def ingress(ns, name, group="ecoeco", order=None, paths=(("", "/api/v1/auth"),), backend="auth-api", hostname="ecoeco-alb.example", annotations=None):
    meta_annotations = dict(annotations or {})
    if group is not None:
        meta_annotations[GROUP_NAME] = group
    if order is not None:
        meta_annotations[GROUP_ORDER] = str(order)
    rules = {}
    for host, path in paths:
        rules.setdefault(host, []).append({"path": path, "pathType": "Prefix",
                                           "backend": {"service": {"name": backend, "port": {"number": 8000}}}})
    return {"kind": "Ingress", "metadata": {"namespace": ns, "name": name, "annotations": meta_annotations},
            "spec": {"ingressClassName": "alb", "rules": [dict({"http": {"paths": p}}, **({"host": h} if h else {})) for h, p in rules.items()]},
            "status": {"loadBalancer": {"ingress": [{"hostname": hostname}] if hostname else []}}}


def application(name, self_heal=True, enabled=None, owner=None, ns="argocd"):
    automated = {"prune": True, "selfHeal": self_heal}
    if enabled is not None:
        automated["enabled"] = enabled
    metadata = {"namespace": ns, "name": name}
    if owner:
        metadata["ownerReferences"] = [{"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "name": owner}]
    return {"kind": "Application", "metadata": metadata, "spec": {"syncPolicy": {"automated": automated}}}


def applicationset(name, self_heal=True, ns="argocd"):
    return {"kind": "ApplicationSet", "metadata": {"namespace": ns, "name": name},
            "spec": {"template": {"spec": {"syncPolicy": {"automated": {"prune": True, "selfHeal": self_heal}}}}}}


def service_world(ns="prod", green_replicas=2, green_ready=True, blue_replicas=2, selector_value="blue", service_extra=None):
    """A namespace with backend-blue / backend-green Deployments and pods and a ``backend`` Service on ``selector_value``."""
    return [
        namespace(ns),
        service(ns, "backend", {"app": "backend", "version": selector_value}, **(service_extra or {})),
        deployment(ns, "backend-blue", {"app": "backend", "version": "blue"}, blue_replicas),
        deployment(ns, "backend-green", {"app": "backend", "version": "green"}, green_replicas),
        pods(ns, "backend-blue", {"app": "backend", "version": "blue"}, blue_replicas, subnet="10.1.0"),
        pods(ns, "backend-green", {"app": "backend", "version": "green"}, green_replicas, ready=green_ready, subnet="10.2.0"),
    ]


def ingress_world(blue_order=5, green_order=10, green_ready=True, blue_ns="api", green_ns="auth"):
    """Route /api/v1/auth served from namespace ``blue_ns`` (blue) and ``green_ns`` (green), both in IngressGroup ecoeco."""
    world = [namespace(blue_ns), namespace(green_ns),
             ingress(blue_ns, "auth-api", order=blue_order), ingress(green_ns, "auth-api", order=green_order)]
    for ns, subnet, ready in ((blue_ns, "10.1.0", True), (green_ns, "10.2.0", green_ready)):
        labels = {"app": "auth-api"}
        world += [service(ns, "auth-api", labels), deployment(ns, "auth-api", labels, 2), pods(ns, "auth-api", labels, 2, ready=ready, subnet=subnet)]
    return world
