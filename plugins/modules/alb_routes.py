#!/usr/bin/python
# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: alb_routes
version_added: 0.3.0
short_description: Which side, blue or green, an ALB's listener rules send each route to; optionally wait for one
description:
  - Reads one ALB's listeners, their rules and the target groups the rules forward to, and says for each route which
    side the ALB serves it from. This is the truth the traffic gates rely on, read from the ALB itself rather than from
    the Ingresses' annotations; the AWS Load Balancer Controller may not have applied those yet, or at all (it stops
    reconciling a whole IngressGroup when one member is invalid, while every member keeps its hostname).
  - A route is a request path and an optional host, with the NodePort of the backend Service of each side. For every
    listener, the first rule by priority that a plain GET of that path on that host matches decides; its C(forward)
    action names one or more weighted target groups (C(TargetGroupArn) or C(ForwardConfig)); a target group belongs to
    the side whose NodePort is its port (instance targets).
  - Per route, V(blue) or V(green) when every forwarding listener agrees; V(mixed) when target groups of both sides get
    traffic (weights, or listeners that disagree); V(none) when no rule forwards the route; V(unknown) when a rule
    forwards it to a target group of neither side. A listener whose rule redirects the route (HTTP to HTTPS) is left
    out of the verdict.
  - With O(wait_for), polls until every route is served by that side, for O(timeout) seconds at most, and fails
    naming every route served otherwise and why (rule priority, target group, port).
  - Rules with conditions a plain request does not carry (HTTP header, query string, source IP, a method other than
    GET) are not matched.
  - "One poll reads the load balancer, its listeners, their rules and the target groups they name, whatever the number
    of routes. The module only reads: it always returns C(changed=false), and check mode runs the same reads."
author:
  - EcoEco backend team (@ecoeco)
options:
  load_balancer_name:
    description:
      - Name of the ALB (the IngressGroup's C(alb.ingress.kubernetes.io/load-balancer-name)).
    type: str
    required: true
  routes:
    description:
      - The routes to judge.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Name of the route, the key of the result.
        type: str
        required: true
      path:
        description: A request path the route serves, starting with C(/) (for a C(Prefix) Ingress path, the path itself).
        type: str
        required: true
      host:
        description: The request's host; empty matches only rules without a host condition.
        type: str
        default: ""
      ports:
        description:
          - The NodePort of each side's backend Service, keyed V(blue) and/or V(green); null for a side without one.
        type: dict
        required: true
  wait_for:
    description:
      - Wait until every route is served by this side. Omitted, the rules are read once.
    type: str
    choices: [blue, green]
  timeout:
    description: Seconds to wait at most with O(wait_for).
    type: float
    default: 60
  poll_interval:
    description: Seconds between two readings of the rules with O(wait_for).
    type: float
    default: 1
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ansible.builtin.action_common_attributes
  - ecoeco.bluegreen.read_only
"""

EXAMPLES = r"""
- name: Which side serves each route now
  ecoeco.bluegreen.alb_routes:
    load_balancer_name: ecoeco-alb
    routes:
      - name: auth
        path: /api/v1/auth
        ports: {blue: 30135, green: 31012}
  register: alb
  # alb.serving.auth == 'blue'

- name: Wait until the ALB sends every switched route to green, 30 seconds at most
  ecoeco.bluegreen.alb_routes:
    load_balancer_name: ecoeco-alb
    routes: "{{ route_probes }}"
    wait_for: green
    timeout: 30
    region: ap-northeast-2
"""

RETURN = r"""
load_balancer:
  description: The ALB read.
  returned: success
  type: dict
  contains:
    name:
      description: Its name.
      type: str
    arn:
      description: Its ARN.
      type: str
    dns_name:
      description: Its DNS name.
      type: str
serving:
  description: Keyed by route name, V(blue), V(green), V(mixed), V(none) or V(unknown).
  returned: always
  type: dict
  sample: {auth: green, chat: blue}
routes:
  description: Per route, what each listener's first matching rule does with it.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The route's name.
      type: str
    host:
      description: The host judged.
      type: str
    path:
      description: The path judged.
      type: str
    serving:
      description: The side that serves the route (see O(routes) and the description).
      type: str
    listeners:
      description: C(port), C(protocol), C(rule_priority) (null for the default action), C(serving), C(reason), C(redirects).
      type: list
      elements: dict
polls:
  description: How many times the rules were read.
  returned: always
  type: int
duration:
  description: Seconds the module spent reading (and waiting).
  returned: always
  type: float
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2.routes import parse_settings
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2.routes import run
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import BlueGreenError


def argspec():
    return dict(
        load_balancer_name=dict(type="str", required=True),
        routes=dict(
            type="list",
            elements="dict",
            required=True,
            options=dict(
                name=dict(type="str", required=True),
                path=dict(type="str", required=True),
                host=dict(type="str", default=""),
                ports=dict(type="dict", required=True),
            ),
        ),
        wait_for=dict(type="str", choices=["blue", "green"]),
        timeout=dict(type="float", default=60),
        poll_interval=dict(type="float", default=1),
    )


def main():
    module = AnsibleAWSModule(argument_spec=argspec(), supports_check_mode=True)
    try:
        settings = parse_settings(module.params)
        module.exit_json(**run(module.client("elbv2"), settings))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    except BlueGreenError as e:
        module.fail_json(msg=str(e), **e.details)


if __name__ == "__main__":
    main()
