# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: failure_message
author: EcoEco backend team (@ecoeco)
version_added: 0.3.0
short_description: The message of a failed task, also of a looped one
description:
  - The C(msg) of the failed task's result (C(ansible_failed_result) in a C(rescue)); for a looped task, the C(msg) of
    every failed item, joined with C(; ). Empty when there is none, so that C(or) can supply a default.
options:
  _input:
    description: The failed task's result.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Record the failure
  ansible.builtin.debug:
    msg: "{{ ansible_failed_result | ecoeco.bluegreen.failure_message or 'phase 30 failed' }}"
"""

RETURN = r"""
_value:
  description: The message(s).
  type: str
"""


def failure_message(result):
    if not isinstance(result, dict):
        return ""
    if "results" not in result:
        return str(result.get("msg") or "")
    return "; ".join(str(item.get("msg") or "") for item in result["results"] if isinstance(item, dict) and item.get("failed"))


class FilterModule:
    def filters(self):
        return {"failure_message": failure_message}
