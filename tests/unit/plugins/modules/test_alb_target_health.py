"""alb_target_health main() end to end against moto: selection, result shape, waits, and every failure payload."""

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError
from unittest.mock import patch

from module_runner import run_main

from ansible_collections.ecoeco.bluegreen.plugins.modules import alb_target_health

REGION = "ap-northeast-2"  # the vpc fixture's region
MOTO_AMI_ID = "ami-12c6146b"
STATES = {"healthy", "unhealthy", "initial", "draining", "unused", "unavailable", "unhealthy_draining"}


@pytest.fixture
def aws(vpc):
    """moto with ALB ecoeco-alb forwarding to auth-api and my-api (two running instances each), and an empty ALB."""
    ec2, elbv2, vpc_id, subnets = vpc["ec2"], vpc["elbv2"], vpc["vpc_id"], vpc["subnets"]
    instances = [i["InstanceId"] for i in ec2.run_instances(ImageId=MOTO_AMI_ID, MinCount=2, MaxCount=2, SubnetId=subnets[0])["Instances"]]
    alb = elbv2.create_load_balancer(Name="ecoeco-alb", Subnets=subnets)["LoadBalancers"][0]
    empty_alb = elbv2.create_load_balancer(Name="empty-alb", Subnets=subnets)["LoadBalancers"][0]
    groups = {}
    for name, node_port in (("auth-api", 30080), ("my-api", 30081)):
        group = elbv2.create_target_group(Name=name, Protocol="HTTP", Port=8000, VpcId=vpc_id, TargetType="instance")["TargetGroups"][0]
        elbv2.register_targets(TargetGroupArn=group["TargetGroupArn"], Targets=[{"Id": i, "Port": node_port} for i in instances])
        groups[name] = group["TargetGroupArn"]
    # moto only links a target group to a load balancer through create_listener / create_rule
    listener = elbv2.create_listener(
        LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTP", Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": groups["auth-api"]}],
    )["Listeners"][0]
    elbv2.create_rule(
        ListenerArn=listener["ListenerArn"], Priority=2,
        Conditions=[{"Field": "path-pattern", "Values": ["/api/v1/my*"]}],
        Actions=[{"Type": "forward", "TargetGroupArn": groups["my-api"]}],
    )
    yield {"ec2": ec2, "alb": alb, "empty_alb": empty_alb, "groups": groups, "instances": instances}


def run_module(args):
    return run_main(alb_target_health.main, dict({"region": REGION}, **args))


def test_load_balancer_name_reports_every_target_group_of_the_alb(aws):
    outcome, result = run_module({"load_balancer_name": "ecoeco-alb"})
    assert outcome == "exit"
    assert result["changed"] is False
    assert result["all_healthy"] is True
    assert isinstance(result["duration"], float)
    assert "history" not in result
    assert result["load_balancer"] == {"arn": aws["alb"]["LoadBalancerArn"], "name": "ecoeco-alb", "dns_name": aws["alb"]["DNSName"]}
    assert [(group["name"], group["arn"]) for group in result["target_groups"]] == [
        ("auth-api", aws["groups"]["auth-api"]), ("my-api", aws["groups"]["my-api"]),
    ]
    auth = result["target_groups"][0]
    assert set(auth["counts"]) == STATES
    assert auth["counts"]["healthy"] == 2 and sum(auth["counts"].values()) == 2
    assert auth["target_type"] == "instance"
    assert (auth["registered"], auth["healthy_required"], auth["min_healthy_met"], auth["all_healthy"]) == (2, 2, True, True)
    assert auth["targets"] == [
        {"id": instance, "port": 30080, "state": "healthy", "reason": None, "description": None} for instance in sorted(aws["instances"])
    ]
    assert "missing_targets" not in auth


