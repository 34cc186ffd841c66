# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The green rollout, from checked settings to the report: every wait shares one deadline.

In order: the green namespaces exist; every blue Deployment exists (a snapshot); green is written (cloned from blue, or
the given manifests) or left to Argo CD; every green Deployment is rolled out, every green Ingress admitted by
the load balancer controller, every green NodePort has a target group and those groups are healthy; blue's Deployments
are still what they were. Each check that fails raises one error naming every domain at fault.
"""

import time

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2 import runner as alb_health
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import VerificationFailed, WaitTimeout
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.green_rollout.apply import apply_object
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.green_rollout.copies import GROUP_ORDER, green_copies
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.green_rollout.waits import (
    green_groups,
    node_port_domains,
    pending_deployments,
    pending_ingresses,
)
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.timing import Deadline, poll_until


def _by_name(objects):
    return {obj["metadata"]["name"]: obj for obj in objects}


def _never_ready(settings, pending):
    return VerificationFailed("; ".join("green of domain {0} never became ready within the green deploy timeout ({1:g} s): {2}".format(
        domain, settings.timeout, why) for domain, why in pending.items()), pending=pending)


def _wait_for(read, pending_of, settings, deadline, sleep, clock):
    """Poll ``read()`` (one list) until ``pending_of(listed)`` is empty; raise naming every domain still pending."""
    seen = {}

    def done():
        seen["pending"] = pending_of(settings, read())
        return not seen["pending"]

    poll_until(done, deadline.left(), settings.poll_interval, sleep=sleep, clock=clock)
    if seen["pending"]:
        raise _never_ready(settings, seen["pending"])


def _describe_unhealthy(groups):
    parts = []
    for group in groups:
        if group["all_healthy"]:
            continue
        sick = [target for target in group["targets"] if target["state"] != "healthy"]
        states = list(dict.fromkeys(" ".join(part for part in (target["state"], target.get("reason") or "") if part) for target in sick))
        parts.append("{0} ({1}{2} of {3} targets healthy{4})".format(
            group["name"], "domain {0}, ".format(", ".join(group["domains"])) if group.get("domains") else "",
            group["counts"].get("healthy", 0), group["registered"], ", " + ", ".join(states) if states else ""))
    return ", ".join(parts)


def _await_target_health(cluster, elbv2, settings, deadline, sleep, clock):
    """The green target groups once all are healthy: found by name, or by the green Services' NodePorts."""
    if settings.target_group_names:
        selector, value, ports = "target_group_names", list(settings.target_group_names), {}
    else:
        ports = node_port_domains(settings, cluster.list("Service", None, label_selector=settings.label_selector))
        lacking = [domain for domain in settings.domains if domain not in ports.values()]
        if lacking:
            raise VerificationFailed(
                "green of domain(s) {0}: no Service with a NodePort, so its instance-mode target group cannot be found; list the target "
                "groups in target_group_names or set target_health to false".format(", ".join(lacking)))
        seen = {}

        def every_port_has_a_group():
            seen["groups"] = green_groups(alb_health.every_target_group(elbv2, settings.load_balancer_name), ports)
            covered = {target["port"] for group in seen["groups"] for target in group["targets"]}
            seen["without"] = [port for port in ports if port not in covered]
            return not seen["without"]

        poll_until(every_port_has_a_group, deadline.left(), settings.poll_interval, sleep=sleep, clock=clock)
        if seen["without"]:
            raise VerificationFailed(
                "green never became ready within the green deploy timeout ({0:g} s): no target group of load balancer {1} has targets on "
                "the green NodePort of domain(s) {2} (NodePorts {3})".format(
                    settings.timeout, settings.load_balancer_name, ", ".join(dict.fromkeys(ports[port] for port in seen["without"])),
                    ", ".join(str(port) for port in seen["without"])))
        selector, value = "target_group_arns", [group["arn"] for group in seen["groups"]]
    try:
        health = alb_health.wait_all_healthy(elbv2, selector, value, deadline.left(), settings.poll_interval, settings.consecutive,
                                             sleep=sleep, clock=clock)
    except WaitTimeout as error:
        reports = error.details.get("target_groups") or []
        groups = green_groups(reports, ports) if ports else reports
        raise VerificationFailed("green never became ready within the green deploy timeout ({0:g} s): target groups not healthy: {1}".format(
            settings.timeout, _describe_unhealthy(groups) or error), not_healthy=error.details.get("not_healthy") or [])
    return health


