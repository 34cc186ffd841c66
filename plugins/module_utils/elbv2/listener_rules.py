# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which side of a route an ALB serves, read from its listener rules: the truth the gates rely on.

An ALB evaluates a listener's rules by priority, lowest first; a rule matches a request when every condition
does; host-header values compare case-insensitively, path-pattern values case-sensitively, both with ``*`` (any
characters) and ``?`` (one character). The first match's action decides: a ``forward`` sends to its target groups
(``TargetGroupArn``, or ``ForwardConfig`` with weights, as the AWS Load Balancer Controller writes it); a redirect or
a fixed response serves no side. A rule with a condition a plain request does not carry (HTTP header, query string,
source IP, method other than GET) does not match the probe.

A target group belongs to a side when its port is the NodePort of that side's backend Service (instance targets).
"""

import re
from collections import namedtuple

Rule = namedtuple("Rule", "priority hosts paths matches_plain_get forwards action")
Forward = namedtuple("Forward", "arn weight")

_PLAIN_GET_CONDITIONS = ("host-header", "path-pattern")


def _values(condition, config_key):
    return tuple((condition.get(config_key) or {}).get("Values") or condition.get("Values") or ())


def _matches_plain_get(condition):
    if condition["Field"] in _PLAIN_GET_CONDITIONS:
        return True
    if condition["Field"] == "http-request-method":
        return "GET" in _values(condition, "HttpRequestMethodConfig")
    return False


def _forwards(actions):
    """The weighted target groups of the rule's forward action; empty when it does not forward."""
    for action in sorted(actions or [], key=lambda a: a.get("Order", 0)):
        if action.get("Type") != "forward":
            continue
        groups = (action.get("ForwardConfig") or {}).get("TargetGroups")
        if groups:
            return tuple(Forward(group["TargetGroupArn"], group.get("Weight", 1)) for group in groups)
        return (Forward(action["TargetGroupArn"], 1),) if action.get("TargetGroupArn") else ()
    return ()


def _final_action(actions):
    types = [action.get("Type") for action in sorted(actions or [], key=lambda a: a.get("Order", 0))]
    terminal = [kind for kind in types if kind in ("forward", "redirect", "fixed-response")]
    return terminal[0] if terminal else (types[-1] if types else "none")


def parse_rules(described):
    """Rules from ``DescribeRules``; the default rule gets priority infinity, so it is evaluated last."""
    rules = []
    for rule in described:
        conditions = rule.get("Conditions") or []
        hosts = tuple(value for c in conditions if c["Field"] == "host-header" for value in _values(c, "HostHeaderConfig"))
        paths = tuple(value for c in conditions if c["Field"] == "path-pattern" for value in _values(c, "PathPatternConfig"))
        priority = float("inf") if rule.get("IsDefault") or rule.get("Priority") == "default" else int(rule["Priority"])
        rules.append(Rule(priority, hosts, paths, all(_matches_plain_get(c) for c in conditions), _forwards(rule.get("Actions")),
                          _final_action(rule.get("Actions"))))
    return sorted(rules, key=lambda r: r.priority)


def _wildcard(pattern, ignore_case):
    expression = "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern)
    return re.compile(expression + r"\Z", re.IGNORECASE if ignore_case else 0)


def first_match(rules, host, path):
    """The first rule (by priority) a plain GET of ``path`` on ``host`` matches; None when none does."""
    for rule in rules:
        if not rule.matches_plain_get:
            continue
        if rule.hosts and not any(_wildcard(value, True).match(host or "") for value in rule.hosts):
            continue
        if rule.paths and not any(_wildcard(value, False).match(path) for value in rule.paths):
            continue
        return rule
    return None


def serving_side(rule, ports_by_side, port_of):
    """``(side, reason)``: which side the rule sends traffic to.

    ``ports_by_side`` maps a side to the NodePort of its backend Service; ``port_of`` maps a target group ARN to its
    port. The side is V(blue) or V(green); V(none) when no rule matches or the rule does not forward; V(mixed) when
    the weighted target groups belong to both sides; V(unknown) when a target group belongs to neither.
    """
    if rule is None:
        return "none", "no rule matches (the listener's default action has no rule for the route)"
    live = [forward for forward in rule.forwards if forward.weight > 0]
    if not live:
        return "none", "rule {0} does not forward ({1})".format(_priority(rule), rule.action)
    sides = set()
    for forward in live:
        port = port_of.get(forward.arn)
        side = next((name for name, node_port in sorted(ports_by_side.items()) if node_port is not None and node_port == port), None)
        if side is None:
            return "unknown", "rule {0} forwards to target group {1} on port {2}, which is no side's NodePort ({3})".format(
                _priority(rule), forward.arn.rsplit("/", 2)[-2] if "/" in forward.arn else forward.arn, port,
                ", ".join("{0} {1}".format(name, node_port) for name, node_port in sorted(ports_by_side.items())))
        sides.add(side)
    if len(sides) > 1:
        return "mixed", "rule {0} forwards to target groups of both sides".format(_priority(rule))
    side = sides.pop()
    return side, "rule {0} forwards to the {1} target group".format(_priority(rule), side)


def _priority(rule):
    return "default" if rule.priority == float("inf") else rule.priority
