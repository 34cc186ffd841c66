"""List-then-watch of one Kubernetes resource kind, kept as plain dicts, the way kube-proxy's informers do.

Each change calls ``on_change(objects)`` with every object currently known. A watch that expires or
breaks is resumed from the last resourceVersion, or re-listed when that is too old (HTTP 410).
"""

import json
import logging

from kubernetes import watch
from kubernetes.client.exceptions import ApiException

LOG = logging.getLogger("ecoeco_sandbox.frontdoor.informer")
WATCH_SECONDS = 30  # the server ends each watch after this; it is resumed at once


class Informer:
    """Keeps ``{(namespace, name): object}`` of one kind in step through ``list_call`` (a ``list_*_for_all_namespaces``)."""

    def __init__(self, list_call, on_change):
        self._list_call = list_call
        self._on_change = on_change
        self._objects = {}
        self._watch = None

    def run(self, stop):
        """List and watch until the ``stop`` event is set."""
        resource_version = None
        while not stop.is_set():
            try:
                if resource_version is None:
                    resource_version = self._relist()
                resource_version = self._follow(resource_version, stop)
            except ApiException as error:
                if error.status == 410:
                    resource_version = None
                    continue
                LOG.warning("watch failed (%s); listing again", error.status)
                resource_version = None
                stop.wait(0.5)
            except Exception:  # pylint: disable=broad-except  # the front door must outlive a broken watch
                LOG.exception("watch failed; listing again")
                resource_version = None
                stop.wait(0.5)

    def stop(self):
        if self._watch is not None:
            self._watch.stop()

    def _relist(self):
        listing = json.loads(self._list_call(_preload_content=False).data)
        self._objects = {_key(item): item for item in listing["items"]}
        self._on_change(list(self._objects.values()))
        return listing["metadata"]["resourceVersion"]

    def _follow(self, resource_version, stop):
        self._watch = watch.Watch()
        for event in self._watch.stream(self._list_call, resource_version=resource_version, timeout_seconds=WATCH_SECONDS,
                                        allow_watch_bookmarks=True, deserialize=False):
            obj = event["object"]
            resource_version = obj["metadata"].get("resourceVersion", resource_version)
            if event["type"] == "DELETED":
                self._objects.pop(_key(obj), None)
            elif event["type"] in ("ADDED", "MODIFIED"):
                self._objects[_key(obj)] = obj
            else:
                continue
            self._on_change(list(self._objects.values()))
            if stop.is_set():
                break
        return resource_version


def _key(obj):
    return obj["metadata"].get("namespace"), obj["metadata"]["name"]
