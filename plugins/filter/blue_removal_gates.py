# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: blue_removal_gates
author: EcoEco backend team (@ecoeco)
version_added: 0.3.0
short_description: "The gates of blue's removal that need no read: a switch recorded, the soak over, the operator's confirmation"
description:
  - Evaluates every gate of the removal of the blue namespace that the inventory and the ledger decide, all of them, so
    that one assert can list every refusal at once - (1) a switch is recorded (the ledger's C(switched_at), epoch seconds);
    (2) at least O(soak_seconds) seconds passed since it; (3) the operator confirmed.
  - Whether green serves is the other gate; it needs the cluster and the ALB (the module ecoeco.bluegreen.traffic_gate).
options:
  _input:
    description: When traffic was switched to green, epoch seconds as text or a number; empty or anything else means none is recorded.
    type: raw
    required: true
  soak_seconds:
    description: Seconds green must have served alone.
    type: int
    required: true
  confirm:
    description: The operator's go-ahead.
    type: bool
    required: true
  namespace:
    description: The namespace to delete, named in the refusal.
    type: str
    required: true
  now:
    description: The current time in epoch seconds, for example C(now(utc=true).timestamp()).
    type: float
    required: true
"""

EXAMPLES = r"""
- name: Evaluate the soak and the confirmation
  ansible.builtin.set_fact:
    gates: >-
      {{ ledger.switched_at | ecoeco.bluegreen.blue_removal_gates(soak_seconds=86400, confirm=blue_removal_confirm,
                                                                   namespace='api', now=now(utc=true).timestamp()) }}
    # gates.refusals == ['the soak is not over: 600 s since the switch, 86400 s required (85800 s to go)']
"""

RETURN = r"""
_value:
  description: The soak as seen now, and every gate not met.
  type: dict
  contains:
    soak:
      description: C(switched_at) (as given), C(elapsed) (seconds since the switch, null when none is recorded) and C(required).
      type: dict
    refusals:
      description: A sentence per gate not met, in the order above; empty when all are met.
      type: list
      elements: str
"""

import json
import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

EPOCH_SECONDS = re.compile(r"[0-9]+")


def blue_removal_gates(switched_at, soak_seconds, confirm, namespace, now):
    try:
        required = int(soak_seconds)
        now = int(float(now))
        confirmed = boolean(confirm, strict=False)
    except (TypeError, ValueError) as error:
        raise AnsibleFilterError("blue_removal_gates: soak_seconds and now must be numbers, confirm a boolean: {0}".format(error))
    recorded = switched_at is not None and not isinstance(switched_at, bool) and EPOCH_SECONDS.fullmatch(str(switched_at)) is not None
    elapsed = now - int(str(switched_at)) if recorded else None
    refusals = []
    if not recorded:
        refusals.append("no switch is recorded (switched_at is {0}): run phase 50 first".format(json.dumps(switched_at, default=str)))
    elif elapsed < required:
        refusals.append("the soak is not over: {0} s since the switch, {1} s required ({2} s to go)".format(elapsed, required, required - elapsed))
    if not confirmed:
        refusals.append("no confirmation: set blue_removal_confirm=true to delete namespace {0}".format(namespace))
    return {"soak": {"switched_at": switched_at, "elapsed": elapsed, "required": required}, "refusals": refusals}


class FilterModule:
    def filters(self):
        return {"blue_removal_gates": blue_removal_gates}
