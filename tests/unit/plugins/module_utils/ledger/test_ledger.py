"""The ledger's rules (state only forward, events never lost, one lease holder) on a stand-in store."""

import json

import pytest

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import Conflict
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.ledger import book
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.ledger.runner import MAX_ATTEMPTS, run_ledger


class Store:
    """A ConfigMap with a resourceVersion; `races` writes by another run land just before ours."""

    namespace = "ecoeco-bluegreen"
    name = "bluegreen-ledger"
    where = "ecoeco-bluegreen/bluegreen-ledger"

    def __init__(self, data=None, races=()):
        self.obj = None if data is None else {"metadata": {"resourceVersion": "1"}, "data": data}
        self.races = list(races)
        self.writes = 0

    def read(self):
        return json.loads(json.dumps(self.obj)) if self.obj else None

    def write(self, read, data):
        if self.races:
            self.obj = {"metadata": {"resourceVersion": str(int((self.obj or {"metadata": {"resourceVersion": "0"}})["metadata"]["resourceVersion"]) + 1)},
                        "data": self.races.pop(0)}
        current = self.obj["metadata"]["resourceVersion"] if self.obj else None
        if (read["metadata"]["resourceVersion"] if read else None) != current:
            raise Conflict("changed")
        self.writes += 1
        self.obj = {"metadata": {"resourceVersion": str(int(current or 0) + 1)}, "data": data}


def record(store, state=None, event=None, check_mode=False):
    params = {"action": "record", "event": event or {"phase": "30", "name": "green deploy", "event": "finish"},
              "set": {"state": state} if state else {}}
    return run_ledger(store, params, check_mode=check_mode, clock=lambda: 1796200000.0)


def test_first_record_creates_the_ledger_with_the_stamped_event():
    store = Store()
    result = record(store, state="green-deployed")
    assert store.obj["data"]["state"] == "green-deployed"
    assert json.loads(store.obj["data"]["events"]) == [result["event"]]
    assert result["event"]["at"] == "2026-12-02T08:26:40.000000Z"


@pytest.mark.parametrize("current, wanted, kept", [
    ("switched", "green-deployed", "switched"),
    ("blue-removed", "smoke-passed", "blue-removed"),
    ("green-deployed", "switched", "switched"),
    ("switched", "rolled-back", "rolled-back"),
    ("rolled-back", "namespaces-ready", "namespaces-ready"),
])
def test_the_state_only_moves_forward_through_the_migration(current, wanted, kept):
    store = Store({"state": current, "events": "[]"})
    result = record(store, state=wanted)
    assert store.obj["data"]["state"] == kept
    assert result["state_kept"] is (kept != wanted)


def test_a_concurrent_write_is_read_again_and_its_events_kept():
    theirs = {"events": json.dumps([{"phase": "0", "event": "start"}])}
    store = Store({"events": "[]"}, races=[theirs])
    result = record(store)
    assert [e["phase"] for e in json.loads(store.obj["data"]["events"])] == ["0", "30"]
    assert result["attempts"] == 2


def test_a_ledger_that_keeps_changing_fails_after_bounded_attempts_naming_it():
    store = Store({"events": "[]"}, races=[{"events": "[]"}] * MAX_ATTEMPTS)
    with pytest.raises(Conflict, match="changed under every one of 5 attempts"):
        record(store)
    assert store.writes == 0


def test_check_mode_writes_nothing_but_returns_the_record_a_run_would_leave():
    store = Store({"state": "policies-ready", "events": "[]"})
    result = record(store, state="green-deployed", check_mode=True)
    assert store.writes == 0 and store.obj["data"]["state"] == "policies-ready"
    assert result["record"]["state"] == "green-deployed" and not result["changed"]


def lease(token, **extra):
    return dict({"token": token, "holder": "ops@host", "pid": 42, "playbook": "Phase 30", "phase": "30"}, **extra)


def acquire(store, token, break_lease=False):
    return run_ledger(store, {"action": "acquire", "lease": lease(token), "break_lease": break_lease}, clock=lambda: 1796200000.0)


def test_a_second_run_is_refused_naming_the_holder_and_since_when():
    store = Store({"events": "[]"})
    acquire(store, "run-a")
    with pytest.raises(book.LeaseHeld) as refused:
        acquire(store, "run-b")
    assert "ops@host, pid 42, playbook 'Phase 30' (phase 30), since 2026-12-02T08:26:40Z" in str(refused.value)
    assert "-e ledger_lease_break=true" in str(refused.value)
    assert json.loads(store.obj["data"]["lease"])["token"] == "run-a"


def test_the_same_run_keeps_its_lease_and_a_break_takes_a_stale_one():
    store = Store({"events": "[]"})
    acquire(store, "run-a")
    assert acquire(store, "run-a")["changed"] is False
    broken = acquire(store, "run-b", break_lease=True)
    assert broken["broken"]["token"] == "run-a" and "breaking the lease of ops@host" in broken["broken_msg"]
    assert json.loads(store.obj["data"]["lease"])["token"] == "run-b"


