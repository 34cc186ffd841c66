# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check every target before anything is flipped, and plan each flip.

Every target is checked and every failure collected, so one run reports all that stands in the
way; if any target fails, nothing is flipped. A target that already serves the wanted side is not
flipped, so only its pairing and current value can fail it; its readiness is reported, not required.
"""

from dataclasses import dataclass

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import VerificationFailed
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch import gitops_guard
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.objects import (
    GROUP_NAME,
    GROUP_ORDER,
    GROUP_ORDER_MAX,
    GROUP_ORDER_MIN,
    SERVICE_NAME_LABEL,
    annotations,
    backend_services,
    desired_replicas,
    endpoint_addresses,
    evaluated_first,
    group_order,
    group_order_annotation,
    host_paths,
    parse_group_order,
    pod_is_ready,
    selector_string,
    value_at,
)
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.patches import Change


@dataclass
class Plan:
    """What verification found for one target and what its flip will write.

    ``change.before == change.after`` when the target already serves the wanted side (a no-op).
    ``subject`` is the edited object as read; ``settle`` is what converge.py waits for afterwards.
    """

    target: object
    api_kind: str
    field: str
    change: Change
    subject: dict
    verify: dict
    settle: dict

    @property
    def ref(self):
        return self.target.ref

    @property
    def noop(self):
        return self.change.before == self.change.after

    def describe(self):
        return describe_target(self.target)


def describe_target(target):
    if target.kind == "service":
        return "{0} (Service {1})".format(target.label, target.ref)
    return "{0} (Ingress {1} -> {2})".format(target.label, target.blue, target.green)


def verify_targets(cluster, targets, settings):
    """Plans for every target, in order; raises VerificationFailed listing every target that fails."""
    plans, failing = [], []
    for target in targets:
        verifier = verify_service if target.kind == "service" else verify_ingress
        plan, reasons = verifier(cluster, target, settings.state)
        if plan is not None and not plan.noop:
            reasons.extend(_gitops_refusals(cluster, plan, settings))
        elif plan is not None:
            # Nothing to edit, so nothing to refuse; who tracks the object still tells whether Git declares its value.
            plan.verify["argocd"] = gitops_guard.check(cluster, plan.api_kind, plan.subject, settings.argocd_namespace)[0]
        if reasons:
            failing.append((target, reasons))
        else:
            plans.append(plan)
    if failing:
        lines = ["- {0}: {1}".format(describe_target(target), "; ".join(reasons)) for target, reasons in failing]
        raise VerificationFailed(
            "Nothing was switched: {0} of {1} targets failed verification for state={2}:\n{3}".format(
                len(failing), len(targets), settings.state, "\n".join(lines)),
            failures=[{"target": target.label, "kind": target.kind, "namespace": target.ref.namespace, "name": target.ref.name, "reasons": reasons}
                      for target, reasons in failing],
        )
    return plans


def verify_service(cluster, target, state):
    """``(plan, reasons)`` for a Service target; plan is None when there is nothing to plan with."""
    ref = target.ref
    service = cluster.get("Service", ref.namespace, ref.name)
    if service is None:
        return None, [_missing(cluster, "Service", ref)]
    selector = value_at(service, ("spec", "selector")) or {}
    key = target.selector_key
    if key not in selector:
        return None, ["selector key {0!r} is absent from the Service selector {1}".format(key, selector)]
    wanted, other = (target.green_value, target.blue_value) if state == "green" else (target.blue_value, target.green_value)
    current = selector[key]
    reasons = []
    if current not in (wanted, other):
        reasons.append("selector {0}={1!r} is neither blue_value {2!r} nor green_value {3!r}: someone else changed it, refusing to overwrite it".format(
            key, current, target.blue_value, target.green_value))
    destination = dict(selector)
    destination[key] = wanted
    pods = cluster.list("Pod", ref.namespace, selector_string(destination))
    ready = sum(1 for pod in pods if pod_is_ready(pod))
    minimum, basis = _required_ready(cluster, ref.namespace, destination, target.min_ready)
    if ready < minimum and current != wanted:
        reasons.append("the {0} backend has {1} Ready endpoints (Ready pods matching {2}), needs at least {3} ({4})".format(
            state, ready, selector_string(destination), minimum, basis))
    plan = Plan(
        target=target,
        api_kind="Service",
        field="spec.selector.{0}".format(key),
        change=Change(path=("spec", "selector", key), before=current, after=wanted),
        subject=service,
        verify={"ready_endpoints": ready, "min_ready": minimum, "selector": destination, "argocd": None},
        settle={"selector": destination, "min_ready": minimum},
    )
    return plan, reasons


def verify_ingress(cluster, target, state):
    """``(plan, reasons)`` for an IngressGroup target; the green Ingress's group.order is what gets edited."""
    refs = {"blue": target.blue, "green": target.green}
    ingresses = {side: cluster.get("Ingress", ref.namespace, ref.name) for side, ref in refs.items()}
    missing = [_missing(cluster, "Ingress", refs[side], side) for side in ("blue", "green") if ingresses[side] is None]
    if missing:
        return None, missing
    blue, green = ingresses["blue"], ingresses["green"]
    reasons = _pairing_problems(blue, green)

    orders = {}
    for side in ("blue", "green"):
        try:
            orders[side] = group_order(ingresses[side])
        except ValueError as error:
            reasons.append("{0} Ingress {1}: the controller would refuse its {2}".format(side, refs[side], error))
    if len(orders) < 2:
        return None, reasons
    serving = evaluated_first(target.blue, orders["blue"], target.green, orders["green"])

    backends, backend_reasons = _backend_readiness(cluster, state, refs[state], ingresses[state], target.min_ready)
    before = group_order_annotation(green)
    after = before
    if serving != state:
        reasons.extend(backend_reasons)
        after, order_reason = _planned_order(target, state, orders["blue"])
        if order_reason:
            reasons.append(order_reason)
    plan = Plan(
        target=target,
        api_kind="Ingress",
        field="metadata.annotations[{0}]".format(GROUP_ORDER),
        change=Change(path=("metadata", "annotations", GROUP_ORDER), before=before, after=after,
                      parent=annotations(green) if before is None else None),
        subject=green,
        verify={
            "ready_endpoints": min((backend["ready_endpoints"] for backend in backends), default=0),
            "backends": backends,
            "group": annotations(green).get(GROUP_NAME),
            "blue": str(target.blue),
            "blue_order": orders["blue"],
            "green_order": orders["green"],
            "serving": serving,
            "argocd": None,
        },
        settle={
            "destination": refs[state],
            "other": refs["blue" if state == "green" else "green"],
            "backends": [(backend["name"], backend["min_ready"]) for backend in backends],
        },
    )
    return plan, reasons


