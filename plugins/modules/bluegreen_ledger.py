#!/usr/bin/python
# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: bluegreen_ledger
version_added: 0.2.0
short_description: Read and append to the migration ledger, and hold its lease, in one call each
description:
  - The ledger is a ConfigMap that outlives every namespace the migration touches. Its C(events) key holds one
    entry per phase start and finish, its other keys what a later run needs (C(state), C(switched_at),
    C(backup_path), ...), and its C(lease) key the run that works on the cluster now.
  - Every write is a replace carrying the resourceVersion that was read, so a concurrent write makes it fail; the
    module then reads again and decides again (at most 5 times). Two runs therefore never drop each other's
    events, and never both take the lease.
  - The C(state) key only moves forward through the migration's states (namespaces-ready, policies-ready,
    green-deployed, smoke-passed, switched, blue-removed); a request to move it back is ignored and reported
    (RV(state_kept)). Any other state (rolled-back, a release's states) is taken as it comes.
  - In check mode nothing is written; the returned record and lease are what a real run would leave.
  - One call replaces the read, the namespace check and the write that the ledger role used to make as separate
    tasks, which were about half of the time Ansible spent per phase. A phase makes two calls, V(acquire) with its
    start event and V(release) with its finish event.
  - One ledger per migration. With O(migration) and no O(name), the ledger is C(bluegreen-ledger-<migration name>),
    so two migrations on one cluster never share a lease, a state or events. The first write records the migration
    under the key C(migration); every later call refuses, before any write, a ledger that records another migration.
  - A ledger C(bluegreen-ledger) written before migrations had names (collection 0.1) is adopted by the migration
    whose source namespace its events name, and only that one, while C(bluegreen-ledger-<migration name>) does not
    exist; it keeps its name, and its first write records the migration in it.
author:
  - EcoEco backend team (@ecoeco)
options:
  action:
    description:
      - V(read) returns the ledger. V(record) appends O(event) and sets O(set).
      - V(acquire) takes the lease for O(lease), or fails naming the run that holds it. Taking it again with the
        same O(lease.token) keeps it (the phases of one run take it one after the other). With O(event), the event
        is appended in the same write (a phase's start).
      - V(release) gives back the lease if O(lease.token) still holds it, and otherwise says who does; it never fails
        because of the lease. With O(event) and O(set), they are recorded in the same write (a phase's finish),
        also when another run holds the lease now.
    type: str
    choices: [read, record, acquire, release]
    default: read
  namespace:
    description: Namespace of the ledger ConfigMap; created by the first write.
    type: str
    default: ecoeco-bluegreen
  name:
    description:
      - Name of the ledger ConfigMap. An explicit name wins over the one derived from O(migration).
      - Omitted, it is C(bluegreen-ledger-<migration.name>) with O(migration) (or the adopted C(bluegreen-ledger),
        see above), and C(bluegreen-ledger) without.
    type: str
  migration:
    description:
      - The migration this ledger belongs to. Recorded by the first write under the key C(migration); a ledger that
        records another migration (another name or source namespace) is refused before any write.
      - With O(action=acquire), the phase is also refused while another unfinished migration (its ledger in the same
        O(namespace); unfinished from its first phase that changed the cluster, state V(namespaces-ready), or while one
        of its phases holds its lease, until V(blue-removed) or V(rolled-back)) claims the same source namespace or one of
        the same Ingresses (C(<source_namespace>/<domain><workload_name_suffix>) and C(<domain>/<domain><workload_name_suffix>)).
      - Omitted (a release ledger, or a call outside a migration), no migration is recorded or checked.
    type: dict
    suboptions:
      name:
        description:
          - The migration's name, a DNS-1123 label (at most 63 lowercase letters, digits and C(-)).
          - Empty derives it from O(migration.source_namespace) and O(migration.alb_name), C(<source namespace>-<ALB name>)
            made into a DNS-1123 label (C(api-ecoeco-alb) for EcoEco).
        type: str
        default: ""
      source_namespace:
        description: The namespace the migration moves out of (blue).
        type: str
        required: true
      domains:
        description: The domains it moves, each also its target namespace (green).
        type: list
        elements: str
        default: []
      alb_name:
        description: The ALB its Ingresses share.
        type: str
        default: ""
      workload_name_suffix:
        description: Suffix of the workload and Ingress names (C(-api) for C(auth-api)).
        type: str
        default: ""
  event:
    description:
      - The event to append (O(action=record), O(action=acquire) or O(action=release)), with the keys C(phase),
        C(name), C(event) (V(start) or V(finish)), and for a finish C(outcome) and C(details).
      - The module adds C(at) (UTC ISO 8601) and C(epoch).
    type: dict
  set:
    description:
      - Top-level ledger keys to set (O(action=record) or O(action=release)); values that are not strings are stored
        as JSON.
    type: dict
  lease:
    description:
      - With O(action=acquire) or O(action=release), who this run is. C(token) tells runs apart; C(holder),
        C(pid), C(playbook) and C(phase) are what a refused run is told. The module adds C(since).
    type: dict
    suboptions:
      token:
        description: Unique per ansible-playbook run.
        type: str
        required: true
      holder:
        description: C(user@host) of the run.
        type: str
      pid:
        description: Process id of ansible-playbook.
        type: int
      playbook:
        description: The play that takes the lease.
        type: str
      phase:
        description: The phase that takes the lease.
        type: str
  unless_complete:
    description:
      - With O(action=acquire), take no lease and record nothing when the ledger says the migration is complete
        (state V(blue-removed)), and return RV(complete=true) instead. For the phases that read or act on blue.
    type: bool
    default: false
  break_lease:
    description:
      - With O(action=acquire), take the lease even though another run holds it. Only for a stale lease (its run was
        killed); the broken lease is returned as RV(broken).
    type: bool
    default: false
  log_path:
    description:
      - The deployment log on the controller; the event this call records is appended to it as one line (C(<at>
        <migration> phase <phase> (<name>) <event> [<outcome>])), by the module's action plugin, never in check mode.
      - Omitted, no log line is written.
    type: path
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
requirements:
  - kubernetes >= 24.2.0
"""

EXAMPLES = r"""
- name: Take the lease for this run and record the start of phase 30, unless blue is removed already
  ecoeco.bluegreen.bluegreen_ledger:
    action: acquire
    unless_complete: true
    lease:
      token: "{{ run_token }}"
      holder: "{{ lookup('ansible.builtin.env', 'USER') }}@{{ inventory_hostname }}"
      playbook: "{{ ansible_play_name }}"
      phase: "30"
    event:
      phase: "30"
      name: green deploy
      event: start
  register: begun

- name: Take the lease of the migration out of namespace legacy (its ledger is bluegreen-ledger-legacy-shop-alb)
  ecoeco.bluegreen.bluegreen_ledger:
    action: acquire
    migration:
      source_namespace: legacy
      domains: [orders, billing]
      alb_name: shop-alb
      workload_name_suffix: -svc
    lease:
      token: "{{ run_token }}"
      phase: "10"
    event:
      phase: "10"
      name: namespaces
      event: start
  register: begun

- name: Keep a key for a later run, outside any phase (no event)
  ecoeco.bluegreen.bluegreen_ledger:
    action: record
    set:
      manifests_revision: 3f2a9c1
  register: ledger

- name: Record that phase 30 ended and give the lease back, in one write
  ecoeco.bluegreen.bluegreen_ledger:
    action: release
    lease:
      token: "{{ run_token }}"
    event:
      phase: "30"
      name: green deploy
      event: finish
      outcome: success
    set:
      state: green-deployed
"""

RETURN = r"""
record:
  description: The ledger after the call (without the lease), its C(events) as a list and its C(migration) as a dict.
  returned: success
  type: dict
  sample: {"state": "switched", "switched_at": "1796209034", "events": [{"phase": "50", "event": "finish", "outcome": "success"}]}
lease:
  description: The lease held after the call; empty when none is.
  returned: success
  type: dict
  sample:
    token: 3f2a9c1d7e0b
    holder: deploy@ci-runner
    pid: 4242
    playbook: Phase 30 - deploy green
    phase: "30"
    since: "2026-12-02T11:20:01Z"
event:
  description: The event as stored, with C(at) and C(epoch); empty when none was given.
  returned: action is record, acquire or release
  type: dict
state_kept:
  description: Whether a requested C(state) was ignored because it would move the state back.
  returned: action is record, acquire or release
  type: bool
complete:
  description: With O(action=acquire), whether the migration is complete and so nothing was taken or recorded (O(unless_complete)).
  returned: action is acquire
  type: bool
released:
  description: With O(action=release), whether this run's lease was removed.
  returned: action is release
  type: bool
broken:
  description: With O(action=acquire) and O(break_lease=true), the lease of the other run that was broken.
  returned: when a lease was broken
  type: dict
broken_msg:
  description: One line naming the run whose lease was broken.
  returned: when a lease was broken
  type: str
ledger:
  description: The ledger ConfigMap the call used, and the migration it belongs to.
  returned: success
  type: dict
  contains:
    namespace:
      description: Namespace of the ConfigMap.
      type: str
      sample: ecoeco-bluegreen
    name:
      description: Name of the ConfigMap.
      type: str
      sample: bluegreen-ledger-api-ecoeco-alb
    migration:
      description: The migration's identity (C(name), C(source_namespace), C(domains), C(alb_name), C(workload_name_suffix)); empty without O(migration).
      type: dict
      sample: {"name": "api-ecoeco-alb", "source_namespace": "api", "domains": ["auth", "my"], "alb_name": "ecoeco-alb", "workload_name_suffix": "-api"}
    adopted:
      description: Whether it is a C(bluegreen-ledger) written before migrations had names, adopted by this migration.
      type: bool
attempts:
  description: Reads and writes it took (more than 1 when another run wrote the ledger at the same moment).
  returned: success
  type: int
duration:
  description: Wall-clock time of the call in seconds, like every C(duration) of this collection.
  returned: success
  type: float
"""

import copy
import os

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import BlueGreenError
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.ledger.migration import LEGACY_NAME
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.ledger.runner import run_ledger
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.ledger.store import LedgerStore
from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException


def argspec():
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    spec.update(
        action=dict(type="str", default="read", choices=["read", "record", "acquire", "release"]),
        namespace=dict(type="str", default="ecoeco-bluegreen"),
        name=dict(type="str"),
        migration=dict(type="dict", options=dict(
            name=dict(type="str", default=""),
            source_namespace=dict(type="str", required=True),
            domains=dict(type="list", elements="str", default=[]),
            alb_name=dict(type="str", default=""),
            workload_name_suffix=dict(type="str", default=""),
        )),
        event=dict(type="dict"),
        set=dict(type="dict"),
        lease=dict(type="dict", options=dict(
            token=dict(type="str", required=True, no_log=False),
            holder=dict(type="str"),
            pid=dict(type="int"),
            playbook=dict(type="str"),
            phase=dict(type="str"),
        )),
        break_lease=dict(type="bool", default=False),
        unless_complete=dict(type="bool", default=False),
        # Used on the controller by the action plugin (plugins/action/bluegreen_ledger.py), which does not pass it on.
        log_path=dict(type="path"),
    )
    return spec


def main():
    module = AnsibleK8SModule(
        argument_spec=argspec(),
        required_if=[("action", "record", ("event", "set"), True), ("action", "acquire", ("lease",)), ("action", "release", ("lease",))],
        supports_check_mode=True,
    )
    # The ledger is the first thing every phase reads: say which file is missing, not that the config is empty.
    kubeconfig = module.params.get("kubeconfig")
    if isinstance(kubeconfig, str) and not os.path.exists(kubeconfig):
        module.fail_json(msg="kubeconfig: expected a kubeconfig file, {0} does not exist".format(kubeconfig), field="kubeconfig")
    try:
        store = LedgerStore(get_api_client(module=module), module.params["namespace"], module.params["name"] or LEGACY_NAME)
        lease = {key: value for key, value in (module.params["lease"] or {}).items() if value is not None}
        result = run_ledger(store, dict(module.params, lease=lease), check_mode=module.check_mode)
    except BlueGreenError as e:
        module.fail_json(msg=str(e), **e.details)
    except CoreException as e:
        module.fail_from_exception(e)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
