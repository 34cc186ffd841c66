# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argo CD objects as this collection sees them: kinds, where each keeps its syncPolicy, and reads/patches
through the kubernetes.core client (``get_api_client(module)``)."""

import json
from dataclasses import dataclass

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.api_reach import reaching_api
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import BlueGreenError, Conflict, NotFound

try:
    from kubernetes.dynamic.exceptions import DynamicApiError, NotFoundError, ResourceNotFoundError, ResourceNotUniqueError
except ImportError:
    # AnsibleK8SModule reports the missing library before any of this runs.
    pass

API_VERSION = "argoproj.io/v1alpha1"
APPLICATION = "Application"
APPLICATION_SET = "ApplicationSet"

# For an ApplicationSet the policy that drives the generated Applications is the template's; the
# ApplicationSet's own spec.syncPolicy (applicationsSync, preserveResourcesOnDeletion) has no `automated`.
POLICY_PATH = {
    APPLICATION: ("spec", "syncPolicy"),
    APPLICATION_SET: ("spec", "template", "spec", "syncPolicy"),
}

_JSON_PATCH = "application/json-patch+json"
_MERGE_PATCH = "application/merge-patch+json"
# kube-apiserver answers a JSON patch whose operations do not apply (a failed `test`) with a bare 422 and this
# message; schema rejections are 422 too but carry field causes.
_PATCH_NOT_APPLICABLE = "the server rejected our request due to an error in our request"


@dataclass(frozen=True)
class ObjectRef:
    kind: str
    namespace: str
    name: str

    @classmethod
    def of(cls, obj):
        metadata = obj.get("metadata") or {}
        return cls(obj.get("kind"), metadata.get("namespace"), metadata.get("name"))

    def __str__(self):
        return "{0} {1}/{2}".format(self.kind, self.namespace, self.name)

    def to_dict(self):
        return {"kind": self.kind, "namespace": self.namespace, "name": self.name}


def policy_dotted_path(kind):
    """``spec.syncPolicy`` style path of the policy this module manages on ``kind``."""
    return ".".join(POLICY_PATH[kind])


def sync_policy(obj):
    """The syncPolicy this module manages on ``obj``, or None when it is absent (or null)."""
    node = obj
    for key in POLICY_PATH[obj["kind"]]:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def automated_active(policy):
    """True when ``policy`` makes Argo CD sync on its own (``automated`` present and not ``enabled: false``)."""
    automated = (policy or {}).get("automated")
    return isinstance(automated, dict) and automated.get("enabled", True) is not False


def annotations(obj):
    return (obj.get("metadata") or {}).get("annotations") or {}


def labels(obj):
    return (obj.get("metadata") or {}).get("labels") or {}


def _api_message(error):
    """The apiserver's Status message and field causes, falling back to the raw body."""
    body = error.body.decode("utf-8", "replace") if isinstance(error.body, bytes) else error.body
    try:
        status = json.loads(body)
    except (TypeError, ValueError):
        return body or "{0} {1}".format(error.status, error.reason), []
    causes = (status.get("details") or {}).get("causes") or []
    return status.get("message") or body, causes


class ArgoObjects:
    """Reads and JSON-patches Applications and ApplicationSets; turns API errors into this collection's errors."""

    def __init__(self, client):
        self._client = client
        self._resources = {}

    @property
    def server_dry_run(self):
        """True when every write is sent with ``dryRun=All`` (the client was built in check mode)."""
        return bool(getattr(self._client, "dry_run", False))

    def _resource(self, kind):
        if kind not in self._resources:
            try:
                with reaching_api("looking up the {0} API".format(kind)):
                    self._resources[kind] = self._client.resource(kind, API_VERSION)
            except (ResourceNotFoundError, ResourceNotUniqueError) as e:
                raise NotFound(
                    "the cluster does not serve {0} {1}: are the Argo CD CRDs installed?".format(API_VERSION, kind)
                ) from e
        return self._resources[kind]

    def get(self, ref):
        """The object as a dict, or None when it does not exist."""
        try:
            with reaching_api("reading {0}".format(ref)):
                obj = self._client.get(self._resource(ref.kind), name=ref.name, namespace=ref.namespace).to_dict()
        except NotFoundError:
            return None
        except DynamicApiError as e:
            raise BlueGreenError("reading {0} failed: {1}".format(ref, _api_message(e)[0]), status=e.status) from e
        obj.setdefault("kind", ref.kind)
        return obj

    def list(self, kind, namespace, label_selectors):
        selector = ",".join(label_selectors)
        try:
            with reaching_api("listing {0} in namespace {1}".format(kind, namespace)):
                found = self._client.get(self._resource(kind), namespace=namespace, label_selector=selector).to_dict()
        except DynamicApiError as e:
            raise BlueGreenError(
                "listing {0} in namespace {1} with labels {2!r} failed: {3}".format(kind, namespace, selector, _api_message(e)[0]),
                status=e.status,
            ) from e
        items = found.get("items") or []
        for item in items:
            # List items of custom resources normally carry their kind; do not rely on it.
            item.setdefault("kind", kind)
        return sorted(items, key=lambda item: item["metadata"]["name"])

    def patch(self, ref, ops):
        """Send ``ops`` as one RFC 6902 JSON patch; its `test` operations make it a compare-and-swap."""
        try:
            with reaching_api("patching {0} (it may or may not have been applied; a re-run is safe)".format(ref)):
                obj = self._client.patch(
                    self._resource(ref.kind), ops, name=ref.name, namespace=ref.namespace, content_type=_JSON_PATCH
                ).to_dict()
        except DynamicApiError as e:
            message, causes = _api_message(e)
            if e.status == 409 or (e.status == 422 and not causes and message == _PATCH_NOT_APPLICABLE):
                raise Conflict(
                    "{0} changed between this task's read and its write (the patch's test operations no longer match); "
                    "nothing was overwritten: re-run to act on the new state".format(ref),
                    object=ref.to_dict(),
                ) from e
            if e.status == 404:
                raise Conflict("{0} was deleted between this task's read and its write".format(ref), object=ref.to_dict()) from e
            raise BlueGreenError("patching {0} failed: {1}".format(ref, message), status=e.status, causes=causes) from e
        obj.setdefault("kind", ref.kind)
        return obj

    def annotate(self, ref, key, value):
        """Set one annotation with a JSON merge patch (it leaves every other annotation alone)."""
        body = {"metadata": {"annotations": {key: value}}}
        try:
            with reaching_api("annotating {0}".format(ref)):
                self._client.patch(self._resource(ref.kind), body, name=ref.name, namespace=ref.namespace, content_type=_MERGE_PATCH)
        except DynamicApiError as e:
            raise BlueGreenError("annotating {0} failed: {1}".format(ref, _api_message(e)[0]), status=e.status) from e
