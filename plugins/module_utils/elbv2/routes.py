# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""alb_routes from validated options to the result: read the ALB's rules once per poll, judge every route, maybe wait.

One poll reads the load balancer, its listeners, each listener's rules (paginated) and the ports of the target
groups the rules name (a few per call), whatever the number of routes.
"""

import time
from dataclasses import dataclass
from typing import Optional

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2 import api
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2.listener_rules import first_match, parse_rules, serving_side
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import InvalidInput, NotFound, WaitTimeout
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.timing import poll_until

SIDES = ("blue", "green")
TARGET_GROUPS_PER_CALL = 20


@dataclass(frozen=True)
class Route:
    name: str
    host: str
    path: str
    ports: dict


@dataclass(frozen=True)
class Settings:
    load_balancer_name: str
    routes: tuple
    wait_for: Optional[str]
    timeout: float
    poll_interval: float


def _parse_route(index, route):
    where = "routes[{0}]".format(index)
    if not isinstance(route, dict):
        raise InvalidInput(where, "a dict with name, path and ports", route)
    name = route.get("name")
    if not isinstance(name, str) or not name:
        raise InvalidInput(where + ".name", "a non-empty string", name)
    path = route.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        raise InvalidInput(where + ".path", "a request path starting with /", path)
    host = route.get("host") or ""
    if not isinstance(host, str):
        raise InvalidInput(where + ".host", "a host name or empty", host)
    ports = route.get("ports")
    if not isinstance(ports, dict) or not set(ports) <= set(SIDES) or not ports:
        raise InvalidInput(where + ".ports", "a dict from blue and/or green to the NodePort of that side's backend Service", ports)
    for side, port in ports.items():
        if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535):
            raise InvalidInput("{0}.ports.{1}".format(where, side), "a port number (1-65535) or null", port)
    return Route(name, host, path, dict(ports))


def parse_settings(params):
    """Check every option before the first AWS call; raises InvalidInput naming the option."""
    if not params["load_balancer_name"]:
        raise InvalidInput("load_balancer_name", "the name of the ALB")
    for option in ("timeout", "poll_interval"):
        if params[option] <= 0:
            raise InvalidInput(option, "a number of seconds greater than 0", params[option])
    routes = tuple(_parse_route(index, route) for index, route in enumerate(params["routes"] or []))
    if not routes:
        raise InvalidInput("routes", "at least one route")
    names = [route.name for route in routes]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise InvalidInput("routes", "each route name once", duplicates)
    return Settings(params["load_balancer_name"], routes, params.get("wait_for"), float(params["timeout"]), float(params["poll_interval"]))


def read_rules(client, load_balancer_name):
    """``(load_balancer, [(listener, rules)], port_of)``: one reading of the ALB's rules and their target groups' ports."""
    found = api.describe_load_balancers(client, Names=[load_balancer_name])
    if not found:
        raise NotFound("load_balancer_name: no load balancer named {0!r}".format(load_balancer_name), field="load_balancer_name")
    load_balancer = found[0]
    listeners = []
    for listener in api.describe_listeners(client, load_balancer["LoadBalancerArn"]) or []:
        described = api.describe_rules(client, listener["ListenerArn"])
        if described is not None:
            listeners.append((listener, parse_rules(described)))
    arns = sorted({forward.arn for _listener, rules in listeners for rule in rules for forward in rule.forwards})
    port_of = {}
    for start in range(0, len(arns), TARGET_GROUPS_PER_CALL):
        # A group deleted since the rules were read leaves its port unknown: its route is judged "unknown" this time.
        for group in api.describe_target_groups(client, TargetGroupArns=arns[start:start + TARGET_GROUPS_PER_CALL]):
            port_of[group["TargetGroupArn"]] = group.get("Port")
    return load_balancer, listeners, port_of


def judge_route(route, listeners, port_of):
    """What serves ``route`` on every listener; a listener that redirects it (HTTP to HTTPS) serves no side and is left out."""
    answers = []
    for listener, rules in listeners:
        rule = first_match(rules, route.host, route.path)
        side, reason = serving_side(rule, route.ports, port_of)
        answers.append({
            "port": listener.get("Port"),
            "protocol": listener.get("Protocol"),
            "rule_priority": None if rule is None or rule.priority == float("inf") else rule.priority,
            "serving": side,
            "reason": reason,
            "redirects": rule is not None and rule.action == "redirect",
        })
    sides = {answer["serving"] for answer in answers if not answer["redirects"]}
    serving = sides.pop() if len(sides) == 1 else ("none" if not sides else "mixed")
    return {"name": route.name, "host": route.host, "path": route.path, "serving": serving, "listeners": answers}


def run(client, settings, sleep=time.sleep, clock=time.monotonic):
    start = clock()
    reading = {}
    polls = [0]

    def judge_all():
        polls[0] += 1
        load_balancer, listeners, port_of = read_rules(client, settings.load_balancer_name)
        reading["load_balancer"] = load_balancer
        reading["routes"] = [judge_route(route, listeners, port_of) for route in settings.routes]
        return settings.wait_for is None or all(route["serving"] == settings.wait_for for route in reading["routes"])

    done, _waited = poll_until(judge_all, settings.timeout if settings.wait_for else 0, settings.poll_interval, sleep=sleep, clock=clock)
    load_balancer = reading["load_balancer"]
    result = {
        "changed": False,
        "load_balancer": {"name": load_balancer["LoadBalancerName"], "arn": load_balancer["LoadBalancerArn"], "dns_name": load_balancer["DNSName"]},
        "routes": reading["routes"],
        "serving": {route["name"]: route["serving"] for route in reading["routes"]},
        "polls": polls[0],
        "duration": round(clock() - start, 3),
    }
    if not done:
        elsewhere = [route for route in reading["routes"] if route["serving"] != settings.wait_for]
        raise WaitTimeout(
            "ALB {0}: after {1:g} s (timeout {2:g} s) its rules still do not send {3} of {4} route(s) to {5}: {6}".format(
                settings.load_balancer_name, result["duration"], settings.timeout, len(elsewhere), len(reading["routes"]), settings.wait_for,
                "; ".join("{0} is served by {1} ({2})".format(route["name"], route["serving"], _reasons(route)) for route in elsewhere)),
            **result
        )
    return result


def _reasons(route):
    return ", ".join("{0} {1}: {2}".format(answer["protocol"], answer["port"], answer["reason"]) for answer in route["listeners"]) or "no listener"
