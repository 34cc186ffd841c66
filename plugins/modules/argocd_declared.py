#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: argocd_declared
short_description: Whether Git agrees with the live state, as Argo CD's Applications compared it, with a bounded wait
version_added: 0.4.0
description:
  - Reads the Applications an ApplicationSet generated and lists every object in O(declared_namespace) that Git still
    declares (the Applications' C(status.resources), every entry not marked C(requiresPruning)), and every live object
    that differs from what Git declares (an entry C(OutOfSync) not marked C(requiresPruning)).
  - Restoring Argo CD automated sync while Git still declares blue's objects would make prune and self-heal (with
    C(CreateNamespace=true)) recreate blue after its removal; while a live object differs from Git (the switched
    C(group.order) of a green Ingress that Git still parks), self-heal would undo it and move traffic back. The
    manifests change must land first. This module is how the collection knows it has.
  - With O(wait_timeout), reads again every O(poll_interval) seconds until Git agrees, and with O(refresh) asks each
    Application that disagrees for a hard refresh (the annotation C(argocd.argoproj.io/refresh=hard)), so Argo CD
    compares with the new commit at once instead of at its next poll.
  - Never fails because Git disagrees; RV(declared) and RV(drifted) say how, and the caller decides.
author:
  - EcoEco backend team (@ecoeco)
