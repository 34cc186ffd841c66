# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which side serves each route by its Ingresses' group.order: the switch's rule (objects.py) applied to every route.

The traffic gate module and the route_sides filter (the report) both read the routes through this, so the gates,
the switch and the report cannot disagree about it.
"""

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.objects import (
    GROUP_NAME,
    annotations,
    backend_service_refs,
    evaluated_first,
    group_order,
    value_at,
)
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.targets import ObjectRef

SIDES = ("blue", "green")


def describe_ingress(ref, ingress):
    """What a gate needs of one side's Ingress (``ingress`` None when it does not exist)."""
    if ingress is None:
        return {"namespace": ref.namespace, "name": ref.name, "exists": False, "order": None, "invalid": "", "group": "",
                "hostname": "", "backends": []}
    order, invalid = None, ""
    try:
        order = group_order(ingress)
    except ValueError as error:
        invalid = str(error)
    entries = value_at(ingress, ("status", "loadBalancer", "ingress")) or [{}]
    return {"namespace": ref.namespace, "name": ref.name, "exists": True, "order": order, "invalid": invalid,
            "group": annotations(ingress).get(GROUP_NAME, ""), "hostname": entries[0].get("hostname") or "",
            "backends": backend_service_refs(ingress)}


def _served(blue_ref, blue, green_ref, green):
    if blue["invalid"] or green["invalid"]:
        return "unknown"
    if blue["exists"] and green["exists"]:
        return evaluated_first(blue_ref, blue["order"], green_ref, green["order"])
    if blue["exists"]:
        return "blue"
    return "green" if green["exists"] else "none"


def index_by_ref(objects):
    """``{ObjectRef: object}`` of Kubernetes objects as dicts."""
    return {ObjectRef(value_at(item, ("metadata", "namespace")), value_at(item, ("metadata", "name"))): item
            for item in objects if isinstance(item, dict)}


def route_sides(ingresses, routes):
    """``{"ingresses": {"<route>/<side>": described}, "served": {route: side}}``; every route has ``name`` and an
    ObjectRef per side (``refs``: ``{"blue": ObjectRef, "green": ObjectRef}``)."""
    by_ref = index_by_ref(ingresses)
    indexed, served = {}, {}
    for name, refs in routes:
        described = {side: describe_ingress(refs[side], by_ref.get(refs[side])) for side in SIDES}
        for side in SIDES:
            indexed["{0}/{1}".format(name, side)] = described[side]
        served[name] = _served(refs["blue"], described["blue"], refs["green"], described["green"])
    return {"ingresses": indexed, "served": served}
