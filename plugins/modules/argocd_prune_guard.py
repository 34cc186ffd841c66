#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: argocd_prune_guard
short_description: Keep Argo CD from pruning blue when the manifests change moves the overlays out of its namespace
version_added: 0.4.0
description:
  - Reads the Applications an ApplicationSet generated and, on every live object they track in O(protected_namespace)
    (their C(status.resources)), adds C(Prune=false) to the annotation C(argocd.argoproj.io/sync-options) and
    C(IgnoreExtraneous) to C(argocd.argoproj.io/compare-options), keeping the options already there.
  - When the manifests change lands, those objects are no longer in Git; automated sync with C(prune=true) would delete
    blue before green is up. With the guard Argo CD skips their prune (C(ignored (no prune))) and still reports the
    Applications Synced, so green can be awaited while blue keeps serving. Blue's removal deletes them later.
  - Written on the live objects only (Git never declared these annotations, so Argo CD's apply leaves them alone).
  - The values those annotations had before are recorded in the annotation C(bluegreen.ecoeco.io/prune-guard), so
    O(state=absent) takes back only what the guard wrote (after a rollback, once Git declares blue again; left there,
    a later removal of a blue object from Git would never be pruned). An option the team set itself stays.
  - With O(state=present), refuses, changing nothing, when the ApplicationSet owns no Application, or when an
    Application has not been compared with Git (what it would prune is then unknown).
author:
  - EcoEco backend team (@ecoeco)
options:
  namespace:
    description: Namespace of the Argo CD objects.
    type: str
    default: argocd
  application_set:
    description: The ApplicationSet whose generated Applications (by C(ownerReferences)) deploy blue.
    type: str
    required: true
  protected_namespace:
    description: The namespace whose tracked objects are kept from prune, blue's (for example C(api)).
    type: str
    required: true
  state:
    description:
      - V(present) writes the guard; V(absent) puts back the values the guard recorded and removes the record (objects
        without a record are left as they are). V(absent) refuses nothing; an ApplicationSet that owns no Application has
        nothing guarded, and an Application never compared with Git is a warning (what it tracks is unknown).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details:
      - The annotations are sent as a server-side dry run.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
requirements:
  - kubernetes >= 24.2.0
"""

EXAMPLES = r"""
- name: Keep blue in api from prune before the manifests change lands
  ecoeco.bluegreen.argocd_prune_guard:
    application_set: ecoeco-api-services-kustomize
    protected_namespace: api
  register: guard

- name: After a rollback, once Git declares blue again, take the guard off
  ecoeco.bluegreen.argocd_prune_guard:
    application_set: ecoeco-api-services-kustomize
    protected_namespace: api
    state: absent

- name: Say what is guarded
  ansible.builtin.debug:
    msg: "{{ guard.protected | length }} objects in api are kept from prune: {{ guard.protected | join(', ') }}"
"""

RETURN = r"""
protected:
  description: Every object in O(protected_namespace) the Applications track, sorted; each now carries the guard (O(state=present)) or not.
  returned: success
  type: list
  elements: str
  sample: ["Deployment api/auth-api", "Ingress api/auth-api", "Service api/auth-api"]
changed:
  description: Whether an annotation was written (or would be, in check mode).
  returned: always
  type: bool
diff:
  description: The annotations before and after, per object that changed.
  returned: changed, in diff mode
  type: dict
  sample: {"before": {"Deployment api/auth-api": {"argocd.argoproj.io/sync-options": null, "bluegreen.ecoeco.io/prune-guard": null}},
           "after": {"Deployment api/auth-api": {"argocd.argoproj.io/sync-options": "Prune=false",
                                                 "bluegreen.ecoeco.io/prune-guard": "{\"argocd.argoproj.io/sync-options\": null}"}}}
"""

import copy

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.objects import ArgoObjects
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.prune_guard import protect
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import BlueGreenError, InvalidInput
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.cluster import Cluster
from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException


def argspec():
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    spec.update(
        namespace=dict(type="str", default="argocd"),
        application_set=dict(type="str", required=True),
        protected_namespace=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    return spec


def check_params(params):
    for option in ("namespace", "application_set", "protected_namespace"):
        if not (params.get(option) or "").strip():
            raise InvalidInput(option, "a non-empty name", params.get(option))


def main():
    module = AnsibleK8SModule(argument_spec=argspec(), supports_check_mode=True)
    params = module.params
    try:
        check_params(params)
        client = get_api_client(module)
        result = protect(ArgoObjects(client), Cluster(client), params["namespace"], params["application_set"],
                         params["protected_namespace"], module.check_mode, state=params["state"])
    except BlueGreenError as e:
        module.fail_json(msg=str(e), **e.details)
    except CoreException as e:
        module.fail_from_exception(e)
    for warning in result.pop("warnings"):
        module.warn(warning)
    if not module._diff:
        result.pop("diff")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
