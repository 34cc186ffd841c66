# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: ingress_warnings
author: EcoEco backend team (@ecoeco)
version_added: 0.3.0
short_description: "The Warning events on the routes' Ingresses, newest first: why the load balancer controller did not apply them"
description:
  - "Keeps the Warning events whose object is the blue or the green Ingress of one of the routes, newest first, one per
    Ingress and reason, each as C(<namespace>/<name>: <reason>: <message>)."
  - The AWS Load Balancer Controller records its failures on every member Ingress of the IngressGroup
    (C(FailedBuildModel), C(FailedDeployModel)), so the route's own Ingresses carry the reason even when another member
    is the invalid one.
options:
  _input:
    description: Events, as C(kubernetes.core.k8s_info) returns them (C(resources)).
    type: list
    elements: dict
    required: true
  routes:
    description: The routes, each with C(blue) and C(green) (each C(namespace) and C(name) of its Ingress).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Say why the ALB does not follow
  ansible.builtin.debug:
    msg: "{{ events.resources | ecoeco.bluegreen.ingress_warnings(bluegreen_routes) | join('; ') }}"
"""

RETURN = r"""
_value:
  description: One line per Ingress and reason, newest first.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError


def _when(event):
    return event.get("lastTimestamp") or event.get("eventTime") or (event.get("metadata") or {}).get("creationTimestamp") or ""


def ingress_warnings(events, routes):
    if not isinstance(events, list) or not isinstance(routes, list):
        raise AnsibleFilterError("ingress_warnings: expected a list of events and a list of routes")
    wanted = {(route[side]["namespace"], route[side]["name"]) for route in routes for side in ("blue", "green") if route.get(side)}
    lines, seen = [], set()
    for event in sorted(events, key=_when, reverse=True):
        subject = event.get("involvedObject") or {}
        key = (subject.get("namespace"), subject.get("name"))
        if event.get("type") != "Warning" or subject.get("kind") != "Ingress" or key not in wanted or (key, event.get("reason")) in seen:
            continue
        seen.add((key, event.get("reason")))
        lines.append("{0}/{1}: {2}: {3}".format(key[0], key[1], event.get("reason"), (event.get("message") or "").strip()))
    return lines


class FilterModule:
    def filters(self):
        return {"ingress_warnings": ingress_warnings}
