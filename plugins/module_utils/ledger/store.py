# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ledger ConfigMap over kubernetes.core's K8SClient: one read, and one write that succeeds only if the
ConfigMap is still the one that was read (a replace carrying its resourceVersion; a create when there was none)."""

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.api_reach import reaching_api
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import BlueGreenError, Conflict

try:
    from kubernetes.dynamic.exceptions import ConflictError, DynamicApiError, NotFoundError
except ImportError:
    # AnsibleK8SModule reports the missing kubernetes library before any of this runs.
    pass

MANAGED_BY = {"app.kubernetes.io/managed-by": "ecoeco.bluegreen"}


class LedgerStore:
    def __init__(self, client, namespace, name):
        self._client = client
        self.namespace = namespace
        self.name = name
        self._configmaps = client.resource("ConfigMap", "v1")
        self._namespaces = client.resource("Namespace", "v1")

    @property
    def where(self):
        return "{0}/{1}".format(self.namespace, self.name)

    def named(self, name):
        """The store of another ledger in the same namespace, over the same client."""
        return LedgerStore(self._client, self.namespace, name)

    def others(self):
        """(namespace/name, data) of every other ledger in the namespace (ConfigMaps labelled as this collection's)."""
        selector = ",".join("{0}={1}".format(key, value) for key, value in MANAGED_BY.items())
        try:
            with reaching_api("listing the ledgers in namespace {0}".format(self.namespace)):
                listed = self._client.get(self._configmaps, namespace=self.namespace, label_selector=selector).to_dict()
        except NotFoundError:
            return []
        except DynamicApiError as error:
            raise BlueGreenError("Could not list the ledgers in namespace {0}: HTTP {1} {2}".format(self.namespace, error.status, error.reason),
                                 status=error.status) from error
        return [("{0}/{1}".format(self.namespace, item["metadata"]["name"]), item.get("data") or {})
                for item in listed.get("items") or [] if item["metadata"]["name"] != self.name]

    def read(self):
        """The ConfigMap as a dict, or None when there is no ledger yet."""
        try:
            with reaching_api("reading the ledger {0}".format(self.where)):
                return self._client.get(self._configmaps, name=self.name, namespace=self.namespace).to_dict()
        except NotFoundError:
            return None
        except DynamicApiError as error:
            raise BlueGreenError("Could not read the ledger {0}: HTTP {1} {2}".format(self.where, error.status, error.reason), status=error.status) from error

    def write(self, read, data):
        """Store data, unless the ConfigMap changed since `read` (then Conflict: read again and decide again)."""
        body = {"apiVersion": "v1", "kind": "ConfigMap", "data": data,
                "metadata": {"name": self.name, "namespace": self.namespace, "labels": MANAGED_BY}}
        try:
            with reaching_api("writing the ledger {0} (it may or may not have been written; a re-run is safe)".format(self.where)):
                if read is None:
                    self._ensure_namespace()
                    self._client.create(self._configmaps, body, namespace=self.namespace)
                else:
                    body["metadata"]["resourceVersion"] = read["metadata"]["resourceVersion"]
                    self._client.replace(self._configmaps, body, name=self.name, namespace=self.namespace)
        except ConflictError as error:
            raise Conflict("the ledger {0} changed since it was read".format(self.where)) from error
        except DynamicApiError as error:
            raise BlueGreenError("Could not write the ledger {0}: HTTP {1} {2}".format(self.where, error.status, error.reason), status=error.status) from error

    def _ensure_namespace(self):
        try:
            self._client.create(self._namespaces, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": self.namespace, "labels": MANAGED_BY}})
        except ConflictError:
            pass  # it exists: the usual case after the first phase
