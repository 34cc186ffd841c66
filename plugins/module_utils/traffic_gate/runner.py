# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The traffic gate, from checked settings to the report: every wait of one gate shares one deadline.

In order: the ALB; the Ingresses of the routes put into it by the AWS Load Balancer Controller; their group.order
valid and (for ``serving`` blue or green) putting the expected side first; every backend Service of the admitted sides
there; the named Deployments rolled out and (``ready_endpoints``) every such Service with a Ready endpoint; a target
group on every backend's NodePort; the ALB's own listener rules serving every route from the expected side
(the controller may not have applied the annotations, or may refuse the whole group); the target groups healthy.
Each check that fails raises one error naming every route, Ingress or target at fault.
"""

import time

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2 import routes as alb_rules
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2 import runner as alb_health
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2.route_probes import route_probes
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import VerificationFailed, WaitTimeout
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.sides import SIDES, index_by_ref, route_sides
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.timing import Deadline, poll_until
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.traffic_gate.backends import admitted_backends, admitted_groups, unmatched
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.traffic_gate import readiness
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.traffic_gate.warnings import ingress_warnings

# Warning events the controller records on Ingresses (a field selector keeps the list small).
WARNINGS_ON_INGRESSES = "type=Warning,involvedObject.kind=Ingress"


def _admission_pending(ingresses, settings, dns_name):
    """``<route>/<side>`` of every existing Ingress to admit that the controller has not put into the ALB yet."""
    described = route_sides(ingresses, settings.routes)["ingresses"]
    keys = ["{0}/{1}".format(name, side) for name, _refs in settings.routes for side in settings.admitted]
    return [key for key in keys if described[key]["exists"] and described[key]["hostname"].lower() != dns_name]


def _refuse_invalid_orders(ingresses):
    refused = [ingress for ingress in ingresses.values() if ingress["invalid"]]
    if refused:
        raise VerificationFailed(
            "{0}; the AWS Load Balancer Controller stops reconciling the whole group, so the ALB keeps its current rules: fix the "
            "annotation first".format("; ".join("Ingress {namespace}/{name}: {invalid}".format(**ingress) for ingress in refused)))


def _describe_order(ingress):
    return "group.order {0}".format(ingress["order"]) if ingress["exists"] else "absent"


def _refuse_wrong_side(state, settings):
    wrong = []
    for name, _refs in settings.routes:
        served = state["served"][name]
        if served == settings.serving:
            continue
        blue, green = (state["ingresses"]["{0}/{1}".format(name, side)] for side in SIDES)
        wrong.append("route {0}: expected the {1} Ingress to be evaluated first, but {2} (blue {3}/{4}: {5}; green {6}/{7}: {8})".format(
            name, settings.serving, "neither Ingress exists" if served == "none" else "the {0} one is".format(served),
            blue["namespace"], blue["name"], _describe_order(blue), green["namespace"], green["name"], _describe_order(green)))
    if wrong:
        raise VerificationFailed("; ".join(wrong))


def _refuse_not_admitted(state, settings, dns_name):
    refused = []
    for name, _refs in settings.routes:
        for side in settings.admitted:
            ingress = state["ingresses"]["{0}/{1}".format(name, side)]
            if not ingress["exists"]:
                refused.append("route {0}: the {1} Ingress {2}/{3} does not exist".format(name, side, ingress["namespace"], ingress["name"]))
            elif ingress["hostname"].lower() != dns_name:
                refused.append(
                    "route {0}: the {1} Ingress {2}/{3} is not in ALB {4} after {5:g} s (status hostname {6!r}, ALB {7}): check its "
                    "group.name, load-balancer-name and the controller events".format(
                        name, side, ingress["namespace"], ingress["name"], settings.load_balancer_name, settings.timeout,
                        ingress["hostname"], dns_name))
    if refused:
        raise VerificationFailed("; ".join(refused))


def _route_dicts(settings):
    return [dict({side: {"namespace": refs[side].namespace, "name": refs[side].name} for side in SIDES}, name=name)
            for name, refs in settings.routes]


def _read_rules(cluster, elbv2, settings, ingresses, services, deadline, sleep, clock):
    """Which side the ALB's rules serve every route from; for ``serving`` blue or green, wait for it and say why not."""
    wait_for = None if settings.serving == "any" else settings.serving
    rules = alb_rules.parse_settings({"load_balancer_name": settings.load_balancer_name,
                                      "routes": route_probes(ingresses, services, _route_dicts(settings)),
                                      "wait_for": wait_for, "timeout": deadline.left(), "poll_interval": settings.poll_interval})
    try:
        return alb_rules.run(elbv2, rules, sleep=sleep, clock=clock)["serving"]
    except WaitTimeout as error:
        said = ingress_warnings(cluster.list("Event", None, field_selector=WARNINGS_ON_INGRESSES), settings.routes)
        raise VerificationFailed("{0}. The AWS Load Balancer Controller says: {1}".format(
            error, "; ".join(said) if said else "nothing (no Warning event on an Ingress of the routes)"), serving=error.details.get("serving"))


def _health_failure(error, settings, groups):
    scope = "every target group of the ALB" if settings.all_target_groups else "the target groups of the {0} side".format(
        "/".join(settings.admitted))
    serves = {group["name"]: group["serves"] for group in groups}
    by_group = {}
    for target in error.details.get("not_healthy") or []:
        by_group.setdefault(target["target_group"], []).append(target)
    parts = []
    for name, targets in by_group.items():
        listed = ", ".join("{0} port {1} {2}{3}".format(target["id"], target["port"], target["state"],
                                                        " ({0})".format(target["reason"]) if target.get("reason") else "")
                           for target in targets)
        parts.append("{0}{1}: {2} target(s) not healthy: {3}".format(
            name, " ({0})".format(", ".join(serves[name])) if name in serves else "", len(targets), listed))
    return VerificationFailed("ALB {0}: target groups not all healthy within {1:g} s ({2}): {3}".format(
        settings.load_balancer_name, settings.timeout, scope, "; ".join(parts) if parts else str(error)),
        not_healthy=error.details.get("not_healthy") or [])


