#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: argocd_sync_toggle
short_description: Freeze and restore Argo CD automated sync on Applications and ApplicationSets
version_added: 0.1.0
description:
  - Turns Argo CD automated sync off for the length of a change (O(state=disabled)), and later puts back exactly
    the sync policy it found (O(state=restored)), or switches automated sync on with explicit values
    (O(state=enabled)).
  - For an Application the policy is C(spec.syncPolicy). For an ApplicationSet it is the template's
    C(spec.template.spec.syncPolicy), because that is what its controller writes into every generated Application.
    An ApplicationSet's own C(spec.syncPolicy) has no C(automated) field in Argo CD's schema, so patching
    C(spec.syncPolicy.automated) on it (as a hand-written runbook might) does not stop anything; this module freezes the template.
  - >-
    Freezing removes C(automated) and keeps every other field (C(retry), C(syncOptions), C(managedNamespaceMetadata))
    untouched. The policy found is saved in the annotation C(bluegreen.ecoeco.io/frozen-sync-policy) as JSON
    C({"policy": <syncPolicy or null>, "frozen_at": "<UTC time>", "frozen_by": "<who>"}). Freezing an object that
    already has a record keeps that record, so the policy from before the first freeze is the one restored.
  - Every write is one JSON patch whose C(test) operations compare the values read with the live ones, so a
    change made by someone else between the read and the write fails the task as a conflict instead of being overwritten.
    Values the apiserver would encode differently from Python (text with C(<), C(>), C(&) or non-ASCII characters, floats)
    are guarded by a test of the object's C(metadata.resourceVersion) instead.
  - An owner can undo a change made on an Application. An ApplicationSet (found through C(ownerReferences)) keeps its
    Applications equal to its template, unless its C(applicationsSync) policy or C(ignoreApplicationDifferences) leave
    their C(syncPolicy) alone. A parent Application (app-of-apps, found through the C(argocd.argoproj.io/tracking-id)
    annotation or the C(argocd.argoproj.io/instance) or C(app.kubernetes.io/instance) label) re-applies the child from Git
    when it has automated sync with C(selfHeal). When an owner would undo the change, the task fails naming the owner
    to act on first, unless O(owner_scope=owner). Freezing an Application whose ApplicationSet is already frozen is allowed.
  - All targets and owners are read and every change is planned before anything is written; any bad input, missing
    object or malformed record fails the task with nothing changed.
author:
  - EcoEco backend team (@ecoeco)
options:
  kind:
    description:
      - Kind of the Argo CD objects to act on (API version C(argoproj.io/v1alpha1)).
    type: str
    choices: [Application, ApplicationSet]
    default: Application
  name:
    description:
      - Names of the objects in O(namespace). Every name must exist.
      - Mutually exclusive with O(label_selectors) and O(tracking); one of the three is required. O(tracking) needs O(kind=Application).
    type: list
    elements: str
  namespace:
    description:
      - Namespace of the objects.
    type: str
    default: argocd
  label_selectors:
    description:
      - Select the objects in O(namespace) by label, for example V(app.kubernetes.io/part-of=ecoeco-backend).
        Selectors are ANDed. Matching nothing is an error.
    type: list
    elements: str
  state:
    description:
      - V(disabled) removes C(automated) from the policy and records the policy found, unless a record is already there.
      - V(restored) puts back the recorded policy exactly (an absent policy is made absent again) and removes the record.
        With no record it changes nothing and says so in RV(msg).
      - V(enabled) sets C(automated) to the explicit values O(prune), O(self_heal) and O(allow_empty) and removes any
        record, including a malformed one (with a warning).
    type: str
    required: true
    choices: [disabled, restored, enabled]
  frozen_by:
    description:
      - Who froze the sync, written into the record. Only with O(state=disabled).
      - Defaults to C(user@host) of the user running the module.
    type: str
  prune:
    description:
      - C(automated.prune) for O(state=enabled). V(true) when not set. Only with O(state=enabled).
    type: bool
  self_heal:
    description:
      - C(automated.selfHeal) for O(state=enabled). V(true) when not set. Only with O(state=enabled).
    type: bool
  allow_empty:
    description:
      - C(automated.allowEmpty) for O(state=enabled). V(false) when not set. Only with O(state=enabled).
    type: bool
  owner_scope:
    description:
      - What to do when an owner of a target would undo the change.
      - V(fail) stops before anything is written and names the owner (kind, namespace, name) to act on first.
      - V(owner) acts on the owner first (with the same O(state)), then on the target, so nothing reverts the
        target's change and its own record is kept like any other target's. RV(objects[].acted_for) names the
        targets an owner was changed for.
      - An Application generated by an ApplicationSet that keeps it equal to its template is the exception. With V(owner)
        only the template is written (and carries the record), because the ApplicationSet controller rewrites the
        Application's spec and annotations on every reconcile. The task then waits, at most O(settle_timeout) seconds,
        until the controller has written the template's policy into every such Application.
    type: str
    choices: [fail, owner]
    default: fail
  verify_seconds:
    description:
      - With O(state=disabled), re-read the frozen objects every second for this many seconds (at most V(600)) and fail
        as soon as automated sync is back on or the record is gone, that is an owner or a GitOps controller reverted the freeze.
      - Argo CD retries self-heal every 5 seconds by default, so V(10) or more covers two attempts. V(0) does not watch.
        No watch happens in check mode.
    type: int
    default: 0
  settle_timeout:
    description:
      - Seconds to wait for the ApplicationSet controller to write a changed template's syncPolicy into the Applications
        it generates (with O(owner_scope=owner)). It reconciles within a second or two when it runs; the task fails,
        naming the Application that lags, when it does not. No wait happens in check mode.
    type: int
    default: 60
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
  - ecoeco.bluegreen.argocd_tracking
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details:
      - Patches are sent as server-side dry runs (C(dryRun=All)), so the apiserver checks them, conflicts included, without
        storing them. RV(dry_run) says whether that happened.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details:
      - Shows the sync policy and the record annotation before and after, for each changed object.
