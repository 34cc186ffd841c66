# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""bluegreen_ledger end to end: read the ledger, decide (book.py), write with compare-and-swap, and on a lost
race read again and decide again, so two runs never overwrite each other's events or both take the lease."""

import time
from datetime import datetime, timezone

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import Conflict
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.ledger import book

MAX_ATTEMPTS = 5


def _stamp(clock):
    moment = datetime.fromtimestamp(clock(), tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), moment.timestamp()


def run_ledger(store, params, check_mode=False, clock=time.time):
    """The module's result for params['action'] (read, record, acquire, release)."""
    action = params["action"]
    started = time.monotonic()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        current = store.read()
        record, held = book.decode((current or {}).get("data"))
        try:
            result = _ACTIONS[action](store, current, record, held, params, check_mode, clock)
        except Conflict:
            if attempt == MAX_ATTEMPTS:
                raise Conflict("the ledger {0} changed under every one of {1} attempts to write it; nothing of this "
                               "{2} was written".format(store.where, MAX_ATTEMPTS, action))
            continue
        result.setdefault("record", record)
        result.setdefault("lease", held or {})
        result.update(attempts=attempt, duration=round((time.monotonic() - started) * 1000, 1))
        return result
    raise AssertionError("unreachable")


def _read(store, current, record, held, params, check_mode, clock):
    return {"changed": False}


def _record(store, current, record, held, params, check_mode, clock):
    at, epoch = _stamp(clock)
    event = dict(params["event"], at=at, epoch=epoch) if params.get("event") else None
    updated = book.with_event(record, event, params.get("set"))
    if not check_mode:
        store.write(current, book.encode(updated, held))
    return {"changed": not check_mode, "record": updated, "event": event or {},
            "state_kept": book.moves_back(record.get("state", ""), (params.get("set") or {}).get("state"))}


def _acquire(store, current, record, held, params, check_mode, clock):
    mine = dict(params["lease"])
    book.check_acquire(store.where, held, mine, params.get("break_lease"))
    ours = bool(held) and held.get("token") == mine.get("token")
    mine["since"] = held.get("since") if ours else _stamp(clock)[0][:19] + "Z"
    broken = held if held and not ours else None
    if not check_mode and not ours:
        store.write(current, book.encode(record, mine))
    result = {"changed": not check_mode and not ours, "lease": mine}
    if broken:
        result["broken"] = broken
        result["broken_msg"] = "ledger lease: breaking the lease of {0} (ledger_lease_break=true)".format(book.held_by(broken))
    return result


def _release(store, current, record, held, params, check_mode, clock):
    mine = params["lease"]
    if not held or held.get("token") != mine.get("token"):
        other = "another run holds it now: {0}".format(book.held_by(held)) if held else "no lease is held"
        return {"changed": False, "released": False, "lease": held or {}, "msg": "ledger lease: not released, " + other}
    if not check_mode:
        store.write(current, book.encode(record, None))
    return {"changed": not check_mode, "released": not check_mode, "lease": {}}


_ACTIONS = {"read": _read, "record": _record, "acquire": _acquire, "release": _release}
