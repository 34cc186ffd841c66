#!/usr/bin/python
# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: green_rollout
version_added: 0.3.0
short_description: Put green beside blue in every domain namespace and wait until it serves, with blue untouched
description:
  - One call does phase 30's step for every domain, whatever their number, under one O(timeout) for all its waits.
  - "In order: (1) every green namespace (the domain) exists; (2) every blue Deployment C(<domain><name_suffix>) exists in
    O(source_namespace), and is remembered; (3) with O(source=clone_blue), green copies of blue's Deployment, Service and
    Ingress are created or strategic-merged into the live ones (see below); with V(manifests), O(definitions) are; with
    V(argocd) nothing is written, Argo CD deploys green; (4) every green Deployment (found by O(labels)) is rolled out:
    the current generation observed, every replica updated and available; (5) with O(ingress), every green Ingress has a
    load balancer hostname (admitted by the AWS Load Balancer Controller); (6) with O(target_health), the ALB has a target
    group on every green Service's NodePort (or the groups of O(target_group_names)) and all of them are healthy for
    O(consecutive) polls; (7) blue's Deployments still have the uid, generation, labels, annotations and spec they had."
  - "A green copy differs from blue in: the namespace; the O(labels) on the metadata, the selector and the pod template;
    no cluster IP or node port (the API server assigns new ones); the Ingress's C(group.order): O(parked_order) behind
    blue for a new Ingress, while an existing one keeps the order the switch gave it (re-applying the parked order would
    move traffic back to blue); Argo CD's tracking annotation (O(tracking)); and no annotation describing the blue object
    itself (the Deployment revision, kubectl's last-applied configuration)."
  - Each check that fails fails the module with one message naming every domain at fault, including the green Deployment's
    replica counts and conditions, or each unhealthy target group with its domain and the targets' states and reasons.
  - Kubernetes is reached with O(kubeconfig) and O(context); every other kubernetes.core connection setting is read from
    its C(K8S_AUTH_*) environment variable. AWS is reached with the amazon.aws options below.
author:
  - EcoEco backend team (@ecoeco)
options:
  domains:
    description: The domains; each is also the namespace of its green workload.
    type: list
    elements: str
    required: true
  name_suffix:
    description: The workload of domain C(d) is named C(d<name_suffix>) (its Deployment, Service and Ingress).
    type: str
    default: ""
  source_namespace:
    description: The namespace blue runs in.
    type: str
    required: true
  source:
    description:
      - Where green comes from. V(clone_blue) copies blue's objects; V(manifests) writes O(definitions); V(argocd) writes
        nothing and waits for the green that Argo CD deploys once the manifests change lands in Git.
    type: str
    choices: [clone_blue, manifests, argocd]
    default: clone_blue
  labels:
    description: Labels that mark green (set on every copy, its selector and pod template; green is found by them).
    type: dict
    default: {version: green}
  pod_annotations:
    description: Annotations added to the pod template of every green copy.
    type: dict
    default: {}
  ingress:
    description: Copy and wait for the Ingresses too (V(false) for workloads reached without an Ingress).
    type: bool
    default: true
  parked_order:
    description: The C(group.order) of a new green Ingress, behind blue's so that blue keeps serving.
    type: int
    default: 20
  tracking_annotation:
    description: Argo CD's tracking annotation.
    type: str
    default: argocd.argoproj.io/tracking-id
  tracking:
    description: V(remove) it from the copies, or V(rewrite) it to name the green namespace.
    type: str
    choices: [remove, rewrite]
    default: remove
  timeout:
    description: Seconds all the waits together may take.
    type: float
    default: 300
  poll_interval:
    description: Seconds between two reads of a wait.
    type: float
    default: 1
  target_health:
    description: Wait until the green target groups are healthy.
    type: bool
    default: true
  load_balancer_name:
    description: The ALB in front of green, whose target groups are matched to the green NodePorts.
    type: str
    default: ""
  target_group_names:
    description: The green target groups by name, instead of matching the ALB's groups by NodePort (target type ip).
    type: list
    elements: str
    default: []
  consecutive:
    description: Polls in a row in which every green target group must be healthy.
    type: int
    default: 2
  definitions:
    description:
      - With O(source=manifests), the green objects to write (each with C(apiVersion), C(kind), C(metadata.name) and
        C(metadata.namespace)), created or merged into the live ones like the copies of V(clone_blue).
    type: list
    elements: dict
    default: []
extends_documentation_fragment:
  - ecoeco.bluegreen.kube_and_aws
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Every write is sent as a server-side dry run; waits run only when nothing would change.
  diff_mode:
    support: full
    details: The labels, annotations and spec of every object before and after.
  platform:
    platforms: all
"""

EXAMPLES = r"""
- name: Clone blue into auth and orders beside it, parked, and wait until green serves
  ecoeco.bluegreen.green_rollout:
    domains: [auth, orders]
    name_suffix: -api
    source_namespace: api
    load_balancer_name: ecoeco-alb
    timeout: 300
    region: ap-northeast-2
  register: green

- name: Wait for the green that Argo CD deploys once the manifests change lands
  ecoeco.bluegreen.green_rollout:
    domains: [auth, orders]
    name_suffix: -api
    source_namespace: api
    source: argocd
    load_balancer_name: ecoeco-alb
"""

RETURN = r"""
report:
  description: What the ledger records of the step.
  returned: always
  type: dict
  contains:
    source:
      description: O(source).
      type: str
    domains:
      description: O(domains).
      type: list
      elements: str
    objects_changed:
      description: Green objects created or changed (in check mode, that would be).
      type: int
    awaited:
      description: Whether the waits ran (not in check mode when green would change).
      type: bool
    seconds_left:
      description: Seconds of O(timeout) left after the waits.
      type: float
    target_groups:
      description: Names of the green target groups found healthy.
      type: list
      elements: str
    blue_resource_versions:
      description: The C(resourceVersion) of every blue Deployment at the end, by domain.
      type: dict
objects:
  description: Every green object created or changed, C(object) (C(<Kind> <namespace>/<name>)) and C(created).
  returned: always
  type: list
  elements: dict
duration:
  description: Seconds the whole step took.
  returned: always
  type: float
pending:
  description: Why each domain's green is not ready yet, by domain, when the wait for Deployments or Ingresses ran out.
  returned: on failure
  type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.kube_and_aws import KUBE_ARGS, cluster_of, one_failure
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.green_rollout.runner import run
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.green_rollout.settings import SOURCES, TRACKING, parse_settings


def argspec():
    return dict(
        domains=dict(type="list", elements="str", required=True),
        name_suffix=dict(type="str", default=""),
        source_namespace=dict(type="str", required=True),
        source=dict(type="str", choices=list(SOURCES), default="clone_blue"),
        labels=dict(type="dict", default={"version": "green"}),
        pod_annotations=dict(type="dict", default={}),
        ingress=dict(type="bool", default=True),
        parked_order=dict(type="int", default=20),
        tracking_annotation=dict(type="str", default="argocd.argoproj.io/tracking-id"),
        tracking=dict(type="str", choices=list(TRACKING), default="remove"),
        timeout=dict(type="float", default=300),
        poll_interval=dict(type="float", default=1),
        target_health=dict(type="bool", default=True),
        load_balancer_name=dict(type="str", default=""),
        target_group_names=dict(type="list", elements="str", default=[]),
        consecutive=dict(type="int", default=2),
        definitions=dict(type="list", elements="dict", default=[]),
        **KUBE_ARGS
    )


def main():
    module = AnsibleAWSModule(argument_spec=argspec(), supports_check_mode=True)
    with one_failure(module):
        settings = parse_settings(module.params)
        cluster = cluster_of(module.params)
        elbv2 = module.client("elbv2") if settings.target_health else None
        module.exit_json(**run(cluster, elbv2, settings, module.check_mode))


if __name__ == "__main__":
    main()
