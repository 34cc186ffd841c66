#!/usr/bin/python
# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: bluegreen_switch
version_added: 0.1.0
short_description: Move traffic between blue and green backends with a verified, reversible switch
description:
  - Moves traffic of one or more targets to the green backend (O(state=green)) or back to the blue one
    (O(state=blue), the rollback). A target is either a Service whose selector is flipped
    (O(targets[].kind=service)) or a pair of Ingresses in one AWS Load Balancer Controller IngressGroup
    whose evaluation order is flipped (O(targets[].kind=ingress)), the way to move a route to another namespace.
  - "Before anything is written, every target is verified: the objects exist, the selector key is present,
    the current value is the one expected for the side being left, the destination backend has enough
    Ready endpoints, the two Ingresses are one route in one ALB, and Argo CD will not undo the edit.
    If any target fails, nothing is flipped and the module fails listing every failing target and why."
  - A target that already serves the wanted side is left alone (no write; its readiness is reported but
    not required), so a second identical run reports C(changed=false).
  - Each flip is one RFC 6902 JSON patch that first C(test)s the value that was read, then C(replace)s it,
    so a concurrent edit makes the patch fail instead of being overwritten.
  - After flipping, waits at most O(converge_timeout) seconds for the data plane to follow. If it does not,
    or if a later flip fails, every target already flipped is put back with the same compare-and-swap, and
    the module fails saying, per target, what was rolled back.
  - In check mode the same patches are sent as a server-side dry run, so the API server validates them
    (including the C(test)s), nothing is stored, and C(changed) is reported truthfully. There is no wait.
author:
  - EcoEco backend team (@ecoeco)
options:
  state:
    description:
      - Which backend should serve every target when the module returns.
      - V(blue) is the rollback. It goes through the same verification, so the blue backend must have
        its Ready endpoints.
    type: str
    choices: [green, blue]
    default: green
  targets:
    description:
      - The objects to flip, in the order they are flipped (and put back in reverse order on failure).
      - Each object may appear only once.
    type: list
    elements: dict
    required: true
    suboptions:
      kind:
        description:
          - V(service) flips a selector value of one Service between the blue and the green pods.
          - V(ingress) flips which of two Ingresses of one ALB IngressGroup is evaluated first.
        type: str
        required: true
        choices: [service, ingress]
      namespace:
        description:
          - Namespace of the Service. Required for O(targets[].kind=service), not allowed otherwise.
        type: str
      name:
        description:
          - Name of the Service. Required for O(targets[].kind=service), not allowed otherwise.
        type: str
      selector_key:
        description:
          - Label key in the Service selector that tells blue and green pods apart.
          - Defaults to V(version) for O(targets[].kind=service); not allowed otherwise.
        type: str
      blue_value:
        description:
          - Value of O(targets[].selector_key) that selects the blue pods. Must be a valid label value.
          - Required for O(targets[].kind=service), not allowed otherwise.
        type: str
      green_value:
        description:
          - Value of O(targets[].selector_key) that selects the green pods. Must be a valid label value
            different from O(targets[].blue_value).
          - Required for O(targets[].kind=service), not allowed otherwise.
        type: str
      blue:
        description:
          - The blue Ingress. Required for O(targets[].kind=ingress), not allowed otherwise.
        type: dict
        suboptions:
          namespace:
            description: Namespace of the blue Ingress.
            type: str
          name:
            description: Name of the blue Ingress.
            type: str
      green:
        description:
          - The green Ingress, the object this module edits. Required for O(targets[].kind=ingress), not allowed otherwise.
        type: dict
        suboptions:
          namespace:
            description: Namespace of the green Ingress.
            type: str
          name:
            description: Name of the green Ingress.
            type: str
      green_order:
        description:
          - The C(alb.ingress.kubernetes.io/group.order) to give the green Ingress when switching to green,
            from V(-1000) to V(1000). It must make green evaluated before blue.
          - Defaults to blue's order minus one. Only used with O(state=green) and O(targets[].kind=ingress).
        type: int
      previous:
        description:
          - The group.order annotation value to restore on the green Ingress when switching back to blue,
            as returned by the switch to green in RV(targets[].previous). It must make blue evaluated first again.
          - Defaults to blue's order plus one (also when the recorded value was null, that is unset, since only the
            number matters to the controller). Only used with O(state=blue) and O(targets[].kind=ingress).
        type: str
      min_ready:
        description:
          - How many Ready endpoints the destination backend needs before the flip and after it.
            For an ingress target it applies to each backend Service of the destination Ingress.
          - Defaults to every desired replica of the Deployments whose pod template the destination selector
            matches, and at least 1.
        type: int
  converge_timeout:
    description:
      - Seconds to wait after flipping for the data plane to follow before everything is put back.
    type: float
    default: 60
  converge_interval:
    description:
      - Seconds between two checks while waiting for the data plane.
    type: float
    default: 0.2
  settle_grace:
    description:
      - Seconds to wait after the data plane has settled in the API (EndpointSlices, Ingress status) and before
        returning, for what follows the API with a delay to catch up, so that the side left may be removed once
        the module returns. kube-proxy programs a node's rules about 1 s (its C(minSyncPeriod)) after the
        EndpointSlices change; the AWS Load Balancer Controller and the ALB also apply rule changes a moment later.
      - Only spent when something was flipped and not in check mode. V(0) returns as soon as the API has settled.
    type: float
    default: 2.0
  argocd_namespace:
    description:
      - Namespace of the Argo CD control plane, where Applications named by tracking labels are looked up.
    type: str
    default: argocd
  gitops_frozen:
    description:
      - Declare that Argo CD self-heal is already frozen for the objects to edit (for example with
        M(ecoeco.bluegreen.argocd_sync_toggle)), so the Argo CD check reports but does not refuse.
    type: bool
    default: false