@pytest.mark.parametrize(
    "selector",
    [
        lambda aws: {"target_group_names": ["my-api", "auth-api", "my-api"]},
        lambda aws: {"target_group_arns": [aws["groups"]["my-api"], aws["groups"]["auth-api"]]},
        lambda aws: {"load_balancer_arn": aws["alb"]["LoadBalancerArn"]},
        lambda aws: {"load_balancer_dns_name": "dualstack." + aws["alb"]["DNSName"].upper() + "."},
    ],
    ids=["names", "arns", "load_balancer_arn", "load_balancer_dns_name"],
)
def test_every_selector_finds_the_same_target_groups(aws, selector):
    outcome, result = run_module(selector(aws))
    assert outcome == "exit"
    assert sorted(group["name"] for group in result["target_groups"]) == ["auth-api", "my-api"]
    assert result["all_healthy"] is True


def test_load_balancer_without_target_groups_is_empty_not_an_error(aws):
    outcome, result = run_module({"load_balancer_name": "empty-alb"})
    assert outcome == "exit"
    assert result["target_groups"] == []
    assert result["all_healthy"] is False


def test_waiting_on_a_load_balancer_without_target_groups_fails_at_once(aws):
    outcome, result = run_module({"load_balancer_name": "empty-alb", "wait": True, "timeout": 30})
    assert outcome == "fail"
    assert result["msg"] == "load_balancer_name: load balancer 'empty-alb' has no target groups to wait for"
    assert result["field"] == "load_balancer_name"


def test_expected_targets_report_missing_and_unexpected_registrations(aws):
    first, second = sorted(aws["instances"])
    outcome, result = run_module(
        {"target_group_names": ["auth-api"], "expected_targets": [{"id": first, "port": 30080}, {"id": "i-0000000000000dead"}]}
    )
    assert outcome == "exit"
    auth = result["target_groups"][0]
    assert auth["missing_targets"] == [{"id": "i-0000000000000dead", "port": None}]
    assert auth["unexpected_targets"] == [{"id": second, "port": 30080, "state": "healthy"}]
    assert auth["all_healthy"] is False
    assert result["all_healthy"] is False


def test_wait_returns_history_once_every_group_is_healthy_for_consecutive_polls(aws):
    outcome, result = run_module({"load_balancer_name": "ecoeco-alb", "wait": True, "poll_interval": 0.01, "consecutive": 3})
    assert outcome == "exit"
    assert result["all_healthy"] is True
    assert [entry["poll"] for entry in result["history"]] == [1, 2, 3]
    assert all(entry["min_healthy_met"] for entry in result["history"])
    assert result["history"][0]["counts"]["my-api"]["healthy"] == 2
    assert result["duration"] >= result["history"][-1]["elapsed"]


def test_wait_with_a_percentage_passes_with_one_of_two_targets_stopped(aws):
    aws["ec2"].stop_instances(InstanceIds=[aws["instances"][0]])
    outcome, result = run_module({"target_group_names": ["auth-api"], "wait": True, "min_healthy": "50%", "poll_interval": 0.01})
    assert outcome == "exit"
    auth = result["target_groups"][0]
    assert (auth["counts"]["healthy"], auth["counts"]["unused"], auth["healthy_required"]) == (1, 1, 1)
    assert auth["min_healthy_met"] is True
    assert auth["all_healthy"] is False


def test_wait_timeout_fails_listing_each_unhealthy_target_and_the_history(aws):
    stopped = aws["instances"][0]
    aws["ec2"].stop_instances(InstanceIds=[stopped])
    # A window of many poll intervals, so even a slow machine polls more than once before the timeout.
    outcome, result = run_module({"target_group_names": ["auth-api"], "wait": True, "timeout": 1.0, "poll_interval": 0.01})
    assert outcome == "fail"
    assert result["msg"].startswith("Timed out after ")
    assert "auth-api: 1 of 2 registered targets healthy, 2 required; 1 unused (Target.InvalidState): {0}:30080.".format(stopped) in result["msg"]
    assert result["msg"].endswith("Every target that is not healthy is listed in not_healthy.")
    assert result["changed"] is False
    assert result["not_healthy"] == [
        {"target_group": "auth-api", "id": stopped, "port": 30080, "state": "unused", "reason": "Target.InvalidState",
         "description": "Target is in the stopped state"},
    ]
    assert len(result["history"]) >= 2
    assert not any(entry["min_healthy_met"] for entry in result["history"])
    assert result["target_groups"][0]["counts"]["unused"] == 1


