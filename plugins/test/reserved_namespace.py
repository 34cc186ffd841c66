# Copyright: EcoEco backend team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: reserved_namespace
author: EcoEco backend team
version_added: 0.1.0
short_description: Whether a namespace is one this collection never creates, labels or deletes
description:
  - True for the namespaces of Kubernetes itself and of the cluster's platform
    (C(kube-system), C(kube-public), C(kube-node-lease), C(default), C(argocd), C(argo-rollouts),
    C(cert-manager), C(ingress-nginx), C(calico-system), C(tigera-operator)), for every name starting
    with C(kube-), and for the extra names given in O(also).
  - The one list the roles consult before they create or delete a namespace, whatever the inventory says.
  - A value that is not a string is treated as reserved, so a malformed inventory value is refused too.
options:
  _input:
    description: The namespace name.
    type: str
    required: true
  also:
    description: Extra names that count as reserved for this check, for example the Argo CD namespace of the inventory.
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Refuse to delete a reserved namespace
  ansible.builtin.assert:
    that:
      - blue_namespace is not ecoeco.bluegreen.reserved_namespace(also=[ledger_namespace])
    fail_msg: "refusing to delete {{ blue_namespace }}: reserved"

- name: Keep only the namespaces that may be managed
  ansible.builtin.set_fact:
    managed: "{{ names | reject('ecoeco.bluegreen.reserved_namespace') | list }}"
"""

RETURN = r"""
_value:
  description: Whether the namespace is reserved.
  type: bool
"""

from ansible.errors import AnsibleFilterError

RESERVED_NAMESPACES = frozenset(
    {
        "default",
        "kube-system",
        "kube-public",
        "kube-node-lease",
        "argocd",
        "argo-rollouts",
        "cert-manager",
        "ingress-nginx",
        "calico-system",
        "tigera-operator",
    }
)
RESERVED_PREFIX = "kube-"


def reserved_namespace(name, also=()):
    if isinstance(also, str) or not all(isinstance(extra, str) for extra in also):
        raise AnsibleFilterError(f"reserved_namespace: also must be a list of names, got {also!r}")
    if not isinstance(name, str):
        return True
    return name in RESERVED_NAMESPACES or name.startswith(RESERVED_PREFIX) or name in also


class TestModule:
    def tests(self):
        return {"reserved_namespace": reserved_namespace}
