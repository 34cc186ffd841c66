"""Decisions over DescribeTargetHealth answers: counts, records, registration gaps, min_healthy."""

import pytest

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2 import health
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import InvalidInput

TARGET_GROUP = {"TargetGroupArn": "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/auth/1", "TargetGroupName": "auth",
                "TargetType": "instance"}


def described(target_id, state, port=30080, reason=None):
    health_part = {"State": state}
    if reason:
        health_part.update(Reason=reason, Description="why: " + reason)
    return {"Target": {"Id": target_id, "Port": port}, "HealthCheckPort": str(port), "TargetHealth": health_part}


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, None),
        (1, ("count", 1)),
        (3, ("count", 3)),
        ("2", ("count", 2)),
        (" 4 ", ("count", 4)),
        ("50%", ("percent", 50)),
        ("100%", ("percent", 100)),
        ("1%", ("percent", 1)),
        ("75 %", ("percent", 75)),
    ],
)
def test_parse_min_healthy_accepts_counts_and_percentages(value, expected):
    assert health.parse_min_healthy(value) == expected


@pytest.mark.parametrize("value", [0, "0", -1, "-1", "0%", "101%", "150%", "50.5%", "%", "half", "", True, False, 2.5, "2.0"])
def test_parse_min_healthy_rejects_malformed_values_naming_the_option(value):
    with pytest.raises(InvalidInput) as raised:
        health.parse_min_healthy(value)
    assert raised.value.details == {"field": "min_healthy"}
    assert str(raised.value).startswith("min_healthy: expected ")


@pytest.mark.parametrize(
    "min_healthy, registered, required",
    [
        (None, 0, 1),
        (None, 1, 1),
        (None, 4, 4),
        (("count", 2), 0, 2),
        (("count", 2), 5, 2),
        (("count", 6), 5, 6),
        (("percent", 50), 3, 2),
        (("percent", 50), 4, 2),
        (("percent", 100), 3, 3),
        (("percent", 1), 3, 1),
        (("percent", 10), 0, 1),
        (("percent", 34), 3, 2),
        (("percent", 33), 3, 1),
    ],
)
def test_required_healthy_rounds_up_and_never_drops_below_one(min_healthy, registered, required):
    assert health.required_healthy(min_healthy, registered) == required


@pytest.mark.parametrize(
    "entries, expected",
    [
        (None, None),
        ([], []),
        ([{"id": "i-1", "port": None}], [{"id": "i-1", "port": None}]),
        ([{"id": " 10.0.1.5 ", "port": 8000}], [{"id": "10.0.1.5", "port": 8000}]),
        ([{"id": "i-1", "port": 80}, {"id": "i-1", "port": 80}, {"id": "i-1", "port": None}],
         [{"id": "i-1", "port": 80}, {"id": "i-1", "port": None}]),
    ],
)
def test_parse_expected_targets_normalizes_and_deduplicates(entries, expected):
    assert health.parse_expected_targets(entries) == expected


@pytest.mark.parametrize(
    "entries, field",
    [
        ([{"id": "", "port": None}], "expected_targets[0].id"),
        ([{"id": "i-1", "port": None}, {"id": "  ", "port": None}], "expected_targets[1].id"),
        ([{"id": "i-1", "port": 0}], "expected_targets[0].port"),
        ([{"id": "i-1", "port": 65536}], "expected_targets[0].port"),
    ],
)
def test_parse_expected_targets_names_the_bad_entry(entries, field):
    with pytest.raises(InvalidInput) as raised:
        health.parse_expected_targets(entries)
    assert raised.value.details["field"] == field


