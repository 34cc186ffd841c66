"""kwok ``PortForward`` objects, one per pod: how ``kubectl port-forward`` reaches a pod's stand-in app.

The path is the real one: kubectl -> kube-apiserver (``pods/portforward``) -> the kubelet endpoint of the pod's node
(``status.daemonEndpoints`` and the node's InternalIP, both pointing at the kwok controller on 127.0.0.1) -> kwok's
streaming server, which dials the target of the pod's ``PortForward``. A kubelet dials the port inside the pod's
network namespace; the sandbox's stand-in for that namespace is the pod's loopback twin (podapps.py), which depends
on the pod IP. kwok 0.8 cannot derive a target from the pod (a ``ClusterPortForward`` target is a fixed address), so
one ``PortForward`` per pod, named like the pod, is written here right after the pod gets its IP. The pod owns it:
the garbage collector deletes it with the pod.
"""

import logging

from kubernetes.client import ApiException

from ecoeco_sandbox.kube import FIELD_MANAGER
from ecoeco_sandbox.podapps import listen_addresses

LOG = logging.getLogger("ecoeco_sandbox.port_forwards")
GROUP, VERSION, PLURAL = "kwok.x-k8s.io", "v1alpha1", "portforwards"


def port_forward_manifest(pod):
    """The ``PortForward`` of a Running pod with TCP container ports, or None: each port goes to the loopback twin."""
    addresses = listen_addresses(pod)
    if not addresses or (pod.get("metadata") or {}).get("deletionTimestamp"):
        return None
    meta = pod["metadata"]
    return {
        "apiVersion": GROUP + "/" + VERSION,
        "kind": "PortForward",
        "metadata": {
            "name": meta["name"],
            "namespace": meta["namespace"],
            "ownerReferences": [{"apiVersion": "v1", "kind": "Pod", "name": meta["name"], "uid": meta["uid"]}],
        },
        "spec": {"forwards": [{"ports": [port], "target": {"address": address, "port": port}} for address, port in addresses]},
    }


class PortForwards:
    """Writes the ``PortForward`` of each new pod once (server-side apply, so a restarted helper converges)."""

    def __init__(self, custom_objects):
        self._custom_objects = custom_objects
        self._written = set()  # UIDs of the pods whose PortForward is in place

    def sync(self, pods):
        live = set()
        for pod in pods:
            manifest = port_forward_manifest(pod)
            if manifest is None:
                continue
            uid = pod["metadata"]["uid"]
            live.add(uid)
            if uid not in self._written and self._apply(manifest):
                self._written.add(uid)
        self._written &= live

    def _apply(self, manifest):
        meta = manifest["metadata"]
        try:
            self._custom_objects.patch_namespaced_custom_object(
                GROUP, VERSION, meta["namespace"], PLURAL, meta["name"], manifest,
                field_manager=FIELD_MANAGER, force=True, _content_type="application/apply-patch+yaml")
        except ApiException as error:
            # 403: the namespace is terminating, 404: it is gone; either way the pod goes with it.
            if error.status in (403, 404):
                return True
            LOG.warning("cannot write the PortForward of pod %s/%s: %s", meta["namespace"], meta["name"], error.reason)
            return False
        return True
