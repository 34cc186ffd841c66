"""Option checks and the wait's outcome, with the ELBv2 calls replaced and a fake clock."""

import pytest

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2 import api
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2 import runner
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import InvalidInput
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import WaitTimeout

TG_ARN = "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/auth/0123456789abcdef"
DEFAULTS = dict(
    target_group_arns=None, target_group_names=None, load_balancer_name=None, load_balancer_arn=None, load_balancer_dns_name=None,
    expected_targets=None, wait=False, min_healthy=None, consecutive=2, poll_interval=2.0, timeout=300.0,
)


def params(**overrides):
    return dict(DEFAULTS, **overrides)


@pytest.mark.parametrize(
    "overrides, selector, value",
    [
        ({"target_group_names": [" auth ", "my", "auth"]}, "target_group_names", ["auth", "my"]),
        ({"target_group_arns": [TG_ARN]}, "target_group_arns", [TG_ARN]),
        ({"load_balancer_name": " ecoeco-alb "}, "load_balancer_name", "ecoeco-alb"),
        ({"load_balancer_dns_name": "alb-1.ap-northeast-2.elb.amazonaws.com."}, "load_balancer_dns_name", "alb-1.ap-northeast-2.elb.amazonaws.com."),
    ],
)
def test_parse_settings_keeps_one_clean_selector(overrides, selector, value):
    settings = runner.parse_settings(params(**overrides))
    assert (settings.selector, settings.value) == (selector, value)


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"target_group_names": ["auth"], "timeout": -5.0}, "timeout"),
        ({"target_group_names": ["auth"], "poll_interval": 0.0}, "poll_interval"),
        ({"target_group_names": ["auth"], "consecutive": -1}, "consecutive"),
        ({"target_group_names": ["auth"], "min_healthy": "abc"}, "min_healthy"),
        ({"target_group_names": ["auth", ""]}, "target_group_names"),
        ({"target_group_arns": [TG_ARN, "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:loadbalancer/app/x/1"]}, "target_group_arns"),
        ({"load_balancer_arn": TG_ARN}, "load_balancer_arn"),
        ({"load_balancer_dns_name": ""}, "load_balancer_dns_name"),
    ],
)
def test_parse_settings_rejects_bad_values_naming_the_option(overrides, field):
    with pytest.raises(InvalidInput) as raised:
        runner.parse_settings(params(**overrides))
    assert raised.value.details["field"] == field
    assert str(raised.value).startswith(field + ": expected ")


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


@pytest.fixture
def flapping_group(monkeypatch):
    """One target group whose only target alternates healthy, unhealthy, healthy, ... per read."""
    reads = []

    def describe_target_health(client, target_group_arn):
        state = "unhealthy" if len(reads) % 2 else "healthy"
        reads.append(state)
        return [{"Target": {"Id": "i-1", "Port": 30080}, "TargetHealth": {"State": state, "Reason": None if state == "healthy" else "Target.Timeout"}}]

    monkeypatch.setattr(api, "describe_target_groups", lambda client, **search: [{"TargetGroupArn": TG_ARN, "TargetGroupName": "auth"}])
    monkeypatch.setattr(api, "describe_target_health", describe_target_health)
    return reads


def test_a_flapping_target_never_passes_a_streak_and_the_timeout_says_so(flapping_group):
    clock = FakeClock()
    settings = runner.parse_settings(params(target_group_names=["auth"], wait=True, timeout=4.0, poll_interval=1.0))
    with pytest.raises(WaitTimeout) as raised:
        runner.run(None, settings, sleep=clock.sleep, clock=clock)
    # the last poll (at 4 s) was healthy, so no group misses min_healthy: the message blames the streak
    assert flapping_group == ["healthy", "unhealthy", "healthy", "unhealthy", "healthy"]
    assert str(raised.value) == (
        "Timed out after 4.0s (timeout 4.0s) waiting for min_healthy in every target group. "
        "min_healthy held for fewer than 2 consecutive polls. Every target that is not healthy is listed in not_healthy."
    )
    details = raised.value.details
    assert [entry["min_healthy_met"] for entry in details["history"]] == [True, False, True, False, True]
    assert [entry["elapsed"] for entry in details["history"]] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert details["duration"] == 4.0
    assert details["changed"] is False
    assert details["not_healthy"] == []


