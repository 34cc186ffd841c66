# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: route_probes
author: EcoEco backend team (@ecoeco)
version_added: 0.3.0
short_description: "What to ask the ALB about each route: a path, a host and each side's NodePort, for alb_routes"
description:
  - For every route, takes the host and path of the first rule of its green Ingress (else its blue one) and the NodePort
    of each side's backend Service, the port of that side's target groups (instance targets). The result is the
    O(ecoeco.bluegreen.alb_routes#module:routes) option of M(ecoeco.bluegreen.alb_routes), which then says from the
    ALB's own rules which side serves each route.
  - A side whose Ingress, backend Service or Service port is missing gets port V(null), so no target group is taken for it.
  - ALB wildcards in an Ingress path (C(*), C(?)) are replaced by plain characters, so the probe is a path they match.
options:
  _input:
    description: The Ingresses, as C(kubernetes.core.k8s_info) returns them (C(resources)).
    type: list
    elements: dict
    required: true
  services:
    description: The Services, as C(kubernetes.core.k8s_info) returns them (C(resources)).
    type: list
    elements: dict
    required: true
  routes:
    description: The routes, each with C(name), C(blue) and C(green) (each C(namespace) and C(name) of its Ingress).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Wait until the ALB serves every route from green
  ecoeco.bluegreen.alb_routes:
    load_balancer_name: ecoeco-alb
    routes: "{{ ingresses.resources | ecoeco.bluegreen.route_probes(services.resources, bluegreen_routes) }}"
    wait_for: green
"""

RETURN = r"""
_value:
  description: One entry per route, C(name), C(host), C(path) and C(ports) (C(blue) and C(green) NodePorts, or null).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.ecoeco.bluegreen.plugins.filter.route_sides import SIDES, side_ref
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2.route_probes import route_probes as _route_probes


def route_probes(ingresses, services, routes):
    if not all(isinstance(value, list) for value in (ingresses, services, routes)):
        raise AnsibleFilterError("route_probes: expected a list of Ingresses, a list of Services and a list of routes")
    for route in routes:
        for side in SIDES:
            side_ref(route, side, "route_probes")
    return _route_probes(ingresses, services, routes)


class FilterModule:
    def filters(self):
        return {"route_probes": route_probes}
