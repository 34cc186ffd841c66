"""Test doubles for argocd_sync_toggle: Argo CD objects as dicts, and a stand-in for kubernetes.core's K8SClient
that keeps them in memory and applies JSON patches the way kube-apiserver does.

kube-apiserver uses evanphx/json-patch v4, where ``test`` with ``value: null`` passes when the key is absent, and
a patch that does not apply is answered with a bare 422. This double does the same, so the module's
compare-and-swap patches are exercised for real.
"""

import copy
import json

from kubernetes.client.rest import ApiException
from kubernetes.dynamic.exceptions import NotFoundError, ResourceNotFoundError, UnprocessibleEntityError

ANNOTATION = "bluegreen.ecoeco.io/frozen-sync-policy"
AUTOMATED = {"prune": True, "selfHeal": True}
POLICY = {"automated": dict(AUTOMATED), "retry": {"limit": 5}, "syncOptions": ["CreateNamespace=true"]}
SEED_POLICY = object()  # default argument standing for POLICY (None already means "no syncPolicy")


def application(name, policy=SEED_POLICY, namespace="argocd", annotations=None, labels=None, owner_set=None, generated=False):
    """An Application; ``policy=None`` leaves spec.syncPolicy out; ``generated`` says the ApplicationSet controller
    wrote it (its field manager in managedFields), not only an ownerReference."""
    obj = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "project": "default",
            "source": {"repoURL": "https://example.invalid/ecoeco.git", "path": "k8s/overlays/" + name, "targetRevision": "main"},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": name},
        },
    }
    if policy is SEED_POLICY:
        policy = POLICY
    if policy is not None:
        obj["spec"]["syncPolicy"] = copy.deepcopy(policy)
    if annotations is not None:
        obj["metadata"]["annotations"] = dict(annotations)
    if labels is not None:
        obj["metadata"]["labels"] = dict(labels)
    if generated:
        obj["metadata"]["managedFields"] = [{"manager": "argocd-applicationset-controller", "operation": "Update", "apiVersion": "argoproj.io/v1alpha1"}]
    if owner_set:
        obj["metadata"]["ownerReferences"] = [
            {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "name": owner_set, "uid": "0000", "controller": True}
        ]
    return obj


def application_set(name, template_policy=SEED_POLICY, namespace="argocd", own_policy=None, annotations=None, **spec):
    obj = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": name, "namespace": namespace},
        "spec": dict(
            {
                "generators": [{"list": {"elements": [{"domain": "auth"}]}}],
                "template": {
                    "metadata": {"name": "ecoeco-{{domain}}"},
                    "spec": {
                        "project": "default",
                        "source": {"repoURL": "https://example.invalid/ecoeco.git", "path": "k8s/overlays/{{domain}}", "targetRevision": "main"},
                        "destination": {"server": "https://kubernetes.default.svc", "namespace": "{{domain}}"},
                    },
                },
            },
            **spec
        ),
    }
    if template_policy is SEED_POLICY:
        template_policy = POLICY
    if template_policy is not None:
        obj["spec"]["template"]["spec"]["syncPolicy"] = copy.deepcopy(template_policy)
    if own_policy is not None:
        obj["spec"]["syncPolicy"] = copy.deepcopy(own_policy)
    if annotations is not None:
        obj["metadata"]["annotations"] = dict(annotations)
    return obj


def record_text(policy, frozen_at="2025-01-31T12:00:00Z", frozen_by="tester@host"):
    return json.dumps({"policy": policy, "frozen_at": frozen_at, "frozen_by": frozen_by}, sort_keys=True, separators=(",", ":"))


class PatchNotApplicable(Exception):
    """A JSON patch operation does not apply to the document."""


def _keys(path):
    return [part.replace("~1", "/").replace("~0", "~") for part in path.split("/")[1:]]


def apply_json_patch(document, ops):
    """RFC 6902 over dicts, with evanphx/json-patch v4's reading of ``test`` against null."""
    doc = copy.deepcopy(document)
    for op in ops:
        *parents, key = _keys(op["path"])
        container = doc
        for part in parents:
            container = container.get(part) if isinstance(container, dict) else None
        if not isinstance(container, dict):
            raise PatchNotApplicable("missing path " + op["path"])
        if op["op"] == "test":
            current = container.get(key)
            if current is None and op["value"] is None:
                continue
            if current != op["value"] or type(current) is not type(op["value"]):
                raise PatchNotApplicable("testing value {0} failed".format(op["path"]))
        elif op["op"] == "add":
            container[key] = copy.deepcopy(op["value"])
        elif op["op"] in ("replace", "remove"):
            if key not in container:
                raise PatchNotApplicable("missing path " + op["path"])
            if op["op"] == "replace":
                container[key] = copy.deepcopy(op["value"])
            else:
                del container[key]
        else:
            raise AssertionError("unexpected op " + op["op"])
    return doc


