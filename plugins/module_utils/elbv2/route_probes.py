# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What to ask the ALB about each route (``alb_routes``' ``routes``): a request path and host the route serves, and
the NodePort of each side's backend Service, by which a target group is known to be blue's or green's."""

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.objects import value_at

SIDES = ("blue", "green")


def _first_path(ingress):
    """``(host, path, service backend)`` of the Ingress's first rule path, or None."""
    for rule in value_at(ingress, ("spec", "rules")) or []:
        for path in value_at(rule, ("http", "paths")) or []:
            service = value_at(path, ("backend", "service"))
            if service and service.get("name"):
                return rule.get("host") or "", path.get("path") or "/", service
    return None


def _request_path(pattern):
    """A concrete path a path pattern matches (ImplementationSpecific paths may hold ALB wildcards)."""
    return pattern.replace("*", "probe").replace("?", "x")


def _node_port(services, namespace, backend):
    service = services.get((namespace, backend["name"]))
    wanted = backend.get("port") or {}
    for port in value_at(service, ("spec", "ports")) or []:
        if port.get("port") == wanted.get("number") or (wanted.get("name") and port.get("name") == wanted.get("name")):
            return port.get("nodePort")
    return None


def route_probes(ingresses, services, routes):
    """One ``alb_routes`` route per route: ``{name, host, path, ports: {blue, green}}``; a side whose Ingress or
    Service is missing has port None. The path and host come from the green Ingress, else the blue one."""
    ingress_by_ref = {(value_at(i, ("metadata", "namespace")), value_at(i, ("metadata", "name"))): i for i in ingresses}
    service_by_ref = {(value_at(s, ("metadata", "namespace")), value_at(s, ("metadata", "name"))): s for s in services}
    probes = []
    for route in routes:
        firsts = {side: _first_path(ingress_by_ref.get((route[side]["namespace"], route[side]["name"]))) for side in SIDES}
        ports = {side: None if firsts[side] is None else _node_port(service_by_ref, route[side]["namespace"], firsts[side][2])
                 for side in SIDES}
        request = firsts["green"] or firsts["blue"]
        host, path = (request[0], _request_path(request[1])) if request else ("", "/")
        probes.append({"name": route["name"], "host": host, "path": path, "ports": ports})
    return probes
