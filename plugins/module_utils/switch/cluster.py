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
SERVER_DRY_RUN = "All"


def describe(kind, namespace, name):
    return "{0} {1}".format(kind, name if namespace is None else "{0}/{1}".format(namespace, name))


class Cluster:
    def __init__(self, client):
        self._client = client
        self._resources = {}

    def _resource(self, kind):
        if kind not in self._resources:
            self._resources[kind] = self._client.resource(kind, API_VERSIONS[kind])
        return self._resources[kind]

    def serves(self, kind):
        """Whether the API server knows the kind (False when its CRD is not installed)."""
        try:
            self._resource(kind)
        except ResourceNotFoundError:
            return False
        return True

    def get(self, kind, namespace, name):
        """The object as a dict, or None if it does not exist."""
        try:
            return self._client.get(self._resource(kind), name=name, namespace=namespace).to_dict()
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