notes:
  - "Service targets: the flip edits C(spec.selector.<selector_key>) of the Service. The blue backend is the pods
    the selector matches with O(targets[].blue_value), the green backend those it matches with
    O(targets[].green_value). The data plane has followed when the Service's EndpointSlices
    (label C(kubernetes.io/service-name)) hold only addresses of destination pods and at least
    O(targets[].min_ready) of them are Ready; destination endpoints that are not Ready are tolerated, as they get no traffic."
  - "Ingress targets (namespace migration): an Ingress can only send traffic to Services in its own namespace,
    so moving a route from namespace C(api) to namespace C(auth) needs a second Ingress in C(auth). Put both
    Ingresses in the same IngressGroup (equal C(alb.ingress.kubernetes.io/group.name)) with the same host and
    path rules. The AWS Load Balancer Controller merges a group into one ALB and orders its Ingresses by
    C(alb.ingress.kubernetes.io/group.order) (lower first; unset is 0; V(-1000) to V(1000); ties go to the
    lexically smaller C(namespace/name)); for the same host and path the rule of the Ingress evaluated first wins."
  - "The flip to green is one compare-and-swap JSON patch of the annotation C(alb.ingress.kubernetes.io/group.order)
    in C(metadata.annotations) of the B(green) Ingress, to a value lower than blue's (O(targets[].green_order), default
    blue's minus one). The flip to blue edits the same field of the same object back above blue's
    (O(targets[].previous), default blue's plus one). The blue Ingress is never edited."
  - "Why the order and not moving the rules from one Ingress to the other: both target groups stay registered and
    health-checked by the ALB the whole time, and only the priority of two rules that already exist changes.
    Moving rules is a delete on one object and an add on another, reconciled separately, so there can be an
    instant in which the path is in neither Ingress (404s from the ALB default action) or merged twice. Here the
    path is always served, it is make-before-break, and the rollback is one edit of the same field."
  - "Ingress targets are verified for: both Ingresses exist, are in the same group and IngressClass, green routes every
    host/path pair of blue, and every backend Service of the destination Ingress has at least O(targets[].min_ready)
    Ready endpoints in its EndpointSlices. The data plane has followed when the destination Ingress has a
    C(status.loadBalancer) hostname equal to the other one's (both in the same ALB) and its backends are Ready."
  - "Argo CD: an object to edit that carries Argo CD tracking (annotation C(argocd.argoproj.io/tracking-id) or label
    C(app.kubernetes.io/instance)) is looked up as an Application (C(argoproj.io/v1alpha1)). If it self-heals
    (C(spec.syncPolicy.automated.selfHeal=true) and C(automated.enabled) not false), or it is generated by an
    ApplicationSet whose C(spec.template.spec.syncPolicy.automated.selfHeal) is true, the module refuses: Argo CD
    would revert the flip within seconds. Freeze it with M(ecoeco.bluegreen.argocd_sync_toggle) C(state=disabled)
    on the object named in the message, or set O(gitops_frozen=true) if the freeze is in place. Without the Argo CD
    CRDs the check passes."
  - "Needs get and list on Namespaces, Services, Pods, Deployments, EndpointSlices and Ingresses (and Argo CD
    Applications and ApplicationSets if installed), and patch on the Services and Ingresses it flips."
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: all
requirements:
  - "kubernetes >= 24.2.0"
  - "PyYAML >= 3.11"
seealso:
  - module: kubernetes.core.k8s_json_patch
  - module: ecoeco.bluegreen.alb_target_health
"""

EXAMPLES = r"""
- name: Switch the backend Service from the blue to the green pods
  ecoeco.bluegreen.bluegreen_switch:
    targets:
      - kind: service
        namespace: prod
        name: backend
        blue_value: blue
        green_value: green
  register: switch

- name: Roll back to blue (verified the same way)
  ecoeco.bluegreen.bluegreen_switch:
    state: blue
    targets:
      - kind: service
        namespace: prod
        name: backend
        blue_value: blue
        green_value: green

