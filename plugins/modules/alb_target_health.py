#!/usr/bin/python
# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: alb_target_health
version_added: 0.1.0
short_description: Report, or wait for, the health of every target in ALB target groups
description:
  - Reads C(DescribeTargetHealth) for every selected ELBv2 target group and returns per group the
    number of targets in each state, every target with its state and reason, and whether the group
    is fully healthy.
  - Select the target groups by ARN, by name, or as all target groups of one load balancer, found by
    name, ARN or DNS name. Exactly one of O(target_group_arns), O(target_group_names),
    O(load_balancer_name), O(load_balancer_arn) and O(load_balancer_dns_name) is required.
  - To check the load balancer behind a Kubernetes Ingress, read the hostname that the AWS Load
    Balancer Controller writes to C(status.loadBalancer.ingress[0].hostname) with
    M(kubernetes.core.k8s_info) and pass it as O(load_balancer_dns_name) (see the examples). This
    keeps the module an AWS-only module with AWS-only credentials; the Ingress lookup uses your
    Kubernetes credentials in its own task.
  - With O(wait=true), polls until every selected target group has at least O(min_healthy) healthy
    targets for O(consecutive) polls in a row, and fails with every target that is not healthy, its
    state and reason, and the history of the polls when O(timeout) runs out.
  - With O(expected_targets), also reports per target group which expected targets are not
    registered and which registered targets were not expected.
  - Targets in state V(draining) or V(unhealthy.draining) are being deregistered. They are counted and
    listed but are not part of the registered total, do not satisfy an expected target and do not
    make a group unhealthy.
  - The health of the selected target groups is read a few groups at a time (one DescribeTargetHealth call each).
  - A target group of the selected load balancer that is deleted between the listing of its groups and the read
    of its health (the load balancer controller removing the group of a deleted Ingress) is left out of the
    report. A target group selected by name or ARN that is deleted then fails the module, naming it.
  - The module only reads. It never changes anything and always returns C(changed=false);
    check mode runs the same reads (and the same wait).
author:
  - EcoEco backend team (@ecoeco)
options:
  target_group_arns:
    description:
      - ARNs of the target groups to check.
      - An unknown ARN fails the module, naming every unknown ARN, before any wait.
    type: list
    elements: str
  target_group_names:
    description:
      - Names of the target groups to check.
      - An unknown name fails the module, naming every unknown name, before any wait.
    type: list
    elements: str
  load_balancer_name:
    description:
      - Name of a load balancer; every target group it forwards to is checked.
      - A load balancer without target groups returns an empty RV(target_groups) and RV(all_healthy=false),
        and fails with O(wait=true) because there is nothing to wait for.
    type: str
  load_balancer_arn:
    description:
      - ARN of a load balancer; every target group it forwards to is checked.
    type: str
  load_balancer_dns_name:
    description:
      - DNS name of a load balancer, as the AWS Load Balancer Controller writes it to an Ingress
        C(status.loadBalancer.ingress[0].hostname); every target group the load balancer forwards to
        is checked.
      - Compared without regard to case, a trailing dot or a C(dualstack.) prefix.
    type: str
  expected_targets:
    description:
      - Targets that must be registered in every selected target group, for example the worker nodes
        of an instance-mode Ingress or the pod IPs of an IP-mode one.
      - A missing expected target makes its group's RV(target_groups[].all_healthy) false and keeps
        O(wait=true) waiting.
      - Leave unset to skip the registration check.
    type: list
    elements: dict
    suboptions:
      id:
        description:
          - Instance ID, IP address or Lambda function ARN of the target.
        type: str
        required: true
      port:
        description:
          - Port the target must be registered on. Unset matches the target on any port.
        type: int
  wait:
    description:
      - Wait until every selected target group has at least O(min_healthy) healthy targets for
        O(consecutive) polls in a row, or fail after O(timeout) seconds.
      - Without it the module reads once and reports.
    type: bool
    default: false
  min_healthy:
    description:
      - How many targets of each target group must be healthy for the wait to succeed, as a count
        such as V(2) or as a whole percentage of the registered targets such as V('50%') (rounded up).
      - Unset means every registered target.
      - In every case at least one target must be healthy, so an empty target group never satisfies the wait.
      - Reported for every group as RV(target_groups[].min_healthy_met), also without O(wait).
    type: raw
  consecutive:
    description:
      - Number of polls in a row in which every target group must meet O(min_healthy) before the wait
        succeeds, so that a target flapping while its health checks settle does not pass.
    type: int
    default: 2
  poll_interval:
    description:
      - Seconds between two polls when O(wait=true). Fractions are allowed.
    type: float
    default: 2
  timeout:
    description:
      - Maximum number of seconds to wait when O(wait=true).
    type: float
    default: 300