def _wait_for_workloads(cluster, settings, backends, deadline, sleep, clock):
    """Wait until every named Deployment is rolled out and (``ready_endpoints``) every admitted backend Service has a
    Ready endpoint: one list of Deployments and one of EndpointSlices per poll. A missing Deployment ends the wait
    (waiting would not create it). Returns ``{service: number of Ready endpoints}`` ({} when not asked), or raises naming
    every Deployment and Service at fault."""
    services = readiness.backend_services(backends) if settings.ready_endpoints else {}
    seen = {"missing": [], "problems": [], "counts": {}}

    def ready():
        missing, problems = [], []
        if settings.deployments:
            missing, problems = readiness.deployment_problems(cluster.list("Deployment", None), settings.deployments)
        if services:
            slices = cluster.list("EndpointSlice", None, label_selector=readiness.service_name_selector(services))
            seen["counts"] = readiness.ready_endpoints(slices, services)
            problems += readiness.endpoint_problems(seen["counts"], services)
        seen["missing"], seen["problems"] = missing, problems
        return bool(missing) or not problems

    if not settings.deployments and not services:
        return {}
    _value, waited = poll_until(ready, deadline.left(), settings.poll_interval, sleep=sleep, clock=clock)
    at_fault = seen["missing"] + seen["problems"]
    if at_fault:
        raise VerificationFailed("not ready after {0:g} s (the gate allows {1:g} s): {2}".format(
            round(waited, 1), settings.timeout, "; ".join(at_fault)), not_ready=at_fault)
    return seen["counts"]


def run(cluster, elbv2, settings, sleep=time.sleep, clock=time.monotonic):
    """The gate's report, or a VerificationFailed/WaitTimeout/NotFound naming everything at fault."""
    start = clock()
    deadline = Deadline(settings.timeout, clock)
    load_balancer = alb_health.find_load_balancer(elbv2, "load_balancer_name", settings.load_balancer_name)
    dns_name = load_balancer["DNSName"].lower()

    # One list of every Ingress per poll, whatever the number of routes. A missing Ingress is not waited for:
    # waiting would not create it.
    listed = {}

    def admitted():
        listed["ingresses"] = cluster.list("Ingress", None)
        return not _admission_pending(listed["ingresses"], settings, dns_name)

    poll_until(admitted, deadline.left(), settings.poll_interval, sleep=sleep, clock=clock)
    ingresses = listed["ingresses"]
    state = route_sides(ingresses, settings.routes)
    _refuse_invalid_orders(state["ingresses"])
    if settings.serving != "any":
        _refuse_wrong_side(state, settings)
    _refuse_not_admitted(state, settings, dns_name)

    services = cluster.list("Service", None)
    backends = admitted_backends(state["ingresses"], index_by_ref(services), settings.routes, settings.admitted)
    missing = list(dict.fromkeys(backend["service"] for backend in backends if backend["missing"]))
    if missing:
        raise VerificationFailed("backend Services missing: {0} (an Ingress whose Service is missing gets no target group)".format(
            ", ".join(missing)))

    # What the target groups' health follows: the Deployments rolled out, the Services' endpoints Ready.
    endpoints = _wait_for_workloads(cluster, settings, backends, deadline, sleep, clock)

    # The ALB usually has every target group already (a steady state): then one read, no wait.
    seen = {}

    def every_backend_has_a_group():
        seen["groups"] = alb_health.every_target_group(elbv2, settings.load_balancer_name)
        return not unmatched(backends, seen["groups"])

    poll_until(every_backend_has_a_group, deadline.left(), settings.poll_interval, sleep=sleep, clock=clock)
    lacking = unmatched(backends, seen["groups"])
    if lacking:
        raise VerificationFailed("ALB {0} has no target group for some admitted backends after {1:g} s: {2}".format(
            settings.load_balancer_name, settings.timeout,
            "; ".join("{key} (NodePort {node_port} of Service {service})".format(**backend) for backend in lacking)))
    groups = admitted_groups(backends, seen["groups"])

    alb_serving = _read_rules(cluster, elbv2, settings, ingresses, services, deadline, sleep, clock)

    every_group = settings.all_target_groups or not groups
    selector, value = ("load_balancer_name", settings.load_balancer_name) if every_group else ("target_group_arns", [group["arn"] for group in groups])
    try:
        health = alb_health.wait_all_healthy(elbv2, selector, value, deadline.left(), settings.poll_interval, settings.consecutive,
                                             sleep=sleep, clock=clock)
    except WaitTimeout as error:
        raise _health_failure(error, settings, groups)

    report = {
        "alb": {"name": settings.load_balancer_name, "dns_name": load_balancer["DNSName"]},
        "healthy": health["all_healthy"],
        "served": state["served"],
        "alb_serving": alb_serving,
        "groups": list(dict.fromkeys(ingress["group"] for ingress in state["ingresses"].values() if ingress["group"])),
        "backends": backends,
        "orders": {key: ingress["order"] for key, ingress in state["ingresses"].items()},
        "target_groups": [{"name": group["name"], "all_healthy": group["all_healthy"], "counts": group["counts"]} for group in health["target_groups"]],
        "wait_seconds": health["duration"],
        "deployments": ["{0}/{1}".format(ref.namespace, ref.name) for ref in settings.deployments],
        "ready_endpoints": endpoints,
    }
    return {"changed": False, "report": report, "duration": round(clock() - start, 3)}