def test_target_records_are_sorted_and_keep_reason_and_description():
    records = health.target_records(
        [
            described("i-b", "unhealthy", reason="Target.FailedHealthChecks"),
            described("i-a", "healthy", port=30081),
            described("i-a", "healthy", port=30080),
            {"Target": {"Id": "arn:aws:lambda:ap-northeast-2:123456789012:function:f"}, "TargetHealth": {"State": "unavailable"}},
        ]
    )
    assert records == [
        {"id": "arn:aws:lambda:ap-northeast-2:123456789012:function:f", "port": None, "state": "unavailable", "reason": None, "description": None},
        {"id": "i-a", "port": 30080, "state": "healthy", "reason": None, "description": None},
        {"id": "i-a", "port": 30081, "state": "healthy", "reason": None, "description": None},
        {"id": "i-b", "port": 30080, "state": "unhealthy", "reason": "Target.FailedHealthChecks", "description": "why: Target.FailedHealthChecks"},
    ]


def test_count_states_has_every_state_and_renames_unhealthy_draining():
    records = health.target_records(
        [described("i-1", "healthy"), described("i-2", "healthy"), described("i-3", "unhealthy.draining"), described("i-4", "initial")]
    )
    assert health.count_states(records) == {
        "healthy": 2, "unhealthy": 0, "initial": 1, "draining": 0, "unused": 0, "unavailable": 0, "unhealthy_draining": 1,
    }


@pytest.mark.parametrize(
    "registered, expected, missing, unexpected",
    [
        # port unset matches any port
        ([("i-1", 30080, "healthy")], [("i-1", None)], [], []),
        ([("i-1", 30080, "healthy")], [("i-1", 30080)], [], []),
        ([("i-1", 30080, "healthy")], [("i-1", 30081)], [("i-1", 30081)], [("i-1", 30080, "healthy")]),
        ([("i-1", 30080, "healthy")], [("i-1", None), ("i-2", None)], [("i-2", None)], []),
        ([("i-1", 30080, "healthy"), ("i-3", 30080, "unused")], [("i-1", None)], [], [("i-3", 30080, "unused")]),
        # a deregistering target is leaving: it is missing, not unexpected
        ([("i-1", 30080, "draining")], [("i-1", None)], [("i-1", None)], []),
        ([("i-1", 30080, "unhealthy.draining")], [], [], []),
        # registered but unhealthy is still registered
        ([("10.0.1.5", 8000, "unhealthy")], [("10.0.1.5", 8000)], [], []),
        ([], [("10.0.1.5", 8000)], [("10.0.1.5", 8000)], []),
    ],
)
def test_registration_gaps(registered, expected, missing, unexpected):
    records = health.target_records([described(target_id, state, port=port) for target_id, port, state in registered])
    gaps = health.registration_gaps(records, [{"id": target_id, "port": port} for target_id, port in expected])
    assert gaps == (
        [{"id": target_id, "port": port} for target_id, port in missing],
        [{"id": target_id, "port": port, "state": state} for target_id, port, state in unexpected],
    )


@pytest.mark.parametrize(
    "states, min_healthy, expected, registered, required, min_met, all_healthy",
    [
        (["healthy", "healthy"], None, None, 2, 2, True, True),
        (["healthy", "unhealthy"], None, None, 2, 2, False, False),
        (["healthy", "unhealthy"], ("count", 1), None, 2, 1, True, False),
        (["healthy", "initial", "initial"], ("percent", 50), None, 3, 2, False, False),
        (["healthy", "healthy", "initial"], ("percent", 50), None, 3, 2, True, False),
        # an empty group is never healthy and never meets min_healthy
        ([], None, None, 0, 1, False, False),
        ([], ("percent", 50), None, 0, 1, False, False),
        # draining targets are leaving: they do not spoil a healthy group
        (["healthy", "draining"], None, None, 1, 1, True, True),
        (["draining"], None, None, 0, 1, False, False),
        (["healthy", "unused"], None, None, 2, 2, False, False),
        # a missing expected target fails both, whatever min_healthy says
        (["healthy", "healthy"], ("count", 1), [{"id": "i-9", "port": None}], 2, 1, False, False),
        (["healthy", "healthy"], None, [{"id": "i-0", "port": None}], 2, 2, True, True),
    ],
)
def test_summarize_target_group_decisions(states, min_healthy, expected, registered, required, min_met, all_healthy):
    descriptions = [described("i-{0}".format(index), state) for index, state in enumerate(states)]
    report = health.summarize_target_group(TARGET_GROUP, descriptions, min_healthy, expected)
    assert (report["registered"], report["healthy_required"], report["min_healthy_met"], report["all_healthy"]) == (
        registered, required, min_met, all_healthy,
    )
    assert report["arn"] == TARGET_GROUP["TargetGroupArn"]
    assert report["name"] == "auth"
    assert report["target_type"] == "instance"
    assert len(report["targets"]) == len(states)
    assert ("missing_targets" in report) is (expected is not None)


