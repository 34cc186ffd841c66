# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reads and the one kind of write the switch needs, over kubernetes.core's K8SClient.

Returns plain dicts and turns API errors into this collection's errors, so the rest of the
switch never sees the kubernetes client.
"""

import json

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import BlueGreenError, Conflict, NotFound

try:
    from kubernetes.dynamic.exceptions import (
        DynamicApiError,
        NotFoundError,
        ResourceNotFoundError,
        UnprocessibleEntityError,
    )
except ImportError:
    # AnsibleK8SModule reports the missing kubernetes library before any of this runs.
    pass

API_VERSIONS = {
    "Namespace": "v1",
    "Service": "v1",
    "Event": "v1",
    "Pod": "v1",
    "Deployment": "apps/v1",
    "EndpointSlice": "discovery.k8s.io/v1",
    "Ingress": "networking.k8s.io/v1",
    "Application": "argoproj.io/v1alpha1",
    "ApplicationSet": "argoproj.io/v1alpha1",
}
JSON_PATCH = "application/json-patch+json"
# What `kubectl patch` and kubernetes.core.k8s use for built-in kinds: lists such as Service ports merge by their key.
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
# Custom resources know no strategic merge: they get a JSON merge patch (lists replaced), as kubectl does.
MERGE_PATCH = "application/merge-patch+json"
SERVER_DRY_RUN = "All"


def describe(kind, namespace, name):
    return "{0} {1}".format(kind, name if namespace is None else "{0}/{1}".format(namespace, name))


class Cluster:
    def __init__(self, client):
        self._client = client
        self._resources = {}

    def _resource(self, kind, api_version=None):
        """The API resource of ``kind``; an object given by a caller names its ``api_version``, which the server may not serve."""
        key = (kind, api_version or API_VERSIONS[kind])
        if key not in self._resources:
            try:
                self._resources[key] = self._client.resource(*key)
            except ResourceNotFoundError as error:
                if api_version is None:
                    raise
                raise NotFound("the API server serves no kind {0} in apiVersion {1}".format(kind, api_version)) from error
        return self._resources[key]

    def serves(self, kind):
        """Whether the API server knows the kind (False when its CRD is not installed)."""
        try:
            self._resource(kind)
        except ResourceNotFoundError:
            return False
        return True

    def get(self, kind, namespace, name, api_version=None):
        """The object as a dict, or None if it does not exist."""
        try:
            return self._client.get(self._resource(kind, api_version), name=name, namespace=namespace).to_dict()
        except NotFoundError:
            return None
        except DynamicApiError as error:
            raise BlueGreenError("Could not read {0}: {1}".format(describe(kind, namespace, name), _summary(error)), status=error.status) from error

    def list(self, kind, namespace, label_selector=None, field_selector=None):
        """The objects of ``kind`` in ``namespace`` (None: every namespace) as dicts."""
        try:
            found = self._client.get(self._resource(kind), namespace=namespace, label_selector=label_selector,
                                     field_selector=field_selector).to_dict()
        except DynamicApiError as error:
            where = "{0} in {1}".format(kind, "every namespace" if namespace is None else "namespace " + namespace)
            for selector in (label_selector, field_selector):
                if selector:
                    where += " matching " + selector
            raise BlueGreenError("Could not list {0}: {1}".format(where, _summary(error)), status=error.status) from error
        return found.get("items") or []

    def json_patch(self, kind, namespace, name, operations, dry_run=False):
        """Apply an RFC 6902 patch; with dry_run the API server validates and answers but stores nothing.

        Raises Conflict when a ``test`` operation (or a path it guards) no longer holds, NotFound
        when the object is gone, BlueGreenError for anything else the server refuses.
        """
        params = {"dry_run": SERVER_DRY_RUN} if dry_run else {}
        target = describe(kind, namespace, name)
        try:
            patched = self._client.patch(self._resource(kind), operations, name=name, namespace=namespace, content_type=JSON_PATCH, **params)
        except UnprocessibleEntityError as error:
            if _field_causes(error):
                raise BlueGreenError("The API server rejected the new value for {0}: {1}".format(target, _summary(error)), status=error.status) from error
            raise Conflict("{0} changed since it was read: the JSON patch test failed".format(target), status=error.status) from error
        except NotFoundError as error:
            raise NotFound("{0} no longer exists".format(target)) from error
        except DynamicApiError as error:
            raise BlueGreenError("Could not patch {0}: {1}".format(target, _summary(error)), status=error.status) from error
        return patched.to_dict()

    def create(self, body, dry_run=False):
        """Create the object (a dict with kind, metadata.namespace and metadata.name); returns what the server stored."""
        kind, namespace, name = body["kind"], body["metadata"].get("namespace"), body["metadata"]["name"]
        params = {"dry_run": SERVER_DRY_RUN} if dry_run else {}
        try:
            return self._client.create(self._resource(kind, body.get("apiVersion")), body, namespace=namespace, **params).to_dict()
        except DynamicApiError as error:
            raise BlueGreenError("Could not create {0}: {1}".format(describe(kind, namespace, name), _summary(error)), status=error.status) from error

    def merge_patch(self, body, dry_run=False):
        """Merge ``body`` into the live object of the same kind, namespace and name (a strategic merge for the kinds built into
        Kubernetes); returns the result."""
        kind, namespace, name = body["kind"], body["metadata"].get("namespace"), body["metadata"]["name"]
        params = {"dry_run": SERVER_DRY_RUN} if dry_run else {}
        try:
            return self._client.patch(self._resource(kind, body.get("apiVersion")), body, name=name, namespace=namespace,
                                      content_type=STRATEGIC_MERGE_PATCH if _built_in(body.get("apiVersion")) else MERGE_PATCH, **params).to_dict()
        except NotFoundError as error:
            raise NotFound("{0} no longer exists".format(describe(kind, namespace, name))) from error
        except DynamicApiError as error:
            raise BlueGreenError("Could not patch {0}: {1}".format(describe(kind, namespace, name), _summary(error)), status=error.status) from error


def _built_in(api_version):
    """Kinds of the core group, of a group without a dot (apps, batch, policy) or of a *.k8s.io group are built in."""
    group = (api_version or "v1").rpartition("/")[0]
    return "." not in group or group.endswith(".k8s.io")


def _field_causes(error):
    """Validation failures name the offending fields; a failed JSON patch test names none (HTTP 422 either way)."""
    try:
        status = json.loads(error.body)
    except (TypeError, ValueError):
        return []
    return ((status.get("details") or {}).get("causes")) or []


def _summary(error):
    try:
        return error.summary()
    except (TypeError, ValueError):
        return "HTTP {0} {1}".format(error.status, error.reason)
