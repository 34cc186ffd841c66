"""Where one request goes: ALB listener rules -> target group -> NodePort Service -> a Ready endpoint.

Pure functions over plain data, so the decision is unit-tested without a cluster. The tables come
from ``state`` (moto's listener rules and target groups, the API server's Services and EndpointSlices).

ALB matching (docs: "Listener rules for your Application Load Balancer"): rules are evaluated in
priority order, lowest first; a rule matches when every condition matches; host-header and
path-pattern values use ``*`` (any characters) and ``?`` (one character); host names compare
case-insensitively, paths case-sensitively; no match -> the listener's default action (404 here).
"""

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Rule:
    """One listener rule: priority, host-header and path-pattern values (empty = any), target group ARN."""

    priority: int
    hosts: tuple
    paths: tuple
    target_group_arn: str | None


@dataclass(frozen=True)
class Endpoint:
    """A Ready endpoint of a Service: pod IP, target port, and the pod it belongs to."""

    ip: str
    port: int
    pod: str | None = None


@dataclass(frozen=True)
class Decision:
    """``status`` is None when the request goes to ``endpoint``; else the code the front door answers."""

    status: int | None
    reason: str
    endpoint: Endpoint | None = None
    target_group_arn: str | None = None


@lru_cache(maxsize=1024)
def _wildcard(pattern, ignore_case):
    expression = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(expression + r"\Z", re.IGNORECASE if ignore_case else 0)


def host_matches(values, host):
    """True when ``host`` (port stripped) matches one of the host-header ``values``, or there are none."""
    name = (host or "").split(":", 1)[0]
    return not values or any(_wildcard(value, True).match(name) for value in values)


def path_matches(values, path):
    """True when ``path`` (query stripped) matches one of the path-pattern ``values``, or there are none."""
    bare = path.split("?", 1)[0]
    return not values or any(_wildcard(value, False).match(bare) for value in values)


def matching_rule(rules, host, path):
    """The first rule by priority whose conditions all match, or None (the default action)."""
    for rule in sorted(rules, key=lambda r: r.priority):
        if host_matches(rule.hosts, host) and path_matches(rule.paths, path):
            return rule
    return None


def decide(rules, node_ports, endpoints, host, path, pick=lambda candidates: candidates[0]):
    """Route one request.

    ``node_ports``: target group ARN -> its port (the Service's NodePort, instance targets);
    ``endpoints``: NodePort -> tuple of Ready Endpoints of the Service behind it, as kube-proxy sees them;
    ``pick`` chooses one endpoint among the candidates (kube-proxy spreads connections).
    """
    rule = matching_rule(rules, host, path)
    if rule is None:
        return Decision(404, "no listener rule matches (default action)")
    if rule.target_group_arn is None:
        return Decision(503, "rule {0} does not forward to one target group".format(rule.priority))
    node_port = node_ports.get(rule.target_group_arn)
    if node_port is None:
        return Decision(503, "target group of rule {0} is unknown".format(rule.priority), target_group_arn=rule.target_group_arn)
    candidates = endpoints.get(node_port) or ()
    if not candidates:
        # kube-proxy rejects connections to a Service without Ready endpoints; the ALB answers 503.
        return Decision(503, "no Ready endpoint behind NodePort {0}".format(node_port), target_group_arn=rule.target_group_arn)
    return Decision(None, "rule {0} -> NodePort {1}".format(rule.priority, node_port), pick(candidates), rule.target_group_arn)


def rules_from_listener(described_rules):
    """Rules from ``describe_rules`` output, the default rule left out."""
    rules = []
    for rule in described_rules:
        if rule.get("IsDefault"):
            continue
        hosts, paths = (), ()
        for condition in rule.get("Conditions") or []:
            if condition["Field"] == "host-header":
                hosts = tuple((condition.get("HostHeaderConfig") or {}).get("Values") or condition.get("Values") or ())
            elif condition["Field"] == "path-pattern":
                paths = tuple((condition.get("PathPatternConfig") or {}).get("Values") or condition.get("Values") or ())
        rules.append(Rule(int(rule["Priority"]), hosts, paths, _single_forward(rule.get("Actions") or [])))
    return rules


def _single_forward(actions):
    forwards = [a for a in actions if a.get("Type") == "forward"]
    if len(forwards) != 1:
        return None
    groups = (forwards[0].get("ForwardConfig") or {}).get("TargetGroups") or []
    if forwards[0].get("TargetGroupArn"):
        return forwards[0]["TargetGroupArn"]
    return groups[0]["TargetGroupArn"] if len(groups) == 1 else None


def endpoints_by_node_port(services, endpoint_slices):
    """NodePort -> tuple of Ready Endpoints, from Service and EndpointSlice dicts (the API's JSON).

    The Service port that owns the NodePort maps to the endpoint port of the same name (kube-proxy).
    """
    slices_by_service = {}
    for endpoint_slice in endpoint_slices:
        metadata = endpoint_slice["metadata"]
        service = (metadata.get("labels") or {}).get("kubernetes.io/service-name")
        if service:
            slices_by_service.setdefault((metadata.get("namespace"), service), []).append(endpoint_slice)
    table = {}
    for service in services:
        metadata = service["metadata"]
        for port in (service.get("spec") or {}).get("ports") or []:
            if not port.get("nodePort"):
                continue
            ready = []
            for endpoint_slice in slices_by_service.get((metadata.get("namespace"), metadata["name"]), []):
                slice_port = next((p.get("port") for p in endpoint_slice.get("ports") or [] if p.get("name", "") == port.get("name", "")), None)
                if slice_port is None:
                    continue
                for endpoint in endpoint_slice.get("endpoints") or []:
                    if (endpoint.get("conditions") or {}).get("ready") is False:
                        continue
                    pod = (endpoint.get("targetRef") or {}).get("name")
                    ready.extend(Endpoint(address, int(slice_port), pod) for address in endpoint.get("addresses") or [])
            table[int(port["nodePort"])] = tuple(sorted(ready, key=lambda e: (e.ip, e.port)))
    return table