def _api_error(cls, status, message):
    error = ApiException(status=status, reason=message)
    error.body = json.dumps({"kind": "Status", "status": "Failure", "message": message, "code": status})
    return cls(error)


class _Instance:
    def __init__(self, data):
        self._data = copy.deepcopy(data)

    def to_dict(self):
        return copy.deepcopy(self._data)


class _Resource:
    def __init__(self, kind):
        self.kind = kind


class FakeClient:
    """What the module uses of kubernetes.core's K8SClient: ``dry_run``, ``resource``, ``get`` and ``patch``.

    ``before_patch(client)`` runs just before a patch is applied (a concurrent writer); ``after_get(client, key)``
    runs after each read of one object (an owner or controller reacting). With ``generates=True`` a patched
    ApplicationSet rewrites the Applications it owns as the real controller does: their syncPolicy becomes the
    template's and annotations it does not render are dropped.
    """

    def __init__(self, *objects, dry_run=False, served=("Application", "ApplicationSet"), generates=False):
        self.store = {}
        self.version = 0
        for obj in objects:
            self.put(obj)
        self.dry_run = dry_run
        self.served = served
        self.patches = []
        self.before_patch = None
        self.after_get = None
        self.generates = generates

    @staticmethod
    def key(kind, namespace, name):
        return (kind, namespace, name)

    def put(self, obj):
        """Store ``obj`` as a write would: with a new resourceVersion."""
        self.version += 1
        stored = copy.deepcopy(obj)
        stored["metadata"]["resourceVersion"] = str(self.version)
        self.store[self.key(obj["kind"], obj["metadata"]["namespace"], obj["metadata"]["name"])] = stored

    def obj(self, kind, name, namespace="argocd"):
        return copy.deepcopy(self.store[self.key(kind, namespace, name)])

    def resource(self, kind, api_version):
        assert api_version == "argoproj.io/v1alpha1"
        if kind not in self.served:
            raise ResourceNotFoundError("No matches found for {0}".format(kind))
        return _Resource(kind)

    def get(self, resource, name=None, namespace=None, label_selector=None):
        if name is not None:
            key = self.key(resource.kind, namespace, name)
            if key not in self.store:
                raise _api_error(NotFoundError, 404, "not found")
            found = _Instance(self.store[key])
            if self.after_get:
                self.after_get(self, key)
            return found
        wanted = dict(term.split("=", 1) for term in label_selector.split(",")) if label_selector else {}
        items = [
            obj
            for (kind, ns, _name), obj in sorted(self.store.items())
            if kind == resource.kind and ns == namespace and all((obj["metadata"].get("labels") or {}).get(k) == v for k, v in wanted.items())
        ]
        return _Instance({"kind": resource.kind + "List", "items": items})

    def patch(self, resource, definition, name=None, namespace=None, content_type=None, **params):
        assert content_type == "application/json-patch+json"
        dry_run = self.dry_run or params.get("dry_run") == "All"
        self.patches.append({"kind": resource.kind, "namespace": namespace, "name": name, "ops": copy.deepcopy(definition), "dry_run": dry_run})
        if self.before_patch:
            self.before_patch(self)
        key = self.key(resource.kind, namespace, name)
        if key not in self.store:
            raise _api_error(NotFoundError, 404, "not found")
        try:
            patched = apply_json_patch(self.store[key], definition)
        except PatchNotApplicable:
            raise _api_error(UnprocessibleEntityError, 422, "the server rejected our request due to an error in our request")
        if not dry_run:
            self.put(patched)
            if self.generates and resource.kind == "ApplicationSet":
                self._regenerate(patched)
        return _Instance(self.store[key] if not dry_run else patched)

    def _regenerate(self, app_set):
        template_policy = app_set["spec"]["template"]["spec"].get("syncPolicy")
        for (kind, _ns, _name), obj in list(self.store.items()):
            owners = [ref["name"] for ref in obj["metadata"].get("ownerReferences") or [] if ref["kind"] == "ApplicationSet"]
            if kind == "Application" and app_set["metadata"]["name"] in owners:
                generated = copy.deepcopy(obj)
                generated["spec"].pop("syncPolicy", None)
                if template_policy is not None:
                    generated["spec"]["syncPolicy"] = copy.deepcopy(template_policy)
                generated["metadata"].pop("annotations", None)
                self.put(generated)