- name: Move the auth route from namespace api to namespace auth, Argo CD already frozen
  ecoeco.bluegreen.bluegreen_switch:
    gitops_frozen: true
    converge_timeout: 120
    targets:
      - kind: ingress
        blue: {namespace: api, name: auth-api}
        green: {namespace: auth, name: auth-api}
  register: auth_move

- name: Put the auth route back exactly as it was
  ecoeco.bluegreen.bluegreen_switch:
    state: blue
    gitops_frozen: true
    targets:
      - kind: ingress
        blue: {namespace: api, name: auth-api}
        green: {namespace: auth, name: auth-api}
        previous: "{{ auth_move.targets[0].previous }}"
"""

RETURN = r"""
state:
  description: The requested side, V(green) or V(blue).
  returned: success
  type: str
  sample: green
targets:
  description: One entry per target, in the order given.
  returned: success
  type: list
  elements: dict
  contains:
    kind:
      description: V(service) or V(ingress).
      type: str
      sample: service
    namespace:
      description: Namespace of the edited object (the green Ingress for an ingress target).
      type: str
      sample: prod
    name:
      description: Name of the edited object.
      type: str
      sample: backend
    previous:
      description:
        - The value before this run, enough to restore it exactly. The selector value for a service target;
          the green Ingress's group.order annotation for an ingress target, null when it was unset.
        - Pass it as O(targets[].previous) to put an ingress target back.
      type: str
      sample: blue
    current:
      description: The value after this run (in check mode, the value the dry run produced).
      type: str
      sample: green
    changed:
      description: Whether this target was flipped (false when it already served the wanted side).
      type: bool
      sample: true
    verify:
      description:
        - What verification found. Always C(ready_endpoints) (for an ingress target the smallest count among the
          destination backends) and C(argocd) (the tracking Application and whether it self-heals, or null when
          untracked).
        - Service targets add C(min_ready) and C(selector) (the destination selector). Ingress targets add
          C(backends) (per Service C(namespace), C(name), C(ready_endpoints), C(min_ready)), C(group), C(blue),
          C(blue_order), C(green_order) and C(serving) (the side evaluated first before this run).
      type: dict
      sample: {"ready_endpoints": 2, "min_ready": 2, "selector": {"app": "backend", "version": "green"}, "argocd": null}
timings_ms:
  description: Milliseconds spent verifying, patching, waiting for the data plane, and in total.
  returned: success, and failure once the input passed the argument spec
  type: dict
  contains:
    verify:
      description: Parsing and verifying every target.
      type: float
    patch:
      description: Applying the patches (a dry run in check mode).
      type: float
    converge:
      description: Waiting for the data plane; 0 in check mode and when nothing was flipped.
      type: float
    grace:
      description: The O(settle_grace) spent after the data plane settled; 0 in check mode and when nothing was flipped.
      type: float
    total:
      description: The whole run.
      type: float
  sample: {"verify": 41.3, "patch": 12.8, "converge": 604.1, "grace": 2000.2, "total": 2659.1}
failures:
  description: When verification fails, every failing target with C(target), C(kind), C(namespace), C(name) and C(reasons).
  returned: failure in verification
  type: list
  elements: dict
  sample: [{"target": "targets[0]", "kind": "service", "namespace": "prod", "name": "backend",
            "reasons": ["the green backend has 0 Ready endpoints (Ready pods matching app=backend,version=green), needs at least 1"]}]
"""

import copy

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import BlueGreenError
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.cluster import Cluster
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.runner import run_switch
from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException


def argspec():
    ingress_ref = dict(type="dict", options=dict(namespace=dict(type="str"), name=dict(type="str")))
    target = dict(
        kind=dict(type="str", required=True, choices=["service", "ingress"]),
        namespace=dict(type="str"),
        name=dict(type="str"),
        selector_key=dict(type="str", no_log=False),
        blue_value=dict(type="str"),
        green_value=dict(type="str"),
        blue=copy.deepcopy(ingress_ref),
        green=copy.deepcopy(ingress_ref),
        green_order=dict(type="int"),
        previous=dict(type="str"),
        min_ready=dict(type="int"),
    )
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    spec.update(
        state=dict(type="str", choices=["green", "blue"], default="green"),
        targets=dict(type="list", elements="dict", required=True, options=target),
        converge_timeout=dict(type="float", default=60),
        converge_interval=dict(type="float", default=0.2),
        settle_grace=dict(type="float", default=2.0),
        argocd_namespace=dict(type="str", default="argocd"),
        gitops_frozen=dict(type="bool", default=False),
    )
    return spec


def main():
    module = AnsibleK8SModule(module_class=AnsibleModule, argument_spec=argspec(), supports_check_mode=True)
    try:
        result = run_switch(Cluster(get_api_client(module)), module.params, check_mode=module.check_mode, diff=module._diff)
    except BlueGreenError as e:
        module.fail_json(msg=str(e), **e.details)
    except CoreException as e:
        module.fail_from_exception(e)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