def test_one_good_poll_is_enough_with_consecutive_one(flapping_group):
    clock = FakeClock()
    settings = runner.parse_settings(params(target_group_names=["auth"], wait=True, consecutive=1))
    result = runner.run(None, settings, sleep=clock.sleep, clock=clock)
    assert result["all_healthy"] is True
    assert len(result["history"]) == 1
    assert result["duration"] == 0.0
    assert "load_balancer" not in result


def test_target_groups_are_read_a_few_at_a_time_and_reported_in_their_order(monkeypatch):
    """Forty target groups: their health reads overlap (at most HEALTH_READS_AT_ONCE), the report keeps their order."""
    import threading

    names = ["tg-{0:02d}".format(index) for index in range(40)]
    lock, running, peak = threading.Lock(), [0], [0]
    all_started = threading.Barrier(runner.HEALTH_READS_AT_ONCE, timeout=10)

    def describe_target_health(client, target_group_arn):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        if target_group_arn in names[:runner.HEALTH_READS_AT_ONCE]:
            all_started.wait()  # the first reads all wait for each other: only reads sent together get past
        with lock:
            running[0] -= 1
        return [{"Target": {"Id": target_group_arn, "Port": 30080}, "TargetHealth": {"State": "healthy"}}]

    monkeypatch.setattr(api, "describe_target_groups", lambda client, **search: [{"TargetGroupArn": name, "TargetGroupName": name} for name in search["Names"]])
    monkeypatch.setattr(api, "describe_target_health", describe_target_health)
    result = runner.run(None, runner.parse_settings(params(target_group_names=names)), clock=FakeClock())
    assert [group["name"] for group in result["target_groups"]] == names
    assert peak[0] == runner.HEALTH_READS_AT_ONCE


def gone_after_listing(monkeypatch):
    """Two target groups listed; the second is deleted before its health is read (describe_target_health: None)."""
    groups = [{"TargetGroupArn": "arn-green", "TargetGroupName": "green"}, {"TargetGroupArn": "arn-blue", "TargetGroupName": "blue"}]
    healthy = [{"Target": {"Id": "i-1", "Port": 30080}, "TargetHealth": {"State": "healthy"}}]
    monkeypatch.setattr(api, "describe_target_groups",
                        lambda client, **search: [g for g in groups if g["TargetGroupName"] in search.get("Names", ["green", "blue"])])
    monkeypatch.setattr(api, "describe_load_balancers", lambda client, **search: [
        {"LoadBalancerArn": "arn-alb", "LoadBalancerName": "ecoeco-alb", "DNSName": "alb.example"}])
    monkeypatch.setattr(api, "describe_target_health", lambda client, arn: None if arn == "arn-blue" else healthy)


def test_a_target_group_deleted_after_the_listing_of_its_load_balancer_is_left_out(monkeypatch):
    gone_after_listing(monkeypatch)
    result = runner.run(None, runner.parse_settings(params(load_balancer_name="ecoeco-alb")), clock=FakeClock())
    assert [group["name"] for group in result["target_groups"]] == ["green"] and result["all_healthy"] is True


def test_a_named_target_group_deleted_before_its_health_is_read_fails_naming_it(monkeypatch):
    from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import NotFound

    gone_after_listing(monkeypatch)
    with pytest.raises(NotFound, match="target_group_names: target group deleted while its health was read: arn-blue"):
        runner.run(None, runner.parse_settings(params(target_group_names=["green", "blue"])), clock=FakeClock())
