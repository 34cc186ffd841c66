# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: phase_permissions
author: EcoEco backend team (@ecoeco)
version_added: 0.3.0
short_description: The Kubernetes permissions a phase playbook uses, for ecoeco.bluegreen.access_review
description:
  - Returns the O(ecoeco.bluegreen.access_review#module:permissions) of one phase, from the one table of the
    collection (C(plugins/module_utils/access/phases.py)), with each need's scope replaced by the namespaces given here.
  - A need whose scope gets no namespace, or that belongs to a part of the phase the settings turn off (Argo CD, the
    manual sync strategy, applying green, the smoke test's mode), is left out; a need of the scope C(cluster) (a
    cluster-scoped resource, or a list across every namespace) is always kept.
  - A unit test fails when the table asks for a verb that the collection's RBAC (C(roles/rbac)) does not grant.
options:
  _input:
    description: The phase, V(00), V(10), V(20), V(30), V(40), V(50), V(60), V(90), V(release) or V(release_rollback).
    type: str
    required: true
  source:
    description: The blue (source) namespace.
    type: str
  green:
    description: The domain namespaces this run deploys, tests, switches or removes (a wave's, or all).
    type: list
    elements: str
  targets:
    description: Every namespace phase 10 creates (the domains and the shared ones).
    type: list
    elements: str
  argocd:
    description: Argo CD's namespace.
    type: str
  ledger:
    description: The ledger's namespace.
    type: str
  release:
    description: The namespace of a release (seed 001).
    type: str
  applicationset:
    description: The ApplicationSet the migration freezes and restores (C(bluegreen_argocd_applicationset)); empty means none.
    type: str
    default: ""
  manual_sync:
    description: Whether Argo CD is frozen from phase 30 to phase 50 (C(bluegreen_argocd_manual_sync)).
    type: bool
    default: false
  green_source:
    description: How phase 30 gets green (C(bluegreen_green_source)); V(argocd) applies nothing itself.
    type: str
    default: clone_blue
  smoke_test_mode:
    description: How phase 40 reaches green (C(bluegreen_smoke_test_mode)).
    type: str
    default: port_forward
"""

EXAMPLES = r"""
- name: Refuse phase 60 before its first write unless every permission it uses is granted
  ecoeco.bluegreen.access_review:
    purpose: phase 60 (blue removal)
    permissions: >-
      {{ '60' | ecoeco.bluegreen.phase_permissions(source=bluegreen_source_namespace, ledger=ledger_namespace,
                                                   argocd=bluegreen_argocd_namespace, applicationset=bluegreen_argocd_applicationset) }}
"""

RETURN = r"""
_value:
  description: A list of permissions, each with C(group), C(resource), C(verbs), C(why) and, unless it is cluster-wide, C(namespaces).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.access.phases import features_of
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.access.phases import phase_permissions as table
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import InvalidInput


def phase_permissions(phase, source=None, green=None, targets=None, argocd=None, ledger=None, release=None,
                      applicationset="", manual_sync=False, green_source="clone_blue", smoke_test_mode="port_forward"):
    for name, value in (("green", green), ("targets", targets)):
        if isinstance(value, str):
            raise AnsibleFilterError("phase_permissions: {0} must be a list of namespaces, got {1!r}".format(name, value))
    scopes = {"source": source, "green": green, "targets": targets, "argocd": argocd, "ledger": ledger, "release": release}
    features = features_of(applicationset or "", bool(manual_sync), green_source or "clone_blue", smoke_test_mode or "port_forward")
    try:
        return table(phase, scopes, features)
    except InvalidInput as error:
        raise AnsibleFilterError("phase_permissions: {0}".format(error)) from error


class FilterModule:
    def filters(self):
        return {"phase_permissions": phase_permissions}
