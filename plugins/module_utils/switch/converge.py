# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bounded wait for the data plane to follow the flipped objects.

A Service has settled when its EndpointSlices hold only addresses of the destination pods and at
least min_ready of them are Ready. An Ingress has settled when the destination Ingress shares a
status.loadBalancer hostname with the other one (both merged into the same ALB) and its backend
Services have their Ready endpoints.

Each poll reads a namespace's Pods and EndpointSlices once when several targets live there
(``reads.SharedReads``), so a poll costs two lists per namespace rather than two per target.
"""

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.objects import (
    SERVICE_NAME_LABEL,
    endpoint_addresses,
    load_balancer_hostnames,
    pod_ips,
    selector_string,
)
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.reads import SharedReads, shared_namespaces
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.timing import poll_until


def service_settled(slices, destination_ips, min_ready):
    """``(settled, observation)`` for a Service from its EndpointSlices and the destination pods' IPs."""
    ready, every = endpoint_addresses(slices)
    foreign = sorted(every - destination_ips)
    ready_destination = len(ready & destination_ips)
    observation = {"ready_endpoints": ready_destination, "min_ready": min_ready, "foreign_endpoints": foreign}
    return not foreign and ready_destination >= min_ready, observation


def ingress_settled(destination, other, backends):
    """``(settled, observation)`` for an IngressGroup flip; ``backends`` carry ready_endpoints and min_ready per Service."""
    shared = sorted(load_balancer_hostnames(destination or {}) & load_balancer_hostnames(other or {}))
    observation = {"load_balancer": shared[0] if shared else None, "backends": backends}
    settled = bool(shared) and all(backend["ready_endpoints"] >= backend["min_ready"] for backend in backends)
    return settled, observation


def observe(cluster, plan):
    if plan.api_kind == "Service":
        namespace = plan.ref.namespace
        pods = cluster.list("Pod", namespace, selector_string(plan.settle["selector"]))
        slices = _slices(cluster, namespace, plan.ref.name)
        return service_settled(slices, pod_ips(pods), plan.settle["min_ready"])
    destination, other = plan.settle["destination"], plan.settle["other"]
    backends = [
        {"namespace": destination.namespace, "name": name, "ready_endpoints": len(endpoint_addresses(_slices(cluster, destination.namespace, name))[0]),
         "min_ready": minimum}
        for name, minimum in plan.settle["backends"]
    ]
    return ingress_settled(cluster.get("Ingress", destination.namespace, destination.name), cluster.get("Ingress", other.namespace, other.name), backends)


def _observed_namespace(plan):
    return plan.ref.namespace if plan.api_kind == "Service" else plan.settle["destination"].namespace


def wait_until_settled(cluster, plans, timeout, interval, sleep, clock):
    """``(settled, observations)``; observations maps each target's label to its last observation."""
    observations = {}
    shared = shared_namespaces(_observed_namespace(plan) for plan in plans)

    def all_settled():
        settled = True
        reads = SharedReads(cluster, shared)
        for plan in plans:
            plan_settled, observations[plan.target.label] = observe(reads, plan)
            settled = settled and plan_settled
        return settled

    settled, _waited = poll_until(all_settled, timeout, interval, sleep=sleep, clock=clock)
    return settled, observations


def unsettled_reasons(plan, observation, state):
    """Why one target's data plane has not followed yet, for the failure message; empty when it has."""
    reasons = []
    if plan.api_kind == "Service":
        if observation["foreign_endpoints"]:
            reasons.append("{0} endpoint(s) outside the {1} pods still in the EndpointSlices ({2})".format(
                len(observation["foreign_endpoints"]), state, ", ".join(observation["foreign_endpoints"])))
        if observation["ready_endpoints"] < observation["min_ready"]:
            reasons.append("{0} of {1} required Ready {2} endpoints".format(observation["ready_endpoints"], observation["min_ready"], state))
        return reasons
    if observation["load_balancer"] is None:
        reasons.append("the {0} Ingress has no status.loadBalancer hostname in common with the other one (not merged into the ALB yet)".format(state))
    for backend in observation["backends"]:
        if backend["ready_endpoints"] < backend["min_ready"]:
            reasons.append("backend Service {0}/{1} has {2} of {3} required Ready endpoints".format(
                backend["namespace"], backend["name"], backend["ready_endpoints"], backend["min_ready"]))
    return reasons


def _slices(cluster, namespace, service_name):
    return cluster.list("EndpointSlice", namespace, "{0}={1}".format(SERVICE_NAME_LABEL, service_name))
