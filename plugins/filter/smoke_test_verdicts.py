# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: smoke_test_verdicts
author: EcoEco backend team (@ecoeco)
version_added: 0.3.0
short_description: "The smoke test's judgement: a verdict per answer and per service that could not be reached"
description:
  - An answer passes when its status is the request's C(status) and, when the request has C(json_contains), its JSON
    body holds every key with its value (mappings compared key by key).
  - The problem of a failed answer says what came back (at most 200 characters of it) or why nothing answered.
options:
  _input:
    description: The C(responses) of M(ecoeco.bluegreen.http_check), each carrying its C(request).
    type: list
    elements: dict
    required: true
  unreachable:
    description: The services and endpoints that could not be called (C(unreachable) of P(ecoeco.bluegreen.smoke_test_plan#filter)).
    type: list
    elements: dict
    default: []
"""

EXAMPLES = r"""
- name: Judge every answer
  ansible.builtin.set_fact:
    results: "{{ answers.responses | ecoeco.bluegreen.smoke_test_verdicts(plan.unreachable) }}"
    # results[0] == {'domain': 'auth', 'endpoint': 'pod auth-api-7d9f-x2x4q:8000 (port-forward)', 'method': 'GET',
    #                'path': '/health', 'status': 500, 'passed': false, 'problem': 'got 500 (expected 200): ...'}
"""

RETURN = r"""
_value:
  description:
    - Each C({domain, endpoint, method, path, status, passed, problem}), the unreachable first (C(method) and C(path)
      V(-), C(status) null), then one per answer in order.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.smoke_test.verdicts import verdicts


def smoke_test_verdicts(responses, unreachable=None):
    if not isinstance(responses, list) or not isinstance(unreachable or [], list):
        raise AnsibleFilterError("smoke_test_verdicts: expected the list of http_check responses and a list of unreachable services")
    return verdicts(responses, unreachable or [])


class FilterModule:
    def filters(self):
        return {"smoke_test_verdicts": smoke_test_verdicts}