requirements:
  - kubernetes >= 24.2.0
  - PyYAML >= 3.11
notes:
  - The ApplicationSet controller overwrites the spec and annotations of the Applications it generates, so a freeze
    written on a generated Application is undone within a second; freeze through the ApplicationSet (O(owner_scope=owner)).
  - The module talks only to the Kubernetes API; it does not need the Argo CD API server or CLI.
"""

EXAMPLES = r"""
- name: Freeze automated sync of the API services before switching traffic
  ecoeco.bluegreen.argocd_sync_toggle:
    kind: ApplicationSet
    name: ecoeco-api-services-kustomize
    state: disabled
    verify_seconds: 15

- name: Freeze two Applications, and first their ApplicationSet if it would undo that
  ecoeco.bluegreen.argocd_sync_toggle:
    name:
      - ecoeco-auth
      - ecoeco-my
    state: disabled
    owner_scope: owner

- name: Put back exactly what was frozen
  ecoeco.bluegreen.argocd_sync_toggle:
    kind: ApplicationSet
    name: ecoeco-api-services-kustomize
    state: restored

- name: Freeze whatever Argo CD Application deploys the release's Service and Deployments
  ecoeco.bluegreen.argocd_sync_toggle:
    tracking:
      - {api_version: v1, kind: Service, namespace: backend, name: backend}
      - {api_version: apps/v1, kind: Deployment, namespace: backend, name: backend-green}
    state: disabled
    owner_scope: owner
    frozen_by: release ecoeco/backend:1.1.0

- name: Turn automated sync on without pruning for every backend Application
  ecoeco.bluegreen.argocd_sync_toggle:
    label_selectors:
      - app.kubernetes.io/part-of=ecoeco-backend
    state: enabled
    prune: false
"""

RETURN = r"""
changed:
  description: Whether any object was changed (in check mode, would be changed).
  returned: always
  type: bool
msg:
  description: What happened to each object, joined with C(; ).
  returned: always
  type: str
  sample: "turned automated sync of ApplicationSet argocd/ecoeco-api-services-kustomize off (spec.template.spec.syncPolicy.automated removed) and ..."
