# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The NodePort each admitted backend is served on, and the ALB target groups that serve it.

Instance targets listen on the Service's NodePort, which tells the target groups apart without controller-specific
tags. Backends that are not NodePort Services (target-type ip) get no port and are not matched.
"""

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.objects import value_at
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.targets import ObjectRef

NODE_PORT_TYPES = ("NodePort", "LoadBalancer")


def _ports_of(service, backend):
    wanted = backend.get("port") or {}
    return [port.get("nodePort") for port in value_at(service, ("spec", "ports")) or []
            if port.get("port") == wanted.get("number", -1) or (wanted.get("name") and port.get("name") == wanted.get("name"))]


def admitted_backends(ingresses, services_by_ref, routes, admitted):
    """One entry per backend Service port of every admitted Ingress: ``key`` (``<route>/<side>``), ``service``
    (``namespace/name``), ``node_port`` (None when not a NodePort) and ``missing`` (the Service does not exist)."""
    entries = []
    for name, _refs in routes:
        for side in admitted:
            key = "{0}/{1}".format(name, side)
            ingress = ingresses[key]
            for backend in ingress["backends"]:
                service = services_by_ref.get(ObjectRef(ingress["namespace"], backend["name"]))
                entry = {"key": key, "service": "{0}/{1}".format(ingress["namespace"], backend["name"]), "node_port": None,
                         "missing": service is None}
                if service is not None and (value_at(service, ("spec", "type")) or "ClusterIP") in NODE_PORT_TYPES:
                    entries.extend(dict(entry, node_port=port) for port in _ports_of(service, backend))
                else:
                    entries.append(entry)
    return entries


def target_ports(target_groups):
    """The ports that some target of the target groups (alb_target_health reports) is registered on."""
    return {target["port"] for group in target_groups for target in group["targets"]}


def unmatched(backends, target_groups):
    """The backends on a NodePort no target group has a target on."""
    ports = target_ports(target_groups)
    return [backend for backend in backends if backend["node_port"] and backend["node_port"] not in ports]


def admitted_groups(backends, target_groups):
    """The target groups that serve an admitted backend: ``name``, ``arn`` and ``serves`` (the ``<route>/<side>`` keys)."""
    groups = []
    for group in target_groups:
        ports = {target["port"] for target in group["targets"]}
        serves = list(dict.fromkeys(backend["key"] for backend in backends if backend["node_port"] in ports))
        if serves:
            groups.append({"name": group["name"], "arn": group["arn"], "serves": serves})
    return groups