@pytest.mark.parametrize(
    "group_health, expected",
    [
        ([], False),
        ([True], True),
        ([True, True], True),
        ([True, False], False),
    ],
)
def test_all_healthy_needs_at_least_one_group(group_health, expected):
    assert health.all_healthy([{"all_healthy": value} for value in group_health]) is expected


def test_not_healthy_targets_names_every_target_that_is_not_healthy():
    ok = health.summarize_target_group(dict(TARGET_GROUP, TargetGroupName="ok"), [described("i-1", "healthy")])
    bad = health.summarize_target_group(
        dict(TARGET_GROUP, TargetGroupName="bad"),
        [described("i-1", "healthy"), described("i-2", "unhealthy", reason="Target.Timeout"), described("i-3", "initial", port=None)],
    )
    assert health.not_healthy_targets([ok, bad]) == [
        {"target_group": "bad", "id": "i-2", "port": 30080, "state": "unhealthy", "reason": "Target.Timeout", "description": "why: Target.Timeout"},
        {"target_group": "bad", "id": "i-3", "port": None, "state": "initial", "reason": None, "description": None},
    ]


@pytest.mark.parametrize(
    "targets, expected, line",
    [
        ([("i-1", "healthy", None)], None, None),
        ([("i-1", "healthy", None), ("i-2", "unhealthy", "Target.Timeout"), ("i-3", "initial", None)], None,
         "bad: 1 of 3 registered targets healthy, 3 required; 1 unhealthy (Target.Timeout): i-2:30080; 1 initial (no reason given): i-3:30080"),
        ([("i-1", "healthy", None)], [{"id": "i-1", "port": None}, {"id": "10.0.0.9", "port": None}],
         "bad: 1 of 1 registered targets healthy, 1 required; 1 not registered: 10.0.0.9"),
        # many targets with one problem: grouped, and only the first three named
        ([("i-{0}".format(n), "unhealthy", "Target.FailedHealthChecks") for n in range(5)], None,
         "bad: 0 of 5 registered targets healthy, 5 required; 5 unhealthy (Target.FailedHealthChecks): i-0:30080, i-1:30080, i-2:30080 and 2 more"),
        ([("i-1", "unhealthy", "Target.Timeout"), ("i-2", "unhealthy", "Target.ResponseCodeMismatch"), ("i-3", "draining", "Target.DeregistrationInProgress")],
         None,
         "bad: 0 of 2 registered targets healthy, 2 required; 1 unhealthy (Target.Timeout): i-1:30080; 1 unhealthy (Target.ResponseCodeMismatch): i-2:30080;"
         " 1 draining (Target.DeregistrationInProgress): i-3:30080"),
    ],
)
def test_describe_shortfall_explains_only_groups_that_miss_min_healthy(targets, expected, line):
    report = health.summarize_target_group(
        dict(TARGET_GROUP, TargetGroupName="bad"), [described(target_id, state, reason=reason) for target_id, state, reason in targets], expected=expected
    )
    assert health.describe_shortfall([report]) == ([line] if line else [])
