"""The ELBv2 calls: throttling is retried, a missing target group is an empty list, other errors say what failed."""

from unittest.mock import MagicMock
from unittest.mock import patch

import pytest
from botocore.exceptions import ClientError

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2 import api

ARN = "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/auth/0123456789abcdef"
HEALTHY = [{"Target": {"Id": "i-1", "Port": 30080}, "TargetHealth": {"State": "healthy"}}]


def client_error(code, operation):
    return ClientError({"Error": {"Code": code, "Message": code + " happened"}}, operation)


@pytest.fixture(autouse=True)
def no_backoff_sleep():
    with patch("ansible_collections.amazon.aws.plugins.module_utils.cloud.time.sleep") as sleep:
        yield sleep


def test_describe_target_health_retries_throttling(no_backoff_sleep):
    client = MagicMock()
    client.describe_target_health.side_effect = [client_error("Throttling", "DescribeTargetHealth"), {"TargetHealthDescriptions": HEALTHY}]
    assert api.describe_target_health(client, ARN) == HEALTHY
    assert client.describe_target_health.call_count == 2
    client.describe_target_health.assert_called_with(TargetGroupArn=ARN)
    assert no_backoff_sleep.call_count == 1


def test_describe_target_health_of_a_deleted_target_group_is_none():
    client = MagicMock()
    client.describe_target_health.side_effect = client_error("TargetGroupNotFound", "DescribeTargetHealth")
    assert api.describe_target_health(client, ARN) is None
    assert client.describe_target_health.call_count == 1


@pytest.mark.parametrize("code", ["AccessDenied", "ValidationError"])
def test_describe_target_health_failures_name_the_target_group(code):
    client = MagicMock()
    client.describe_target_health.side_effect = client_error(code, "DescribeTargetHealth")
    with pytest.raises(api.AnsibleELBv2Error) as raised:
        api.describe_target_health(client, ARN)
    assert raised.value.message == "Failed to describe target health for " + ARN
    assert raised.value.exception.response["Error"]["Code"] == code
    assert client.describe_target_health.call_count == 1


@pytest.mark.parametrize(
    "call, operation, missing_code",
    [
        (api.describe_target_groups, "describe_target_groups", "TargetGroupNotFound"),
        (api.describe_load_balancers, "describe_load_balancers", "LoadBalancerNotFound"),
    ],
)
def test_lookups_answer_an_empty_list_when_nothing_matches(call, operation, missing_code):
    client = MagicMock()
    client.get_paginator.return_value.paginate.return_value.build_full_result.side_effect = client_error(missing_code, operation)
    assert call(client, Names=["missing"]) == []
    client.get_paginator.assert_called_with(operation)
    client.get_paginator.return_value.paginate.assert_called_with(Names=["missing"])


def test_lookups_use_the_paginator_result():
    client = MagicMock()
    client.get_paginator.return_value.paginate.return_value.build_full_result.return_value = {"TargetGroups": [{"TargetGroupArn": ARN}]}
    assert api.describe_target_groups(client, LoadBalancerArn="arn:lb") == [{"TargetGroupArn": ARN}]


def test_other_lookup_errors_raise():
    client = MagicMock()
    client.get_paginator.return_value.paginate.return_value.build_full_result.side_effect = client_error("AccessDenied", "DescribeLoadBalancers")
    with pytest.raises(api.AnsibleELBv2Error) as raised:
        api.describe_load_balancers(client)
    assert raised.value.message == "Failed to describe load balancers"
