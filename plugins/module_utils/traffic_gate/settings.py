# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The traffic gate's options, checked before the first read: a bad one is refused naming it, and nothing is read."""

from dataclasses import dataclass

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import InvalidInput
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.sides import SIDES
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.targets import ObjectRef

SERVING = ("blue", "green", "any")
ROUTE_SHAPE = "{name, blue: {namespace, name}, green: {namespace, name}}"


@dataclass(frozen=True)
class Settings:
    load_balancer_name: str
    routes: tuple  # of (route name, {side: ObjectRef of its Ingress})
    serving: str
    admitted: tuple
    all_target_groups: bool
    timeout: float
    poll_interval: float
    consecutive: int
    deployments: tuple = ()  # of ObjectRef: each must exist and be rolled out
    ready_endpoints: bool = False  # every admitted backend Service has a Ready endpoint


def _route(index, route):
    where = "routes[{0}]".format(index)
    if not isinstance(route, dict) or not isinstance(route.get("name"), str) or not route["name"]:
        raise InvalidInput(where, ROUTE_SHAPE, route)
    refs = {}
    for side in SIDES:
        ref = route.get(side)
        if not isinstance(ref, dict) or not all(isinstance(ref.get(key), str) and ref[key] for key in ("namespace", "name")):
            raise InvalidInput("{0}.{1}".format(where, side), "the namespace and name of the route's {0} Ingress".format(side), ref)
        refs[side] = ObjectRef(ref["namespace"], ref["name"])
    return route["name"], refs


def _deployment(index, ref):
    if not isinstance(ref, dict) or not all(isinstance(ref.get(key), str) and ref[key] for key in ("namespace", "name")):
        raise InvalidInput("deployments[{0}]".format(index), "{namespace, name} of a Deployment", ref)
    return ObjectRef(ref["namespace"], ref["name"])


def parse_settings(params):
    if not params["load_balancer_name"]:
        raise InvalidInput("load_balancer_name", "the name of the ALB (load-balancer-name of the IngressGroup)")
    routes = tuple(_route(index, route) for index, route in enumerate(params["routes"] or []))
    if not routes:
        raise InvalidInput("routes", "a non-empty list of " + ROUTE_SHAPE)
    names = [name for name, _refs in routes]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise InvalidInput("routes", "each route name once", duplicates)
    admitted = tuple(dict.fromkeys(params["admitted"]))
    if not admitted or not set(admitted) <= set(SIDES):
        raise InvalidInput("admitted", "a non-empty list of blue and/or green", params["admitted"])
    for option in ("timeout", "poll_interval"):
        if params[option] <= 0:
            raise InvalidInput(option, "a number of seconds greater than 0", params[option])
    if params["consecutive"] < 1:
        raise InvalidInput("consecutive", "a number of polls of at least 1", params["consecutive"])
    deployments = tuple(dict.fromkeys(_deployment(index, ref) for index, ref in enumerate(params.get("deployments") or [])))
    return Settings(params["load_balancer_name"], routes, params["serving"], admitted, params["all_target_groups"],
                    float(params["timeout"]), float(params["poll_interval"]), params["consecutive"],
                    deployments, bool(params.get("ready_endpoints")))
