"""Pod IPs for the simulated pods, unique across the cluster.

kwok's own IP pool can hand the same address to two live pods after many deletions (seen after a
reset-to-blue), which would make two pods answer on one address. This allocator sees every pod on
each pass, so an address is reused only once no pod holds it.
"""

import ipaddress
import logging

from kubernetes.client import ApiException

from ecoeco_sandbox.topology import node_manifests

LOG = logging.getLogger("ecoeco_sandbox.ip_allocator")
NODE_CIDRS = {node["metadata"]["name"]: ipaddress.ip_network(node["spec"]["podCIDR"]) for node in node_manifests()}


def needs_address(pod):
    status, spec = pod.get("status") or {}, pod.get("spec") or {}
    return (status.get("phase") == "Running" and not status.get("podIP") and not spec.get("hostNetwork")
            and spec.get("nodeName") in NODE_CIDRS and not (pod.get("metadata") or {}).get("deletionTimestamp"))


def plan_addresses(pods):
    """{(namespace, name): ip} for every pod that needs an address, lowest free address of its node first."""
    taken = {(pod.get("status") or {}).get("podIP") for pod in pods}
    plan = {}
    for pod in sorted(pods, key=lambda p: p["metadata"]["creationTimestamp"]):
        if not needs_address(pod):
            continue
        for candidate in NODE_CIDRS[pod["spec"]["nodeName"]].hosts():
            address = str(candidate)
            if address not in taken:
                taken.add(address)
                plan[(pod["metadata"]["namespace"], pod["metadata"]["name"])] = address
                break
    return plan


def assign_addresses(core, pods):
    """Write the planned addresses into the pods' status."""
    for (namespace, name), address in plan_addresses(pods).items():
        try:
            core.patch_namespaced_pod_status(name, namespace, {"status": {"podIP": address, "podIPs": [{"ip": address}]}})
        except ApiException as error:
            if error.status != 404:  # a pod deleted meanwhile needs no address
                LOG.warning("cannot set the IP of pod %s/%s: %s", namespace, name, error.reason)
