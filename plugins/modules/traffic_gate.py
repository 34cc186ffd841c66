#!/usr/bin/python
# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: traffic_gate
version_added: 0.3.0
short_description: "The gate before and after a traffic change: the ALB serves every route from the expected side, healthy"
description:
  - Checks, in one call for every route, what must hold before traffic moves and after it moved, and waits (bounded by
    O(timeout) for the whole gate) for what the AWS Load Balancer Controller and the ALB's health checks are still doing.
  - "In order, with one list of every Ingress and every Service per read whatever the number of routes:
    (1) the Ingresses of the O(admitted) sides are members of the ALB (their status hostname is its DNS name);
    (2) no Ingress of the routes has a C(group.order) the controller refuses (it would stop reconciling the whole group);
    (3) with O(serving) V(blue) or V(green), that side's Ingress is evaluated first on every route (lower C(group.order),
    ties to the smaller C(namespace/name), the switch's own rule);
    (4) every backend Service of the admitted Ingresses exists; every Deployment of O(deployments) is rolled out and,
    with O(ready_endpoints), every such Service has a Ready endpoint (waited for: one list of Deployments and one of
    EndpointSlices per poll); and the ALB has a target group on every backend's NodePort;
    (5) the ALB's own listener rules send every route to the O(serving) side (the truth: the annotations may not be
    applied yet, or at all when the controller refuses the group), and when they do not by the deadline, the
    controller's Warning events on the routes' Ingresses say why;
    (6) every target group (O(all_target_groups)) or those of the admitted backends is healthy for O(consecutive) polls."
  - Each failed check fails the module with one message naming every route, Ingress, Service or target at fault
    (target id, port, state and reason).
  - Kubernetes is reached with O(kubeconfig) and O(context); every other kubernetes.core connection setting is read from
    its C(K8S_AUTH_*) environment variable. AWS is reached with the amazon.aws options below.
  - The module only reads; it always returns C(changed=false), and check mode runs the same reads and waits.
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
      - The routes, each the blue and the green Ingress of one domain.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Name of the route, the key of the results.
        type: str
        required: true
      blue:
        description: The blue Ingress.
        type: dict
        required: true
        suboptions:
          namespace:
            description: Its namespace.
            type: str
          name:
            description: Its name.
            type: str
      green:
        description: The green Ingress.
        type: dict
        required: true
        suboptions:
          namespace:
            description: Its namespace.
            type: str
          name:
            description: Its name.
            type: str
  serving:
    description:
      - The side that must serve every route, by the Ingresses' order and by the ALB's rules; V(any) checks neither.
    type: str
    choices: [blue, green, any]
    default: any
  admitted:
    description:
      - The sides whose Ingresses must be members of the ALB with a target group for every backend.
    type: list
    elements: str
    choices: [blue, green]
    default: [blue, green]
  all_target_groups:
    description:
      - Wait until every target group of the ALB is healthy; V(false) waits only for the target groups of the admitted
        backends (the other side may be the broken one, as in a rollback).
    type: bool
    default: true
  timeout:
    description: Seconds the whole gate may wait, all its checks together.
    type: float
    default: 300
  poll_interval:
    description: Seconds between two reads of a wait.
    type: float
    default: 2
  consecutive:
    description: Polls in a row in which every target group must be healthy.
    type: int
    default: 2
  deployments:
    description:
      - Deployments, each C({namespace, name}) (other keys are ignored), that must exist and be rolled out (the
        controller has seen their current spec, every replica is updated and available), for example the green ones
        before blue is removed. Waited for within O(timeout); a missing one ends the wait.
    type: list
    elements: dict
    default: []
  ready_endpoints:
    description:
      - Also wait until every backend Service of the admitted Ingresses has at least one Ready endpoint (an EndpointSlice
        endpoint whose C(conditions.ready) is true), within O(timeout).
    type: bool
    default: false
extends_documentation_fragment:
  - ecoeco.bluegreen.kube_and_aws
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ansible.builtin.action_common_attributes
  - ecoeco.bluegreen.read_only
"""

EXAMPLES = r"""
- name: Before the switch, both sides in the ALB and every target group healthy
  ecoeco.bluegreen.traffic_gate:
    load_balancer_name: ecoeco-alb
    routes:
      - name: auth
        blue: {namespace: api, name: auth-api}
        green: {namespace: auth, name: auth-api}
    serving: any
    region: ap-northeast-2

