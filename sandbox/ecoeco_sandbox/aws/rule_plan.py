"""Turn a listener's rules into the desired ordered list with few writes and one atomic reorder.

Plan, applied in this order by the controller:

1. create each missing rule, at its final priority when free, else at a free priority behind every rule;
2. one ``set_rule_priorities`` call putting every rule at its final position, rules about to go
   moved behind them if they sit in the way (this call is the atomic moment of a hand-over);
3. delete the rules no longer wanted.

An existing rule is kept when its host, paths and target group equal a desired rule's; equal
duplicates pair up in priority order. Nothing to do when the listener already matches.
"""

from collections import defaultdict, deque
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RuleSpec:
    """Rule content: host-header values, path-pattern values, target group ARN (None if not a plain forward)."""

    hosts: tuple
    paths: tuple
    target_group_arn: str | None


@dataclass(frozen=True)
class ActualRule:
    """A non-default rule of the listener as read from AWS."""

    arn: str
    priority: int
    spec: RuleSpec


@dataclass
class RulePlan:
    """Writes that bring a listener to the desired rules (see module docstring for the order)."""

    creates: list = field(default_factory=list)     # (final priority, priority to create at, RuleSpec)
    priorities: dict = field(default_factory=dict)  # existing rule ARN -> new priority
    deletes: list = field(default_factory=list)     # rule ARNs

    def __bool__(self):
        return bool(self.creates or self.priorities or self.deletes)


def _condition_values(condition, config_key):
    return tuple((condition.get(config_key) or {}).get("Values") or condition.get("Values") or ())


def _forward_target(actions):
    """Target group ARN of a single plain forward action, else None."""
    if len(actions) != 1 or actions[0].get("Type") != "forward":
        return None
    action = actions[0]
    groups = (action.get("ForwardConfig") or {}).get("TargetGroups") or []
    if action.get("TargetGroupArn"):
        return action["TargetGroupArn"] if len(groups) <= 1 else None
    return groups[0]["TargetGroupArn"] if len(groups) == 1 else None


def parse_rule(rule):
    """ActualRule for a ``describe_rules`` entry, None for the default rule.

    Conditions other than host-header and path-pattern make the rule match nothing desired.
    """
    if rule.get("IsDefault"):
        return None
    hosts, paths, foreign = (), (), False
    for condition in rule.get("Conditions") or []:
        if condition["Field"] == "host-header":
            hosts = _condition_values(condition, "HostHeaderConfig")
        elif condition["Field"] == "path-pattern":
            paths = _condition_values(condition, "PathPatternConfig")
        else:
            foreign = True
    target = None if foreign else _forward_target(rule.get("Actions") or [])
    return ActualRule(arn=rule["RuleArn"], priority=int(rule["Priority"]), spec=RuleSpec(hosts, paths, target))


def rule_conditions(spec):
    """``Conditions`` for create_rule from a RuleSpec."""
    conditions = []
    if spec.hosts:
        conditions.append({"Field": "host-header", "HostHeaderConfig": {"Values": list(spec.hosts)}})
    if spec.paths:
        conditions.append({"Field": "path-pattern", "PathPatternConfig": {"Values": list(spec.paths)}})
    return conditions


def forward_actions(target_group_arn):
    """``Actions`` forwarding to one target group, in both forms AWS echoes back."""
    return [{
        "Type": "forward",
        "TargetGroupArn": target_group_arn,
        "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": target_group_arn, "Weight": 1}]},
    }]


def plan_rules(desired, actual):
    """RulePlan taking rules ``actual`` (ActualRule list) to ``desired`` (RuleSpec list, priority = index + 1)."""
    actual = sorted(actual, key=lambda rule: rule.priority)
    available = defaultdict(deque)
    for rule in actual:
        available[rule.spec].append(rule)
    plan = RulePlan()
    held = {rule.priority for rule in actual}
    next_free = max(held | {len(desired)}) + 1
    kept = set()
    for index, spec in enumerate(desired):
        final = index + 1
        if available[spec]:
            rule = available[spec].popleft()
            kept.add(rule.arn)
            if rule.priority != final:
                plan.priorities[rule.arn] = final
        elif final not in held:
            plan.creates.append((final, final, spec))
        else:
            plan.creates.append((final, next_free, spec))
            next_free += 1
    for rule in actual:
        if rule.arn in kept:
            continue
        plan.deletes.append(rule.arn)
        if rule.priority <= len(desired):
            # Some rule moves to its priority in the reorder; park it behind everything until it is deleted.
            plan.priorities[rule.arn] = next_free
            next_free += 1
    return plan