def _blue_changes(settings, before, after):
    """One sentence per blue Deployment whose identity, labels, annotations or spec moved (resourceVersion alone does not count:
    the Deployment controller bumps it on every status change, such as a blue pod restarting)."""
    changes = []
    for domain, name in settings.workloads:
        then, now = before[name], after.get(name)
        if now is None:
            changes.append("blue Deployment {0}/{1} (domain {2}) is gone".format(settings.source_namespace, name, domain))
            continue
        moved = [field for field, path in (("uid", ("metadata", "uid")), ("generation", ("metadata", "generation")),
                                           ("labels", ("metadata", "labels")), ("annotations", ("metadata", "annotations")), ("spec", ("spec",)))
                 if _at(then, path) != _at(now, path)]
        if moved:
            changes.append("blue Deployment {0}/{1} (domain {2}) changed while green was deployed: {3} differ (resourceVersion {4} -> {5})".format(
                settings.source_namespace, name, domain, ", ".join(moved), then["metadata"].get("resourceVersion"),
                now["metadata"].get("resourceVersion")))
    return changes


def _at(obj, path):
    for key in path:
        obj = (obj or {}).get(key)
    return obj or None


def run(cluster, elbv2, settings, check_mode, sleep=time.sleep, clock=time.monotonic):
    """The module result with ``report`` (what the ledger records), or a VerificationFailed naming every domain at fault."""
    start = clock()
    report = {"source": settings.source, "domains": list(settings.domains), "objects_changed": 0, "awaited": False, "seconds_left": None,
              "target_groups": [], "blue_resource_versions": {}}
    existing = {namespace["metadata"]["name"] for namespace in cluster.list("Namespace", None)}
    missing = [domain for domain in settings.domains if domain not in existing]
    if missing and not check_mode:
        raise VerificationFailed("domains: namespaces {0} not found (create them first, for example with the ecoeco.bluegreen.namespaces "
                                 "role / phase 10)".format(", ".join(missing)))
    if missing:
        # In check mode a missing namespace is one that phase 10 only planned: green in it cannot even be dry-run.
        return {"changed": True, "report": report, "objects": [], "duration": round(clock() - start, 3),
                "msg": "check mode: namespaces {0} do not exist yet (phase 10 only planned them), so green in them cannot even be dry-run; "
                       "readiness is not awaited".format(", ".join(missing))}

    blue_before = _by_name(cluster.list("Deployment", settings.source_namespace))
    absent = [name for _domain, name in settings.workloads if name not in blue_before]
    if absent:
        raise VerificationFailed("blue Deployments {0} not found in source_namespace {1} (expected <domain>{2} for every domain)".format(
            ", ".join(absent), settings.source_namespace, settings.name_suffix))

    applied = []
    if settings.source == "clone_blue":
        blue = {"Deployment": blue_before, "Service": _by_name(cluster.list("Service", settings.source_namespace))}
        existing_orders = {}
        if settings.ingress:
            blue["Ingress"] = _by_name(cluster.list("Ingress", settings.source_namespace))
            existing_orders = {"{0}/{1}".format(ingress["metadata"]["namespace"], ingress["metadata"]["name"]): ingress["metadata"]["annotations"][GROUP_ORDER]
                               for ingress in cluster.list("Ingress", None, label_selector=settings.label_selector)
                               if GROUP_ORDER in (ingress["metadata"].get("annotations") or {})}
        applied = [apply_object(cluster, body, check_mode) for body in green_copies(settings, blue, existing_orders)]
    elif settings.source == "manifests":
        applied = [apply_object(cluster, body, check_mode) for body in settings.definitions]
    changed = [entry for entry in applied if entry["changed"]]
    report["objects_changed"] = len(changed)

    health = None
    deadline = Deadline(settings.timeout, clock)
    # Check mode creates nothing; waiting for objects that would only be created cannot succeed.
    if not (check_mode and changed):
        _wait_for(lambda: cluster.list("Deployment", None, label_selector=settings.label_selector), pending_deployments, settings, deadline, sleep, clock)
        if settings.ingress:
            _wait_for(lambda: cluster.list("Ingress", None, label_selector=settings.label_selector), pending_ingresses, settings, deadline, sleep, clock)
        if settings.target_health:
            health = _await_target_health(cluster, elbv2, settings, deadline, sleep, clock)
        report.update(awaited=True, seconds_left=round(deadline.left(), 1),
                      target_groups=[group["name"] for group in (health or {}).get("target_groups") or []])

    blue_after = _by_name(cluster.list("Deployment", settings.source_namespace))
    changes = _blue_changes(settings, blue_before, blue_after)
    if changes:
        raise VerificationFailed("; ".join(changes))
    report["blue_resource_versions"] = {domain: blue_after[name]["metadata"].get("resourceVersion") for domain, name in settings.workloads}

    return {"changed": bool(changed), "report": report, "duration": round(clock() - start, 3),
            "objects": [{"object": entry["object"], "created": entry["created"]} for entry in changed],
            "diff": [{"before_header": entry["object"], "after_header": entry["object"], "before": entry["before"] or {}, "after": entry["after"]}
                     for entry in changed]}