- name: After a rollback, blue serves every route and its own target groups are healthy
  ecoeco.bluegreen.traffic_gate:
    load_balancer_name: ecoeco-alb
    routes: "{{ bluegreen_routes }}"
    serving: blue
    admitted: [blue]
    all_target_groups: false
    timeout: 120
  register: gate
  # gate.report.alb_serving.auth == 'blue'

- name: Before blue is removed, green serves, its Deployments are rolled out and its Services have Ready endpoints
  ecoeco.bluegreen.traffic_gate:
    load_balancer_name: ecoeco-alb
    routes: "{{ bluegreen_routes }}"
    serving: green
    admitted: [green]
    deployments:
      - {namespace: auth, name: auth-api}
    ready_endpoints: true
"""

RETURN = r"""
report:
  description: What the gate saw.
  returned: success
  type: dict
  contains:
    alb:
      description: C(name) and C(dns_name) of the ALB.
      type: dict
    healthy:
      description: Whether every target group waited for was healthy.
      type: bool
    served:
      description: Per route, the side its Ingresses' C(group.order) put first (V(blue), V(green), V(none) or V(unknown)).
      type: dict
      sample: {auth: green}
    alb_serving:
      description: Per route, the side the ALB's listener rules send it to (V(blue), V(green), V(mixed), V(none), V(unknown)).
      type: dict
      sample: {auth: green}
    groups:
      description: The IngressGroup names of the routes' Ingresses.
      type: list
      elements: str
    backends:
      description: Every backend Service port of the admitted Ingresses, C(key) (C(<route>/<side>)), C(service), C(node_port), C(missing).
      type: list
      elements: dict
    orders:
      description: The effective C(group.order) of every Ingress, keyed C(<route>/<side>) (null when absent or refused).
      type: dict
    target_groups:
      description: C(name), C(all_healthy) and C(counts) of every target group waited for, as last read.
      type: list
      elements: dict
    wait_seconds:
      description: Seconds the health wait took.
      type: float
    deployments:
      description: The Deployments of O(deployments), C(namespace/name), each rolled out.
      type: list
      elements: str
    ready_endpoints:
      description: With O(ready_endpoints), the number of Ready endpoints of every admitted backend Service, keyed C(namespace/name); else empty.
      type: dict
      sample: {auth/auth-api: 2}
duration:
  description: Seconds the whole gate took.
  returned: success
  type: float
not_healthy:
  description: Every target not healthy when the health wait ran out, with its target group, id, port, state and reason.
  returned: when the target groups did not become healthy
  type: list
  elements: dict
not_ready:
  description: A sentence per Deployment of O(deployments) missing or not rolled out, and per Service without a Ready endpoint.
  returned: when the Deployments or the Services were not ready in time
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.kube_and_aws import KUBE_ARGS, cluster_of, one_failure
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.traffic_gate.runner import run
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.traffic_gate.settings import parse_settings


def argspec():
    ingress_ref = dict(type="dict", required=True, options=dict(namespace=dict(type="str"), name=dict(type="str")))
    return dict(
        load_balancer_name=dict(type="str", required=True),
        routes=dict(type="list", elements="dict", required=True,
                    options=dict(name=dict(type="str", required=True), blue=dict(ingress_ref), green=dict(ingress_ref))),
        serving=dict(type="str", choices=["blue", "green", "any"], default="any"),
        admitted=dict(type="list", elements="str", choices=["blue", "green"], default=["blue", "green"]),
        all_target_groups=dict(type="bool", default=True),
        timeout=dict(type="float", default=300),
        poll_interval=dict(type="float", default=2),
        consecutive=dict(type="int", default=2),
        deployments=dict(type="list", elements="dict", default=[]),
        ready_endpoints=dict(type="bool", default=False),
        **KUBE_ARGS
    )


def main():
    module = AnsibleAWSModule(argument_spec=argspec(), supports_check_mode=True)
    with one_failure(module):
        settings = parse_settings(module.params)
        cluster = cluster_of(module.params)
        module.exit_json(**run(cluster, module.client("elbv2"), settings))


if __name__ == "__main__":
    main()