notes:
  - The module needs C(elasticloadbalancing:DescribeTargetGroups), C(elasticloadbalancing:DescribeLoadBalancers)
    and C(elasticloadbalancing:DescribeTargetHealth).
  - AWS API calls are retried with jittered backoff when AWS throttles them.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ansible.builtin.action_common_attributes
  - ecoeco.bluegreen.read_only
"""

EXAMPLES = r"""
- name: Report the health of every target group behind the ALB
  ecoeco.bluegreen.alb_target_health:
    load_balancer_name: ecoeco-alb
    region: ap-northeast-2
  register: alb_health

- name: Wait until every target of two target groups is healthy for three polls in a row
  ecoeco.bluegreen.alb_target_health:
    target_group_names:
      - k8s-auth-authapi-0123456789
      - k8s-my-myapi-0123456789
    wait: true
    consecutive: 3
    poll_interval: 5
    timeout: 600

- name: Read the ALB hostname the AWS Load Balancer Controller wrote to the Ingress
  kubernetes.core.k8s_info:
    kind: Ingress
    namespace: auth
    name: auth-api
  register: auth_ingress

- name: Wait until at least half of the targets behind that Ingress's ALB are healthy
  ecoeco.bluegreen.alb_target_health:
    load_balancer_dns_name: "{{ auth_ingress.resources[0].status.loadBalancer.ingress[0].hostname }}"
    min_healthy: "50%"
    wait: true

- name: Check that both worker nodes are registered on the NodePort of the target group
  ecoeco.bluegreen.alb_target_health:
    target_group_arns:
      - arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/k8s-auth-authapi-0123456789/0123456789abcdef
    expected_targets:
      - id: i-0123456789abcdef0
        port: 31080
      - id: i-0fedcba9876543210
        port: 31080
  register: auth_registration

- name: Stop when a worker node is missing
  ansible.builtin.assert:
    that:
      - auth_registration.target_groups[0].missing_targets | length == 0
    fail_msg: "Not registered: {{ auth_registration.target_groups[0].missing_targets }}"
"""

RETURN = r"""
all_healthy:
  description:
    - True when at least one target group was selected and every selected group is fully healthy (see RV(target_groups[].all_healthy)).
  returned: always
  type: bool
  sample: true
target_groups:
  description:
    - One entry per selected target group, in the order they were selected (by load balancer, in the order AWS lists them).
    - With O(wait=true), the state seen by the last poll.
  returned: always
  type: list
  elements: dict
  contains:
    arn:
      description: ARN of the target group.
      type: str
      returned: always
      sample: arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/k8s-auth-authapi-0123456789/0123456789abcdef
    name:
      description: Name of the target group.
      type: str
      returned: always
      sample: k8s-auth-authapi-0123456789
    target_type:
      description: Type of the targets (V(instance), V(ip), V(lambda) or V(alb)).
      type: str
      returned: always
      sample: instance
    counts:
      description:
        - Number of targets in each state. Every key is always present.
        - State V(unhealthy.draining) is counted under C(unhealthy_draining).
      type: dict
      returned: always
      sample: {"healthy": 2, "unhealthy": 0, "initial": 0, "draining": 1, "unused": 0, "unavailable": 0, "unhealthy_draining": 0}
    registered:
      description: Number of targets that are not being deregistered (every state but V(draining) and V(unhealthy.draining)).
      type: int
      returned: always
      sample: 2
    healthy_required:
      description: Number of healthy targets O(min_healthy) asks of this group, at least 1.
      type: int
      returned: always
      sample: 2
    min_healthy_met:
      description: Whether the group has RV(target_groups[].healthy_required) healthy targets and no missing expected target.
      type: bool
      returned: always
      sample: true
    all_healthy:
      description: Whether the group has at least one registered target, every registered target is healthy and no expected target is missing.
      type: bool
      returned: always
      sample: true
    targets:
      description: Every target AWS reports for the group, sorted by ID and port.
      type: list
      elements: dict
      returned: always
      contains:
        id:
          description: Instance ID, IP address or Lambda function ARN.
          type: str
          returned: always
          sample: i-0123456789abcdef0
        port:
          description: Port the target is registered on; null for Lambda targets.
          type: int
          returned: always
          sample: 31080
        state:
          description: V(initial), V(healthy), V(unhealthy), V(unhealthy.draining), V(unused), V(draining) or V(unavailable).
          type: str
          returned: always
          sample: unhealthy
        reason:
          description: Why the target is not healthy, as AWS reports it; null for healthy targets.
          type: str
          returned: always
          sample: Target.FailedHealthChecks
        description:
          description: AWS's explanation of the reason; null for healthy targets.
          type: str
          returned: always
          sample: Health checks failed
    missing_targets:
      description: Entries of O(expected_targets) that are not registered in the group (a deregistering target counts as missing).
      type: list
      elements: dict
      returned: when O(expected_targets) is set
      sample: [{"id": "i-0fedcba9876543210", "port": 31080}]
    unexpected_targets:
      description: Registered targets that match no entry of O(expected_targets), with their state.
      type: list
      elements: dict
      returned: when O(expected_targets) is set
      sample: [{"id": "i-0aaaabbbbccccdddd", "port": 31080, "state": "healthy"}]
