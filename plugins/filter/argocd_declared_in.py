# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: argocd_declared_in
author: EcoEco backend team (@ecoeco)
version_added: 0.4.0
short_description: The objects of a namespace that Argo CD Applications still deploy from Git
description:
  - Reads the C(status.resources) of Argo CD Applications (what each last compared with Git) and lists every object in
    O(namespace) that Git still declares, that is every entry not marked C(requiresPruning).
  - Restoring automated sync while Git still declares blue's objects would make Argo CD recreate blue after its removal
    (self-heal, C(CreateNamespace=true)); the manifests change that moves the overlays out of the namespace must land first.
  - An Application that has not compared with Git yet (no C(status.resources)) declares nothing it can act on.
options:
  _input:
    description: The Applications, as C(kubernetes.core.k8s_info) returns them in C(resources).
    type: list
    elements: dict
    required: true
  namespace:
    description: The namespace, for example the blue namespace C(api).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: List what Git still declares in api
  ansible.builtin.set_fact:
    declared: "{{ applications.resources | ecoeco.bluegreen.argocd_declared_in('api') }}"
    # ['Application argocd/ecoeco-auth declares Deployment api/auth-api (revision 3f2c1d0a)']
"""

RETURN = r"""
_value:
  description: One sentence per object Git still declares in O(namespace), sorted; empty when Git declares none.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError


def argocd_declared_in(applications, namespace):
    if not isinstance(applications, list) or not all(isinstance(app, dict) for app in applications):
        raise AnsibleFilterError("argocd_declared_in: expected the list of Applications that k8s_info returns, got {0}".format(type(applications).__name__))
    if not namespace:
        raise AnsibleFilterError("argocd_declared_in: namespace must name the namespace to look for")
    declared = []
    for app in applications:
        metadata, status = app.get("metadata") or {}, app.get("status") or {}
        revision = ((status.get("sync") or {}).get("revision") or "")[:8] or "unknown"
        for resource in status.get("resources") or []:
            if resource.get("namespace") == namespace and not resource.get("requiresPruning"):
                declared.append("Application {0}/{1} declares {2} {3}/{4} (revision {5})".format(
                    metadata.get("namespace"), metadata.get("name"), resource.get("kind"), namespace, resource.get("name"), revision))
    return sorted(declared)


class FilterModule:
    def filters(self):
        return {"argocd_declared_in": argocd_declared_in}
