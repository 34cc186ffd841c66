# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: route_sides
author: EcoEco backend team (@ecoeco)
version_added: 0.3.0
short_description: "Which side, blue or green, serves each route: the rule of the ALB IngressGroup on its Ingresses"
description:
  - Indexes the blue and the green Ingress of every route, and says which one the AWS Load Balancer Controller
    evaluates first, the one with the lower C(alb.ingress.kubernetes.io/group.order) (unset is 0), a tie going to the
    smaller C(namespace/name). That side serves the route; a route with one Ingress is served by it; with none, V(none).
  - The same rule as the switch's and the gate's (C(plugins/module_utils/switch/sides.py)), so the gates, the switch
    and the report cannot disagree about it.
  - A C(group.order) the controller would refuse (not an integer, or outside -1000..1000) is reported in the Ingress's
    C(invalid), and its route is served by V(unknown); the controller then stops reconciling the whole group, so the
    ALB keeps whatever rules it had.
options:
  _input:
    description: The Ingresses, as C(kubernetes.core.k8s_info) returns them (C(resources)); other Ingresses are ignored.
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
- name: Work out the side each route serves
  ansible.builtin.set_fact:
    route_state: "{{ ingresses.resources | ecoeco.bluegreen.route_sides(bluegreen_routes) }}"
    # route_state.served.auth == 'green'; route_state.ingresses['auth/blue'].order == 10
"""

RETURN = r"""
_value:
  description: The Ingress of every route and side, and the side that serves each route.
  type: dict
  contains:
    ingresses:
      description: >-
        Keyed C(<route>/<side>): C(namespace), C(name), C(exists), C(order) (the effective group.order, null when
        absent or refused), C(invalid) (why the controller refuses its group.order, else empty), C(group) (its
        group.name), C(hostname) (its first status hostname) and C(backends) (its Service backends, C(name) and
        C(port), without ALB action backends).
      type: dict
    served:
      description: Keyed by route name, V(blue), V(green), V(none) (no Ingress) or V(unknown) (a group.order refused).
      type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch import sides
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.targets import ObjectRef

SIDES = sides.SIDES


def side_ref(route, side, filter_name="route_sides"):
    """The ObjectRef of one side's Ingress of ``route``; the filters that take routes refuse a route without it."""
    ref = route.get(side) if isinstance(route, dict) else None
    if not isinstance(ref, dict) or not ref.get("namespace") or not ref.get("name"):
        raise AnsibleFilterError("{0}: route {1!r} needs {2}.namespace and {2}.name".format(
            filter_name, route.get("name") if isinstance(route, dict) else route, side))
    return ObjectRef(ref["namespace"], ref["name"])


def route_sides(ingresses, routes):
    if not isinstance(ingresses, list) or not isinstance(routes, list):
        raise AnsibleFilterError("route_sides: expected a list of Ingresses and a list of routes")
    refs = [{side: side_ref(route, side) for side in SIDES} for route in routes]
    return sides.route_sides(ingresses, [(route["name"], route_refs) for route, route_refs in zip(routes, refs)])


class FilterModule:
    def filters(self):
        return {"route_sides": route_sides}