load_balancer:
  description: The load balancer whose target groups were checked.
  returned: when O(load_balancer_name), O(load_balancer_arn) or O(load_balancer_dns_name) is set
  type: dict
  contains:
    arn:
      description: ARN of the load balancer.
      type: str
      returned: always
      sample: arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:loadbalancer/app/ecoeco-alb/0123456789abcdef
    name:
      description: Name of the load balancer.
      type: str
      returned: always
      sample: ecoeco-alb
    dns_name:
      description: DNS name of the load balancer.
      type: str
      returned: always
      sample: ecoeco-alb-1234567890.ap-northeast-2.elb.amazonaws.com
duration:
  description: Seconds the module spent looking up the target groups, reading their health and waiting.
  returned: always
  type: float
  sample: 4.213
history:
  description:
    - One entry per poll of the wait, also returned when the wait fails.
    - Each entry has C(poll) (1-based), C(elapsed) (seconds since the wait started), C(min_healthy_met)
      (every group met O(min_healthy) in that poll) and C(counts) (the RV(target_groups[].counts) of every
      group, by target group name).
  returned: when O(wait=true)
  type: list
  elements: dict
  sample:
    - {"poll": 1, "elapsed": 0.0, "min_healthy_met": true, "counts": {"k8s-auth-authapi-0123456789": {"healthy": 2, "unhealthy": 0}}}
    - {"poll": 2, "elapsed": 2.0, "min_healthy_met": true, "counts": {"k8s-auth-authapi-0123456789": {"healthy": 2, "unhealthy": 0}}}
not_healthy:
  description: Every target that was not healthy at the last poll, with its target group name, ID, port, state, reason and description.
  returned: when the wait timed out
  type: list
  elements: dict
  sample: [{"target_group": "k8s-auth-authapi-0123456789", "id": "i-0123456789abcdef0", "port": 31080, "state": "unhealthy",
            "reason": "Target.FailedHealthChecks", "description": "Health checks failed"}]
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2.runner import SELECTORS
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2.runner import parse_settings
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2.runner import run
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import BlueGreenError


def argspec():
    return dict(
        target_group_arns=dict(type="list", elements="str"),
        target_group_names=dict(type="list", elements="str"),
        load_balancer_name=dict(type="str"),
        load_balancer_arn=dict(type="str"),
        load_balancer_dns_name=dict(type="str"),
        expected_targets=dict(
            type="list",
            elements="dict",
            options=dict(
                id=dict(type="str", required=True),
                port=dict(type="int"),
            ),
        ),
        wait=dict(type="bool", default=False),
        min_healthy=dict(type="raw"),
        consecutive=dict(type="int", default=2),
        poll_interval=dict(type="float", default=2),
        timeout=dict(type="float", default=300),
    )


def main():
    module = AnsibleAWSModule(
        argument_spec=argspec(),
        mutually_exclusive=[list(SELECTORS)],
        required_one_of=[list(SELECTORS)],
        supports_check_mode=True,
    )
    try:
        settings = parse_settings(module.params)
        module.exit_json(**run(module.client("elbv2"), settings))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    except BlueGreenError as e:
        module.fail_json(msg=str(e), **e.details)


if __name__ == "__main__":
    main()
