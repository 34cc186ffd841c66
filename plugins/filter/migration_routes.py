# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: migration_routes
author: EcoEco backend team (@ecoeco)
version_added: 0.3.0
short_description: The route of every domain of a namespace migration, its blue and its green Ingress
description:
  - Domain C(d) moves from namespace O(source_namespace) to namespace C(d); its workload, and so its Ingress, is named
    C(d<suffix>) on both sides. The route of C(d) is named C(d).
  - The one definition of the routes for the phases that switch, gate and roll back.
options:
  _input:
    description: The domains.
    type: list
    elements: str
    required: true
  source_namespace:
    description: The namespace blue runs in.
    type: str
    required: true
  suffix:
    description: The suffix of the workload names (C(-api) for C(auth-api)).
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: The routes of the migration
  ansible.builtin.set_fact:
    routes: "{{ ['auth', 'orders'] | ecoeco.bluegreen.migration_routes('api', '-api') }}"
    # routes[0] == {'name': 'auth', 'blue': {'namespace': 'api', 'name': 'auth-api'}, 'green': {'namespace': 'auth', 'name': 'auth-api'}}
"""

RETURN = r"""
_value:
  description: One route per domain, in their order, each C(name), C(blue) and C(green) (each C(namespace) and C(name)).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError


def migration_routes(domains, source_namespace, suffix=""):
    if not isinstance(domains, list) or not all(isinstance(domain, str) and domain for domain in domains):
        raise AnsibleFilterError("migration_routes: expected a list of domains (non-empty strings), got {0!r}".format(domains))
    if not isinstance(source_namespace, str) or not source_namespace:
        raise AnsibleFilterError("migration_routes: expected the source namespace, got {0!r}".format(source_namespace))
    return [{"name": domain, "blue": {"namespace": source_namespace, "name": domain + suffix},
             "green": {"namespace": domain, "name": domain + suffix}} for domain in domains]


class FilterModule:
    def filters(self):
        return {"migration_routes": migration_routes}