objects:
  description: One entry per object acted on, in the order written; owners come before the objects they were acted on for.
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: C(Application) or C(ApplicationSet).
      type: str
      sample: ApplicationSet
    namespace:
      description: Namespace of the object.
      type: str
      sample: argocd
    name:
      description: Name of the object.
      type: str
      sample: ecoeco-api-services-kustomize
    policy_path:
      description: Where the managed sync policy lives.
      type: str
      sample: spec.template.spec.syncPolicy
    action:
      description:
        - V(frozen), V(refrozen) (automated was back on; the original record is kept), V(already_frozen),
          V(already_manual) (no automated sync and no record), V(restored), V(no_record), V(enabled), V(already_enabled).
        - V(frozen_by_template), V(restored_by_template), V(enabled_by_template) for an Application that got its policy
          from its ApplicationSet's template (O(owner_scope=owner)); it carries no record of its own, and RV(objects[].record)
          is the template's.
      type: str
      sample: frozen
    changed:
      description: Whether this object was changed.
      type: bool
    msg:
      description: What happened to this object.
      type: str
    previous_policy:
      description: The sync policy before the task; null when absent.
      type: dict
      sample: {"automated": {"prune": true, "selfHeal": true}, "syncOptions": ["CreateNamespace=true"]}
    current_policy:
      description: The sync policy after the task, as returned by the apiserver (its dry-run answer in check mode); null when absent.
      type: dict
      sample: {"syncOptions": ["CreateNamespace=true"]}
    record:
      description: The freeze record this task wrote, kept or removed; null when there was none.
      type: dict
      sample: {"policy": {"automated": {"prune": true, "selfHeal": true}}, "frozen_at": "2025-01-31T12:00:00Z", "frozen_by": "deploy@bastion"}
    patch:
      description: The JSON patch sent (or that would be sent); empty when nothing changes.
      type: list
      elements: dict
    owners:
      description: Owners found in the object's metadata and whether each would undo the change.
      type: list
      elements: dict
      sample: [{"kind": "ApplicationSet", "namespace": "argocd", "name": "ecoeco-api-services-kustomize", "via": "ownerReferences",
                "found": true, "undoes": false, "reason": "... whose automated sync is off (frozen)"}]
    acted_for:
      description: With O(owner_scope=owner), the requested objects this owner was changed for.
      type: list
      elements: str
      sample: ["Application argocd/ecoeco-auth"]
untracked:
  description: With O(tracking), the objects no Application tracks (C(<kind> <namespace>/<name>)).
  returned: always
  type: list
  elements: str
  sample: ["Deployment backend/backend-green"]
settled_seconds:
  description: How long the task waited for the ApplicationSet controller to apply a changed template (O(settle_timeout)).
  returned: always
  type: float
  sample: 0.8
watched_seconds:
  description: How long O(verify_seconds) watched the freeze hold; V(0) when it did not watch.
  returned: always
  type: float
  sample: 15.0
duration:
  description: Wall-clock time of the task in seconds, like every C(duration) of this collection.
  returned: always
  type: float
  sample: 0.182
dry_run:
  description: In check mode, V(server) when the patches went to the apiserver as dry runs, V(none) when nothing was sent.
  returned: check mode
  type: str
  sample: server
"""

import copy

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.runner import run_module
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.tracking import TRACKING_OPTIONS
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import BlueGreenError
from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException


def argspec():
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    spec.update(
        kind=dict(type="str", default="Application", choices=["Application", "ApplicationSet"]),
        name=dict(type="list", elements="str"),
        namespace=dict(type="str", default="argocd"),
        label_selectors=dict(type="list", elements="str"),
        tracking=dict(type="list", elements="dict", options=copy.deepcopy(TRACKING_OPTIONS)),
        state=dict(type="str", required=True, choices=["disabled", "restored", "enabled"]),
        frozen_by=dict(type="str"),
        prune=dict(type="bool"),
        self_heal=dict(type="bool"),
        allow_empty=dict(type="bool"),
        owner_scope=dict(type="str", default="fail", choices=["fail", "owner"]),
        verify_seconds=dict(type="int", default=0),
        settle_timeout=dict(type="int", default=60),
    )
    return spec


def main():
    module = AnsibleK8SModule(
        argument_spec=argspec(),
        mutually_exclusive=[("name", "label_selectors", "tracking")],
        required_one_of=[("name", "label_selectors", "tracking")],
        supports_check_mode=True,
    )
    try:
        run_module(module)
    except BlueGreenError as e:
        module.fail_json(msg=str(e), **e.details)
    except CoreException as e:
        module.fail_from_exception(e)


if __name__ == "__main__":
    main()
