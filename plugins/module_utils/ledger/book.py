# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ledger as data: what its ConfigMap holds, and the decisions on it (append an event, move the state
only forward, take or give back the lease). No I/O here, so every rule is tested without a cluster."""

import json

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import BlueGreenError

# The migration's states in the order they are reached. A phase re-run later must not move the state back:
# 90_rollback chooses its scenario from it. A state outside this list (rolled-back, the release states) is
# taken as it comes, and after it the order starts again.
PROGRESS = ("namespaces-ready", "policies-ready", "green-deployed", "smoke-passed", "switched", "blue-removed")
COMPLETE = PROGRESS[-1]
EVENTS_KEY = "events"
LEASE_KEY = "lease"
# Which migration the ledger belongs to (migration.py), a JSON object like the events.
MIGRATION_KEY = "migration"
BREAK_HINT = "-e ledger_lease_break=true"


class LeaseHeld(BlueGreenError):
    """Another run holds the lease; nothing was written."""


def decode(data):
    """(record, lease) from a ConfigMap's data: the record with its events as a list, the lease as a dict or None."""
    data = dict(data or {})
    raw_lease = data.pop(LEASE_KEY, None)
    record = dict(data)
    record[EVENTS_KEY] = json.loads(data.get(EVENTS_KEY) or "[]")
    if data.get(MIGRATION_KEY):
        try:
            record[MIGRATION_KEY] = json.loads(data[MIGRATION_KEY])
        except ValueError:
            pass  # kept as the text it is; migration.recorded() finds no migration in it
    return record, decode_lease(raw_lease)


def decode_lease(raw):
    if not raw:
        return None
    try:
        lease = json.loads(raw)
    except ValueError:
        lease = None
    # A lease that cannot be read counts as held by an unknown run: only an explicit break overwrites it.
    return lease if isinstance(lease, dict) else {"holder": "unknown (unreadable lease {0})".format(json.dumps(raw))}


def encode(record, lease):
    data = {key: value if isinstance(value, str) else json.dumps(value) for key, value in record.items() if key != EVENTS_KEY}
    data[EVENTS_KEY] = json.dumps(record.get(EVENTS_KEY, []))
    if lease:
        data[LEASE_KEY] = json.dumps(lease, sort_keys=True)
    return data


def is_complete(record):
    """Blue is removed: the phases that read or act on blue have nothing left to do."""
    return record.get("state") == COMPLETE


def moves_back(current, wanted):
    return current in PROGRESS and wanted in PROGRESS and PROGRESS.index(wanted) < PROGRESS.index(current)


def with_event(record, event, updates):
    """The record with the event appended and the updates set; a state update that would move back is dropped."""
    updates = dict(updates or {})
    if moves_back(record.get("state", ""), updates.get("state")):
        updates.pop("state")
    result = dict(record)
    result.update({key: value if isinstance(value, str) else json.dumps(value) for key, value in updates.items()})
    result[EVENTS_KEY] = list(record.get(EVENTS_KEY, [])) + ([event] if event else [])
    return result


def held_by(lease):
    return "{0}, pid {1}, playbook '{2}' (phase {3}), since {4}".format(
        lease.get("holder", "unknown"), lease.get("pid", "?"), lease.get("playbook", "?"), lease.get("phase", "?"), lease.get("since", "?"))


def check_acquire(where, held, mine, break_lease):
    """None when the lease may be taken; raises LeaseHeld naming the holder otherwise."""
    if not held or held.get("token") == mine.get("token") or break_lease:
        return
    raise LeaseHeld(
        "ledger lease: another run holds the lease of {0}: {1}; nothing was changed. Wait until it finishes, or, if that "
        "run is gone (a stale lease), break the lease with {2}".format(where, held_by(held), BREAK_HINT),
        holder=held)
