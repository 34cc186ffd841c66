# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""bluegreen_ledger end to end: choose the migration's ledger (migration.py), read it, decide (book.py), write with
compare-and-swap, and on a lost race read again and decide again, so two runs never overwrite each other's events or
both take the lease."""

import time
from datetime import datetime, timezone

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import Conflict
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.ledger import book, migration
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.timing import elapsed_seconds

MAX_ATTEMPTS = 5


def _stamp(clock):
    moment = datetime.fromtimestamp(clock(), tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), moment.timestamp()


def choose(store, params):
    """(store of the ledger to use, the migration's identity or None, whether a legacy ledger was adopted).

    ``store`` names the ledger given by name, or the legacy ``bluegreen-ledger`` when none was. With a migration and
    no name, the ledger is ``bluegreen-ledger-<migration name>``; while that does not exist, a legacy ledger whose
    events are this migration's alone (or that this migration claimed already) stays its ledger."""
    mine = migration.identity(params.get("migration"))
    if params.get("name"):
        migration.check_ledger_name(params["name"])
    if mine is None or params.get("name"):
        return store, mine, False
    derived = store.named(migration.ledger_name(mine["name"]))
    if derived.read() is not None:
        return derived, mine, False
    legacy = store.named(migration.LEGACY_NAME)
    found = legacy.read()
    if found is not None and migration.adoptable(book.decode(found.get("data"))[0], mine):
        return legacy, mine, True
    return derived, mine, False


def run_ledger(store, params, check_mode=False, clock=time.time):
    """The module's result for params['action'] (read, record, acquire, release)."""
    action = params["action"]
    started = time.monotonic()
    store, mine, adopted = choose(store, params)
    params = dict(params, migration=mine)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        current = store.read()
        record, held = book.decode((current or {}).get("data"))
        if mine:
            # Before anything is written: a ledger of another migration is refused, whatever the action.
            migration.check_owner(store.where, record, mine)
        try:
            result = _ACTIONS[action](store, current, record, held, params, check_mode, clock)
        except Conflict:
            if attempt == MAX_ATTEMPTS:
                raise Conflict("the ledger {0} changed under every one of {1} attempts to write it; nothing of this "
                               "{2} was written".format(store.where, MAX_ATTEMPTS, action))
            continue
        result.setdefault("record", record)
        result.setdefault("lease", held or {})
        result.update(attempts=attempt, duration=elapsed_seconds(started),
                      ledger={"namespace": store.namespace, "name": store.name, "migration": mine or {}, "adopted": adopted})
        return result
    raise AssertionError("unreachable")


def _read(store, current, record, held, params, check_mode, clock):
    return {"changed": False}


def _with_event(record, params, clock):
    """(updated record, stamped event or {}, state_kept) for the params' ``event`` and ``set``."""
    at, epoch = _stamp(clock)
    event = dict(params["event"], at=at, epoch=epoch) if params.get("event") else {}
    updates = params.get("set") or {}
    return book.with_event(record, event or None, updates), event, book.moves_back(record.get("state", ""), updates.get("state"))


def _claimed(record, mine):
    """The record with this migration's identity, and whether that changed it (the first write claims the ledger;
    a later one keeps its domains and ALB current)."""
    if not mine or record.get(book.MIGRATION_KEY) == mine:
        return record, False
    return dict(record, **{book.MIGRATION_KEY: mine}), True


def _record(store, current, record, held, params, check_mode, clock):
    updated, event, state_kept = _with_event(record, params, clock)
    updated = _claimed(updated, params.get("migration"))[0]
    if not check_mode:
        store.write(current, book.encode(updated, held))
    return {"changed": not check_mode, "record": updated, "event": event, "state_kept": state_kept}


def _acquire(store, current, record, held, params, check_mode, clock):
    """Take the lease and, in the same write, append ``event`` (the phase start): one call where there were two."""
    if params.get("unless_complete") and book.is_complete(record):
        return {"changed": False, "complete": True, "lease": {}}
    if params.get("migration"):
        # The start of a phase: no other unfinished migration may be moving the same objects.
        migration.check_conflicts(store.where, params["migration"], [(where,) + book.decode(data) for where, data in store.others()])
    mine = dict(params["lease"])
    book.check_acquire(store.where, held, mine, params.get("break_lease"))
    ours = bool(held) and held.get("token") == mine.get("token")
    mine["since"] = held.get("since") if ours else _stamp(clock)[0][:19] + "Z"
    updated, event, state_kept = _with_event(record, params, clock)
    updated, claims = _claimed(updated, params.get("migration"))
    writes = not ours or bool(event) or bool(params.get("set")) or claims
    if not check_mode and writes:
        store.write(current, book.encode(updated, mine))
    result = {"changed": not check_mode and writes, "complete": False, "lease": mine, "record": updated, "event": event, "state_kept": state_kept}
    broken = held if held and not ours else None
    if broken:
        result["broken"] = broken
        result["broken_msg"] = "ledger lease: breaking the lease of {0} (ledger_lease_break=true)".format(book.held_by(broken))
    return result


def _release(store, current, record, held, params, check_mode, clock):
    """Give back the lease if this run holds it and, in the same write, append ``event`` (the phase finish)."""
    mine = params["lease"]
    updated, event, state_kept = _with_event(record, params, clock)
    records = bool(event) or bool(params.get("set"))
    result = {"record": updated, "event": event, "state_kept": state_kept}
    if not held or held.get("token") != mine.get("token"):
        # The event is this run's all the same; the lease, another run's or none, is left as it is.
        if not check_mode and records:
            store.write(current, book.encode(updated, held))
        other = "another run holds it now: {0}".format(book.held_by(held)) if held else "no lease is held"
        return dict(result, changed=not check_mode and records, released=False, lease=held or {}, msg="ledger lease: not released, " + other)
    if not check_mode:
        store.write(current, book.encode(updated, None))
    return dict(result, changed=not check_mode, released=not check_mode, lease={})


_ACTIONS = {"read": _read, "record": _record, "acquire": _acquire, "release": _release}