def test_release_gives_back_only_the_lease_this_run_holds_and_keeps_the_events():
    store = Store({"events": json.dumps([{"phase": "0"}])})
    acquire(store, "run-b")
    other = run_ledger(store, {"action": "release", "lease": {"token": "run-a"}})
    assert other["released"] is False and "another run holds it now: ops@host" in other["msg"]
    mine = run_ledger(store, {"action": "release", "lease": {"token": "run-b"}})
    assert mine["released"] is True and "lease" not in store.obj["data"]
    assert json.loads(store.obj["data"]["events"]) == [{"phase": "0"}]


def test_an_unreadable_lease_is_held_by_an_unknown_run():
    store = Store({"events": "[]", "lease": "not json"})
    with pytest.raises(book.LeaseHeld, match="unknown \\(unreadable lease"):
        acquire(store, "run-a")


def test_recording_keeps_the_lease_and_reading_hides_it_from_the_record():
    store = Store({"events": "[]"})
    acquire(store, "run-a")
    record(store)
    assert json.loads(store.obj["data"]["lease"])["token"] == "run-a"
    read = run_ledger(store, {"action": "read"})
    assert "lease" not in read["record"] and read["lease"]["token"] == "run-a"


START = {"phase": "30", "name": "green deploy", "event": "start"}
FINISH = {"phase": "30", "name": "green deploy", "event": "finish", "outcome": "success"}


def test_acquire_records_the_phase_start_in_the_same_write():
    store = Store({"events": "[]"})
    result = run_ledger(store, {"action": "acquire", "lease": lease("run-a"), "event": START}, clock=lambda: 1796200000.0)
    assert store.writes == 1
    assert json.loads(store.obj["data"]["lease"])["token"] == "run-a"
    assert json.loads(store.obj["data"]["events"]) == [result["event"]] and result["event"]["event"] == "start"
    # The next phase of the same run already holds the lease: its start is still written.
    again = run_ledger(store, {"action": "acquire", "lease": lease("run-a"), "event": dict(START, phase="40")})
    assert again["changed"] is True and store.writes == 2
    assert [event["phase"] for event in json.loads(store.obj["data"]["events"])] == ["30", "40"]


def test_a_refused_acquire_records_nothing():
    store = Store({"events": "[]"})
    acquire(store, "run-a")
    with pytest.raises(book.LeaseHeld):
        run_ledger(store, {"action": "acquire", "lease": lease("run-b"), "event": START})
    assert json.loads(store.obj["data"]["events"]) == [] and store.writes == 1


def test_acquire_unless_complete_takes_nothing_once_blue_is_removed():
    store = Store({"state": "blue-removed", "events": "[]"})
    result = run_ledger(store, {"action": "acquire", "lease": lease("run-a"), "event": START, "unless_complete": True})
    assert result["complete"] is True and result["lease"] == {} and result["changed"] is False
    assert store.writes == 0


def test_release_records_the_phase_finish_and_state_in_the_same_write():
    store = Store({"state": "policies-ready", "events": "[]"})
    acquire(store, "run-a")
    result = run_ledger(store, {"action": "release", "lease": {"token": "run-a"}, "event": FINISH, "set": {"state": "green-deployed"}})
    assert result["released"] is True and store.writes == 2
    assert "lease" not in store.obj["data"] and store.obj["data"]["state"] == "green-deployed"
    assert json.loads(store.obj["data"]["events"])[-1]["outcome"] == "success"


def test_release_by_a_run_whose_lease_was_broken_records_its_finish_and_leaves_the_new_lease():
    store = Store({"events": "[]"})
    acquire(store, "run-b")
    result = run_ledger(store, {"action": "release", "lease": {"token": "run-a"}, "event": FINISH})
    assert result["released"] is False and "another run holds it now" in result["msg"]
    assert json.loads(store.obj["data"]["lease"])["token"] == "run-b"
    assert json.loads(store.obj["data"]["events"])[-1]["event"] == "finish"


class Unreachable:
    """A K8SClient whose every request finds no API server."""

    def resource(self, kind, api_version):
        return kind

    def get(self, *args, **kwargs):
        from urllib3.exceptions import MaxRetryError

        raise MaxRetryError(None, "/api/v1/namespaces/ecoeco-bluegreen/configmaps/bluegreen-ledger", "Connection refused")


def test_an_unreachable_api_server_is_named_not_a_traceback():
    from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import BlueGreenError
    from ansible_collections.ecoeco.bluegreen.plugins.module_utils.ledger.store import LedgerStore

    with pytest.raises(BlueGreenError, match="reading the ledger ecoeco-bluegreen/bluegreen-ledger failed: cannot reach the Kubernetes API"):
        run_ledger(LedgerStore(Unreachable(), "ecoeco-bluegreen", "bluegreen-ledger"), {"action": "read"})
