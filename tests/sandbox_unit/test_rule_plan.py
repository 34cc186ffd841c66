"""Listener rule planning: few writes, one reorder, equal duplicates kept in order."""

import pytest

from ecoeco_sandbox.aws.rule_plan import ActualRule, RuleSpec, parse_rule, plan_rules

BLUE = RuleSpec((), ("/a", "/a/*"), "tg-blue")
GREEN = RuleSpec((), ("/a", "/a/*"), "tg-green")
OTHER = RuleSpec(("x.example",), ("/b",), "tg-other")


def actual(*specs):
    """Rules r1, r2, ... at priorities 1, 2, ... (None leaves a gap)."""
    return [ActualRule(f"r{p}", p, spec) for p, spec in enumerate(specs, 1) if spec is not None]


@pytest.mark.parametrize("desired, existing, creates, priorities, deletes", [
    pytest.param([BLUE, OTHER], actual(BLUE, OTHER), [], {}, [], id="in step"),
    pytest.param([BLUE, OTHER], [], [(1, 1, BLUE), (2, 2, OTHER)], {}, [], id="empty listener: created in place"),
    pytest.param([GREEN, BLUE], actual(BLUE, GREEN), [], {"r1": 2, "r2": 1}, [], id="swap"),
    pytest.param([GREEN, BLUE], actual(BLUE), [(1, 3, GREEN)], {"r1": 2}, [], id="new rule in front: created behind all, then reordered"),
    pytest.param([OTHER], actual(BLUE, OTHER), [], {"r2": 1, "r1": 3}, ["r1"], id="removed rule parked behind all, then deleted"),
    pytest.param([BLUE], actual(BLUE, OTHER), [], {}, ["r2"], id="removed last rule: just deleted"),
    pytest.param([BLUE, OTHER], actual(BLUE, None, OTHER), [], {"r3": 2}, [], id="gap closed"),
    pytest.param([GREEN], actual(BLUE), [(1, 2, GREEN)], {"r1": 3}, ["r1"], id="target changed: new rule, old parked and deleted"),
    pytest.param([BLUE, BLUE], actual(BLUE, BLUE), [], {}, [], id="equal duplicates pair up"),
])
def test_plan_rules(desired, existing, creates, priorities, deletes):
    plan = plan_rules(desired, existing)
    assert (plan.creates, plan.priorities, plan.deletes) == (creates, priorities, deletes)
    assert bool(plan) == bool(creates or priorities or deletes)


def apply(plan, existing):
    """Apply ``plan`` the way the controller does, checking AWS's constraints at each step; return {priority: spec}."""
    rules = {rule.arn: (rule.priority, rule.spec) for rule in existing}
    moves = dict(plan.priorities)
    for index, (final, priority, spec) in enumerate(plan.creates):
        assert priority not in {p for p, _spec in rules.values()}, "create_rule: PriorityInUse"
        rules[f"new{index}"] = (priority, spec)
        if priority != final:
            moves[f"new{index}"] = final
    for arn, priority in moves.items():
        rules[arn] = (priority, rules[arn][1])
    assert len({p for p, _spec in rules.values()}) == len(rules), "set_rule_priorities: PriorityInUse"
    for arn in plan.deletes:
        del rules[arn]
    return dict(rules.values())


C = RuleSpec((), ("/c",), "tg-c")


@pytest.mark.parametrize("desired, existing", [
    ([GREEN, C, BLUE], actual(OTHER, BLUE, GREEN)),
    ([C, OTHER, GREEN, BLUE], actual(BLUE, GREEN, OTHER)),
    ([BLUE], actual(GREEN, OTHER, C, BLUE)),
    ([GREEN, BLUE, OTHER, C], actual(None, None, BLUE, None, C)),
    ([BLUE, GREEN, BLUE], actual(GREEN, BLUE)),
])
def test_applied_plan_gives_desired_order_without_clashes(desired, existing):
    assert apply(plan_rules(desired, existing), existing) == dict(enumerate(desired, 1))


@pytest.mark.parametrize("rule, expected", [
    pytest.param({"IsDefault": True, "Priority": "default", "RuleArn": "d", "Conditions": [], "Actions": []}, None, id="default rule"),
    pytest.param({"IsDefault": False, "Priority": "3", "RuleArn": "r",
                  "Conditions": [{"Field": "host-header", "HostHeaderConfig": {"Values": ["x.example"]}}, {"Field": "path-pattern", "Values": ["/b"]}],
                  "Actions": [{"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": "tg-other", "Weight": 1}]}}]},
                 ActualRule("r", 3, OTHER), id="config and legacy values, forward config"),
    pytest.param({"IsDefault": False, "Priority": "1", "RuleArn": "r",
                  "Conditions": [{"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "x", "Values": ["y"]}}],
                  "Actions": [{"Type": "forward", "TargetGroupArn": "tg"}]},
                 ActualRule("r", 1, RuleSpec((), (), None)), id="foreign condition matches nothing"),
    pytest.param({"IsDefault": False, "Priority": "1", "RuleArn": "r", "Conditions": [{"Field": "path-pattern", "Values": ["/a"]}],
                  "Actions": [{"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": "a"}, {"TargetGroupArn": "b"}]}}]},
                 ActualRule("r", 1, RuleSpec((), ("/a",), None)), id="weighted forward matches nothing"),
])
def test_parse_rule(rule, expected):
    assert parse_rule(rule) == expected
