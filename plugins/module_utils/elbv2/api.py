# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One small function per ELBv2 read, retried on throttling and turned into AnsibleAWSError on failure.

Lookups that can miss return an empty list instead of raising, so the caller decides which option
to blame in its message.
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


class AnsibleELBv2Error(AnsibleAWSError):
    """An ELBv2 API call failed; ``main()`` hands it to ``fail_json_aws_error``."""


class TargetGroupErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleELBv2Error

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("TargetGroupNotFound")


class LoadBalancerErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleELBv2Error

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("LoadBalancerNotFound")


# AWS answers an empty list for a load balancer without target groups; moto raises
# TargetGroupNotFound instead. Both end up as [] here.
@TargetGroupErrorHandler.list_error_handler("describe target groups", default_value=[])
@AWSRetry.jittered_backoff(retries=10)
def describe_target_groups(client, **params):
    paginator = client.get_paginator("describe_target_groups")
    return paginator.paginate(**params).build_full_result()["TargetGroups"]


@LoadBalancerErrorHandler.list_error_handler("describe load balancers", default_value=[])
@AWSRetry.jittered_backoff(retries=10)
def describe_load_balancers(client, **params):
    paginator = client.get_paginator("describe_load_balancers")
    return paginator.paginate(**params).build_full_result()["LoadBalancers"]


# DescribeTargetHealth has no paginator: one call returns every registered target. None when the target group is
# gone: the load balancer controller deletes a removed Ingress's group, possibly between a listing and this read.
@TargetGroupErrorHandler.list_error_handler("describe target health for {target_group_arn}", default_value=None)
@AWSRetry.jittered_backoff(retries=10)
def describe_target_health(client, target_group_arn):
    return client.describe_target_health(TargetGroupArn=target_group_arn)["TargetHealthDescriptions"]


class ListenerErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleELBv2Error

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ListenerNotFound")


@LoadBalancerErrorHandler.list_error_handler("describe listeners of {load_balancer_arn}", default_value=None)
@AWSRetry.jittered_backoff(retries=10)
def describe_listeners(client, load_balancer_arn):
    paginator = client.get_paginator("describe_listeners")
    return paginator.paginate(LoadBalancerArn=load_balancer_arn).build_full_result()["Listeners"]


# None when the listener is gone (its load balancer deleted between two reads).
@ListenerErrorHandler.list_error_handler("describe rules of {listener_arn}", default_value=None)
@AWSRetry.jittered_backoff(retries=10)
def describe_rules(client, listener_arn):
    paginator = client.get_paginator("describe_rules")
    return paginator.paginate(ListenerArn=listener_arn).build_full_result()["Rules"]