def test_check_mode_runs_the_same_reads(aws):
    outcome, result = run_module({"load_balancer_name": "ecoeco-alb", "_ansible_check_mode": True})
    assert outcome == "exit"
    assert result["changed"] is False
    assert result["all_healthy"] is True
    assert len(result["target_groups"]) == 2


@pytest.mark.parametrize(
    "args, message",
    [
        ({"target_group_names": ["auth-api"], "timeout": 0}, "timeout: expected a number of seconds greater than 0, got 0.0"),
        ({"target_group_names": ["auth-api"], "poll_interval": -1}, "poll_interval: expected a number of seconds greater than 0, got -1.0"),
        ({"target_group_names": ["auth-api"], "consecutive": 0}, "consecutive: expected a number of polls of at least 1, got 0"),
        ({"target_group_names": ["auth-api"], "min_healthy": "150%"}, "min_healthy: expected a whole number of targets of at least 1"),
        ({"target_group_names": ["auth-api"], "expected_targets": [{"id": "i-1", "port": 0}]}, "expected_targets[0].port: expected a port"),
        ({"target_group_names": []}, "target_group_names: expected a non-empty list of non-empty strings"),
        ({"load_balancer_name": " "}, "load_balancer_name: expected a non-empty string"),
        ({"target_group_arns": ["auth-api"]},
         "target_group_arns: expected a target group ARN (arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>), got 'auth-api'"),
        ({"load_balancer_arn": "ecoeco-alb"}, "load_balancer_arn: expected a load balancer ARN"),
        ({"target_group_names": ["auth-api"], "load_balancer_name": "ecoeco-alb"}, "parameters are mutually exclusive"),
        ({}, "one of the following is required: target_group_arns, target_group_names, load_balancer_name"),
    ],
)
def test_bad_input_fails_naming_the_option_before_any_aws_call(aws_env, args, message):
    with patch.object(BaseClient, "_make_api_call", autospec=True) as api_call:
        outcome, result = run_module(args)
    assert outcome == "fail"
    assert message in result["msg"]
    assert api_call.call_count == 0


@pytest.mark.parametrize(
    "args, message, field",
    [
        ({"target_group_names": ["auth-api", "blue-api", "green-api"]},
         "target_group_names: no target group found for 'blue-api', 'green-api'", "target_group_names"),
        ({"target_group_arns": ["arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/gone/0123456789abcdef"]},
         "target_group_arns: no target group found for 'arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/gone/0123456789abcdef'",
         "target_group_arns"),
        ({"load_balancer_name": "missing-alb"}, "load_balancer_name: no load balancer named 'missing-alb'", "load_balancer_name"),
        ({"load_balancer_arn": "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:loadbalancer/app/missing/0123456789abcdef"},
         "load_balancer_arn: no load balancer with ARN", "load_balancer_arn"),
        ({"load_balancer_dns_name": "k8s-missing.ap-northeast-2.elb.amazonaws.com"},
         "load_balancer_dns_name: no load balancer with DNS name 'k8s-missing.ap-northeast-2.elb.amazonaws.com'", "load_balancer_dns_name"),
    ],
)
def test_unknown_target_groups_and_load_balancers_fail_naming_the_option_before_any_wait(aws, args, message, field):
    with patch("ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2.runner.wait_for_min_healthy") as wait:
        outcome, result = run_module(dict(args, wait=True))
    assert outcome == "fail"
    assert result["msg"].startswith(message)
    assert result["field"] == field
    assert wait.call_count == 0


def test_aws_errors_fail_with_the_call_that_failed_and_the_aws_error(aws):
    real_call = BaseClient._make_api_call

    def deny_target_health(client, operation, params):
        if operation == "DescribeTargetHealth":
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not allowed"}}, operation)
        return real_call(client, operation, params)

    with patch.object(BaseClient, "_make_api_call", autospec=True, side_effect=deny_target_health):
        outcome, result = run_module({"target_group_names": ["auth-api"]})
    assert outcome == "fail"
    assert result["msg"].startswith("Failed to describe target health for {0}: ".format(aws["groups"]["auth-api"]))
    assert "AccessDenied" in result["msg"]
    assert result["error"]["code"] == "AccessDenied"
    assert "boto3_version" in result