def _pairing_problems(blue, green):
    """Why the two Ingresses are not one route in one ALB, if they are not."""
    problems = []
    blue_group, green_group = annotations(blue).get(GROUP_NAME), annotations(green).get(GROUP_NAME)
    if not blue_group or blue_group != green_group:
        problems.append("blue and green are not in the same IngressGroup ({0}: blue {1!r}, green {2!r})".format(GROUP_NAME, blue_group, green_group))
    blue_class, green_class = value_at(blue, ("spec", "ingressClassName")), value_at(green, ("spec", "ingressClassName"))
    if blue_class != green_class:
        problems.append("blue and green have different spec.ingressClassName ({0!r}, {1!r}), so one controller cannot merge them".format(
            blue_class, green_class))
    uncovered = sorted(host_paths(blue) - host_paths(green))
    if uncovered:
        problems.append("green does not route all of blue's host/path pairs; missing: {0}".format(", ".join((host or "*") + path for host, path in uncovered)))
    return problems


def _planned_order(target, state, blue_order):
    """``(annotation value, reason)``: green's new group.order, and why it cannot be used if it cannot."""
    if state == "green":
        option, value = "green_order", target.green_order
        default, default_text = blue_order - 1, "blue's group.order - 1"
    else:
        option, value = "previous", target.previous
        default, default_text = blue_order + 1, "blue's group.order + 1"
    if value is None:
        if not GROUP_ORDER_MIN <= default <= GROUP_ORDER_MAX:
            return None, "{0} = {1} is outside {2}..{3}; set {4}.{5}".format(default_text, default, GROUP_ORDER_MIN, GROUP_ORDER_MAX, target.label, option)
        return str(default), None
    after = str(value)
    if evaluated_first(target.blue, blue_order, target.green, parse_group_order(after)) != state:
        return after, ("{0}.{1}={2} would not put {3} first: blue's group.order is {4}, and equal orders go to the lexically smaller "
                       "namespace/name".format(target.label, option, after, state, blue_order))
    return after, None


def _backend_readiness(cluster, side, ref, ingress, min_ready):
    """Ready endpoints of every Service the Ingress routes to, from their EndpointSlices."""
    names = backend_services(ingress)
    if not names:
        return [], ["the {0} Ingress {1} routes to no Service".format(side, ref)]
    backends, reasons = [], []
    for name in names:
        service = cluster.get("Service", ref.namespace, name)
        if service is None:
            reasons.append("the {0} backend Service {1}/{2} does not exist".format(side, ref.namespace, name))
            continue
        slices = cluster.list("EndpointSlice", ref.namespace, "{0}={1}".format(SERVICE_NAME_LABEL, name))
        ready = len(endpoint_addresses(slices)[0])
        minimum, basis = _required_ready(cluster, ref.namespace, value_at(service, ("spec", "selector")) or {}, min_ready)
        backends.append({"namespace": ref.namespace, "name": name, "ready_endpoints": ready, "min_ready": minimum})
        if ready < minimum:
            reasons.append("the {0} backend Service {1}/{2} has {3} Ready endpoints, needs at least {4} ({5})".format(
                side, ref.namespace, name, ready, minimum, basis))
    return backends, reasons


def _required_ready(cluster, namespace, selector, min_ready):
    """``(minimum, basis)``: min_ready when given, else every desired replica of the matching Deployments, at least 1."""
    if min_ready is not None:
        return min_ready, "min_ready"
    desired, names = desired_replicas(cluster.list("Deployment", namespace), selector)
    if not names:
        return 1, "no Deployment's pod template matches {0}".format(selector_string(selector) or "the selector")
    return max(1, desired), "all {0} desired replicas of Deployment {1}".format(desired, ", ".join(names))


def _missing(cluster, kind, ref, side=None):
    if cluster.get("Namespace", None, ref.namespace) is None:
        return "namespace {0!r} does not exist".format(ref.namespace)
    return "{0}{1} {2} does not exist".format(side + " " if side else "", kind, ref)


def _gitops_refusals(cluster, plan, settings):
    info, refusal = gitops_guard.check(cluster, plan.api_kind, plan.subject, settings.argocd_namespace)
    plan.verify["argocd"] = info
    if refusal is None:
        return []
    if settings.gitops_frozen:
        info["gitops_frozen"] = True
        return []
    return [refusal]
