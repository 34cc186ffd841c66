#!/usr/bin/python
# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: access_review
version_added: 0.3.0
short_description: Refuse early, naming every permission the Kubernetes identity lacks and who it is
description:
  - Asks the API server, with one C(SelfSubjectAccessReview) per verb and namespace, whether the identity this module
    runs as may do each thing in O(permissions), and fails with one message that lists every denied
    C(verb resource[.group] in namespace X) and says who the identity is. Each phase playbook calls it before its first
    write, with the permissions of that phase (the filter P(ecoeco.bluegreen.phase_permissions#filter)), so a phase
    that would fail halfway with the API server's raw 403 is refused before it starts.
  - The identity comes from a C(SelfSubjectReview) (C(authentication.k8s.io/v1)); when the API server does not serve
    or refuses it, the user of the kubeconfig's context is named instead.
  - With O(cluster_wide_first) (the default) each verb is first asked for all namespaces; only a verb denied there is
    asked namespace by namespace. Allowed in all namespaces means allowed in each one, so the answer is the same with
    far fewer reviews (one per verb with a ClusterRole, whatever the number of namespaces).
  - Reviews are answered and never stored, so the module asks them in check mode too and always reports
    RV(ignore:changed=false).
author:
  - EcoEco backend team (@ecoeco)
options:
  permissions:
    description:
      - What the identity must be allowed to do. Each entry is expanded into one review per verb and namespace.
    type: list
    elements: dict
    required: true
    suboptions:
      resource:
        description:
          - The plural lowercase resource, as in RBAC rules (V(deployments), V(namespaces)); a subresource after a
            slash (V(pods/portforward)).
        type: str
        required: true
      verbs:
        description: The verbs, for example V([get, list, patch]).
        type: list
        elements: str
        required: true
      group:
        description: The API group (V(apps), V(networking.k8s.io)); empty is the core group.
        type: str
        default: ""
      namespace:
        description: One namespace; empty or omitted means all namespaces (or the cluster, for a resource without namespace).
        type: str
      namespaces:
        description: Several namespaces, each reviewed; not with O(permissions[].namespace).
        type: list
        elements: str
      name:
        description: The name of one object, for rules that name their objects (C(resourceNames)).
        type: str
      why:
        description: What needs the permission; a denied permission is followed by it in the message.
        type: str
  purpose:
    description: Who is asking, the start of the failure message (for example V(phase 60 (blue removal\))).
    type: str
    default: access_review
  cluster_wide_first:
    description:
      - Ask each verb for all namespaces first and per namespace only when that is denied. V(false) asks every
        namespace, for example to list exactly where a namespaced Role grants the verb.
    type: bool
    default: true
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
attributes:
  check_mode:
    support: full
    description: Reviews write nothing, so they are asked in check mode as in a real run.
notes:
  - Creating C(SelfSubjectAccessReview) and C(SelfSubjectReview) needs no grant beyond the default C(system:basic-user).
requirements:
  - kubernetes >= 24.2.0
seealso:
  - name: Checking API access
    description: How kubectl auth can-i and SelfSubjectAccessReview answer.
    link: https://kubernetes.io/docs/reference/access-authn-authz/authorization/#checking-api-access
"""

EXAMPLES = r"""
- name: Refuse before any write unless the identity may do everything phase 60 does
  ecoeco.bluegreen.access_review:
    purpose: phase 60 (blue removal)
    permissions:
      - resource: namespaces
        verbs: [get, delete]
        namespace: api
        why: blue_removal deletes the source namespace
      - group: apps
        resource: deployments
        verbs: [list]
      - group: argoproj.io
        resource: applications
        verbs: [get, list, patch]
        namespace: argocd

- name: Check the permissions of a phase from the collection's table
  ecoeco.bluegreen.access_review:
    purpose: phase 20 (network policies)
    permissions: "{{ '20' | ecoeco.bluegreen.phase_permissions(green=['auth', 'my'], ledger='ecoeco-bluegreen') }}"

- name: Say where a namespaced Role grants a verb, namespace by namespace
  ecoeco.bluegreen.access_review:
    cluster_wide_first: false
    permissions:
      - group: networking.k8s.io
        resource: networkpolicies
        verbs: [create, patch]
        namespaces: [auth, my, scan]
  register: access
  ignore_errors: true
"""

RETURN = r"""
identity:
  description:
    - Who the reviews were asked for. C(source) is V(SelfSubjectReview), V(kubeconfig) (the user of the kubeconfig's
      context, when the API server would not say) or V(unknown); C(note) says why the API server's answer is missing.
  returned: always
  type: dict
  sample: {"username": "system:serviceaccount:ecoeco-bluegreen:ecoeco-bluegreen", "source": "SelfSubjectReview",
           "groups": ["system:serviceaccounts", "system:serviceaccounts:ecoeco-bluegreen", "system:authenticated"]}
allowed:
  description: Every allowed permission, one C(verb resource[.group] in namespace X) each.
  returned: always
  type: list
  elements: str
  sample: ["get namespaces in namespace api", "list deployments.apps in all namespaces"]
denied:
  description: Every denied permission, in the same words; the module fails when it is not empty.
  returned: always
  type: list
  elements: str
  sample: ["delete namespaces in namespace api"]
checks:
  description:
    - One entry per verb and namespace, with C(verb), C(group), C(resource), C(subresource), C(namespace), C(name),
      C(why), C(text), C(allowed), C(reason) (the authorizer's, when it gives one) and C(via) (V(everywhere) when it
      was answered for all namespaces, V(namespace) when for that namespace).
  returned: always
  type: list
  elements: dict
reviews:
  description: How many SelfSubjectAccessReviews were sent.
  returned: always
  type: int
duration:
  description: Wall-clock time of the call in seconds, like every C(duration) of this collection.
  returned: always
  type: float
"""

import copy
import os

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.access.cluster import AccessReviews
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.access.runner import run_access_review
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import BlueGreenError
from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException


def argspec():
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    spec.update(
        permissions=dict(type="list", elements="dict", required=True, options=dict(
            resource=dict(type="str", required=True),
            verbs=dict(type="list", elements="str", required=True),
            group=dict(type="str", default=""),
            namespace=dict(type="str"),
            namespaces=dict(type="list", elements="str"),
            name=dict(type="str"),
            why=dict(type="str"),
        ), mutually_exclusive=[("namespace", "namespaces")]),
        purpose=dict(type="str", default="access_review"),
        cluster_wide_first=dict(type="bool", default=True),
    )
    return spec


def main():
    module = AnsibleK8SModule(argument_spec=argspec(), supports_check_mode=True)
    kubeconfig = module.params.get("kubeconfig")
    if isinstance(kubeconfig, str) and not os.path.exists(kubeconfig):
        module.fail_json(msg="kubeconfig: expected a kubeconfig file, {0} does not exist".format(kubeconfig), field="kubeconfig")
    try:
        reviews = AccessReviews(get_api_client(module=module))
        result = run_access_review(reviews, module.params, kubeconfig=kubeconfig, context=module.params.get("context"))
    except BlueGreenError as e:
        module.fail_json(msg=str(e), **e.details)
    except CoreException as e:
        module.fail_from_exception(e)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