options:
  namespace:
    description: Namespace of the Argo CD objects.
    type: str
    default: argocd
  application_set:
    description:
      - The ApplicationSet whose generated Applications (by C(ownerReferences)) are read.
      - One of O(application_set) and O(tracking) is required.
    type: str
  declared_namespace:
    description: The namespace to look for, for example the blue namespace C(api); without it RV(declared) is empty.
    type: str
  wait_timeout:
    description: Seconds to wait until nothing is declared in O(declared_namespace) and nothing has drifted; V(0) reads once.
    type: int
    default: 0
  fresh_timeout:
    description:
      - Seconds to wait, first, until every Application has compared with Git after this task began (C(status.reconciledAt)),
        asking each for a hard refresh; a status from before a change this run made (a deletion) is not trusted. An
        Application still not compared then counts in RV(drifted). One Argo CD can never compare (no resources, sync
        status Unknown) deploys nothing and needs no comparison.
      - V(0) trusts the status as read. Needs O(refresh); ignored in check mode (nothing is written then).
    type: int
    default: 0
  healed_namespace:
    description:
      - A namespace whose drift does not count in RV(drifted), because the caller wants self-heal to bring Git's objects
        back there (a rollback's blue namespace, while Git still deploys blue). When it is O(declared_namespace), what Git
        declares there is wanted and not waited for to go away (RV(declared) still lists it).
    type: str
  healed_objects:
    description:
      - Objects whose drift does not count in RV(drifted), because the caller wants self-heal to bring Git's version
        back (the colour a release's Service does not select; Git's image and size there move no traffic).
    type: list
    elements: dict
    default: []
    suboptions:
      kind:
        description: Kind of the object.
        type: str
        required: true
      namespace:
        description: Namespace of the object.
        type: str
        required: true
      name:
        description: Name of the object.
        type: str
        required: true
  poll_interval:
    description: Seconds between two reads while waiting.
    type: float
    default: 2
  refresh:
    description:
      - Ask each Application that disagrees with Git for a hard refresh while waiting. Not in check mode.
    type: bool
    default: false
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
  - ecoeco.bluegreen.argocd_tracking
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details:
      - Reads only; no refresh is requested in check mode.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
requirements:
  - kubernetes >= 24.2.0
"""

EXAMPLES = r"""
- name: Wait until the manifests change that moves the services out of api has reached Argo CD
  ecoeco.bluegreen.argocd_declared:
    application_set: ecoeco-api-services-kustomize
    declared_namespace: api
    wait_timeout: 300
    refresh: true
  register: git

- name: Refuse while Git still deploys into api or differs from the live state
  ansible.builtin.assert:
    that: (git.declared + git.drifted) | length == 0
    fail_msg: "Git still declares {{ git.declared | join('; ') }}; differs {{ git.drifted | join('; ') }}"

- name: After a release, see whether Git declares it yet (a difference on the idle colour is self-heal's to undo)
  ecoeco.bluegreen.argocd_declared:
    tracking:
      - {api_version: v1, kind: Service, namespace: backend, name: backend}
      - {api_version: apps/v1, kind: Deployment, namespace: backend, name: backend-blue}
      - {api_version: apps/v1, kind: Deployment, namespace: backend, name: backend-green}
    healed_objects:
      - {kind: Deployment, namespace: backend, name: backend-blue}
    refresh: true
    fresh_timeout: 60
  register: git
"""

RETURN = r"""
declared:
  description: One sentence per object in O(declared_namespace) that Git still declares, sorted; empty when none.
  returned: always
  type: list
  elements: str
  sample: ["Application argocd/ecoeco-auth declares Deployment api/auth-api (revision 3f2c1d0a)"]
drifted:
  description:
    - One sentence per live object that differs from what Git declares (one Git declares but that is missing live, too),
      and, with O(fresh_timeout), per Application not compared since the task began; sorted; empty when none.
  returned: always
  type: list
  elements: str
  sample: ["Application argocd/ecoeco-auth: live Ingress auth/auth-api differs from Git (revision 3f2c1d0a)"]
applications:
  description: The Applications read, by name, sorted.
  returned: always
  type: list
  elements: str
  sample: ["ecoeco-auth", "ecoeco-my"]
waited_seconds:
  description: How long the module waited (0 when the first read found Git agreeing, or with O(wait_timeout=0)).
  returned: always
  type: float
  sample: 4.2
refreshes:
  description: How many hard refreshes were requested.
  returned: always
  type: int
  sample: 7
changed:
  description: Whether a refresh was requested (an annotation written).
  returned: always
  type: bool
"""

import copy

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.declared import wait_until_git_agrees
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.objects import ArgoObjects
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.tracking import TRACKING_OPTIONS, check_objects, tracking_applications
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import BlueGreenError, InvalidInput
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.cluster import Cluster
from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException

MAX_WAIT_SECONDS = 3600


def argspec():
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    spec.update(
        namespace=dict(type="str", default="argocd"),
        application_set=dict(type="str"),
        tracking=dict(type="list", elements="dict", options=copy.deepcopy(TRACKING_OPTIONS)),
        declared_namespace=dict(type="str"),
        healed_objects=dict(type="list", elements="dict", default=[], options=dict(
            kind=dict(type="str", required=True), namespace=dict(type="str", required=True), name=dict(type="str", required=True))),
        wait_timeout=dict(type="int", default=0),
        fresh_timeout=dict(type="int", default=0),
        healed_namespace=dict(type="str"),
        poll_interval=dict(type="float", default=2),
        refresh=dict(type="bool", default=False),
    )
    return spec


def check_params(params):
    for option in ("namespace", "application_set", "declared_namespace"):
        if (option == "namespace" or params.get(option) is not None) and not (params.get(option) or "").strip():
            raise InvalidInput(option, "a non-empty name", params.get(option))
    if params.get("tracking") is not None:
        check_objects("tracking", params["tracking"])
    if not 0 <= params["wait_timeout"] <= MAX_WAIT_SECONDS:
        raise InvalidInput("wait_timeout", "between 0 and {0}".format(MAX_WAIT_SECONDS), params["wait_timeout"])
    if not 0 <= params["fresh_timeout"] <= MAX_WAIT_SECONDS:
        raise InvalidInput("fresh_timeout", "between 0 and {0}".format(MAX_WAIT_SECONDS), params["fresh_timeout"])
    if params["fresh_timeout"] and not params["refresh"]:
        raise InvalidInput("fresh_timeout", "0 unless refresh is true (a fresh comparison is asked for with a refresh)", params["fresh_timeout"])
    if not 0 < params["poll_interval"] <= 60:
        raise InvalidInput("poll_interval", "more than 0 and at most 60 seconds", params["poll_interval"])


def main():
    module = AnsibleK8SModule(argument_spec=argspec(), mutually_exclusive=[("application_set", "tracking")],
                              required_one_of=[("application_set", "tracking")], supports_check_mode=True)
    params = module.params
    try:
        check_params(params)
        client = get_api_client(module)
        names = None
        if params["tracking"]:
            names, _untracked = tracking_applications(Cluster(client), params["tracking"], params["namespace"])
        declared, drifted, waited, refreshes, read = wait_until_git_agrees(
            ArgoObjects(client), params["namespace"], params["application_set"], params["declared_namespace"],
            params["wait_timeout"], params["poll_interval"], params["refresh"], module.check_mode, fresh_timeout=params["fresh_timeout"],
            healed_namespace=params["healed_namespace"], healed_objects=params["healed_objects"], applications=names)
    except BlueGreenError as e:
        module.fail_json(msg=str(e), **e.details)
    except CoreException as e:
        module.fail_from_exception(e)
    module.exit_json(changed=refreshes > 0, declared=declared, drifted=drifted, applications=read, waited_seconds=waited, refreshes=refreshes)


if __name__ == "__main__":
    main()
