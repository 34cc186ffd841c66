"""One ledger per migration: its name, the migration it records, and the refusals (another migration's ledger, two
unfinished migrations on the same objects, a name that cannot name a ConfigMap), on an in-memory namespace of ledgers."""

import json

import pytest

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import Conflict, InvalidInput
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.ledger import migration
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.ledger.runner import run_ledger

NAMESPACE = "ecoeco-bluegreen"
ECOECO = {"source_namespace": "api", "domains": ["auth", "my"], "alb_name": "ecoeco-alb", "workload_name_suffix": "-api"}
SHOP = {"source_namespace": "legacy", "domains": ["orders", "billing"], "alb_name": "shop-alb", "workload_name_suffix": "-svc"}
START = {"phase": "10", "name": "namespaces", "event": "start"}


class Ledgers:
    """The ledger namespace: ConfigMaps by name, each with a resourceVersion."""

    def __init__(self, **data):
        self.objs = {}
        self.writes = []
        for name, value in data.items():
            self.put(name.replace("_", "-"), value)

    def put(self, name, data):
        version = int(self.objs[name]["metadata"]["resourceVersion"]) + 1 if name in self.objs else 1
        self.objs[name] = {"metadata": {"name": name, "resourceVersion": str(version)}, "data": data}

    def store(self, name=migration.LEGACY_NAME):
        return Store(self, name)

    def data(self, name):
        return self.objs[name]["data"]


class Store:
    """LedgerStore's interface over Ledgers."""

    def __init__(self, ledgers, name):
        self.ledgers = ledgers
        self.namespace = NAMESPACE
        self.name = name

    @property
    def where(self):
        return "{0}/{1}".format(self.namespace, self.name)

    def named(self, name):
        return Store(self.ledgers, name)

    def others(self):
        return [("{0}/{1}".format(NAMESPACE, name), obj["data"]) for name, obj in sorted(self.ledgers.objs.items()) if name != self.name]

    def read(self):
        obj = self.ledgers.objs.get(self.name)
        return json.loads(json.dumps(obj)) if obj else None

    def write(self, read, data):
        current = self.ledgers.objs.get(self.name)
        if (read or {}).get("metadata", {}).get("resourceVersion") != (current or {}).get("metadata", {}).get("resourceVersion"):
            raise Conflict("changed")
        self.ledgers.put(self.name, data)
        self.ledgers.writes.append(self.name)


def acquire(ledgers, identity, name=None, token="run-a", **extra):
    params = dict({"action": "acquire", "name": name, "migration": identity, "lease": {"token": token, "phase": "10"}, "event": START}, **extra)
    return run_ledger(ledgers.store(name or migration.LEGACY_NAME), params, clock=lambda: 1796200000.0)


def read(ledgers, identity, name=None):
    return run_ledger(ledgers.store(name or migration.LEGACY_NAME), {"action": "read", "name": name, "migration": identity})


def ledger_data(state=None, events=(), identity=None):
    data = {"events": json.dumps(list(events))}
    if state:
        data["state"] = state
    if identity:
        data["migration"] = json.dumps(migration.identity(identity))
    return data


def preflight_of(source):
    """The phase 0 finish of collection 0.1, which names the source namespace it backed up."""
    return {"phase": "0", "event": "finish", "outcome": "success", "details": {"source": {"namespace": source}}}


@pytest.mark.parametrize("source, alb, name", [
    ("api", "ecoeco-alb", "api-ecoeco-alb"),
    ("legacy", "", "legacy"),
    ("legacy", "Shop_ALB.prod", "legacy-shop-alb-prod"),
    ("api", "--ecoeco--alb--", "api-ecoeco-alb"),
])
def test_the_default_name_is_the_source_namespace_and_the_alb_as_a_dns_label(source, alb, name):
    assert migration.derive_name(source, alb) == name


def test_a_long_default_name_is_cut_to_a_label_and_stays_unique_and_stable():
    one = migration.derive_name("a" * 40, "alb-" + "b" * 40)
    other = migration.derive_name("a" * 40, "alb-" + "b" * 39 + "c")
    assert len(one) <= 63 and one != other and one == migration.derive_name("a" * 40, "alb-" + "b" * 40)
    assert migration.identity({"source_namespace": "a" * 40, "alb_name": "alb-" + "b" * 40})["name"] == one


def test_the_first_acquire_creates_the_migrations_own_ledger_and_records_the_migration():
    ledgers = Ledgers()
    result = acquire(ledgers, ECOECO)
    assert ledgers.writes == ["bluegreen-ledger-api-ecoeco-alb"]
    assert result["ledger"] == {"namespace": NAMESPACE, "name": "bluegreen-ledger-api-ecoeco-alb", "adopted": False,
                                "migration": dict(ECOECO, name="api-ecoeco-alb")}
    assert json.loads(ledgers.data("bluegreen-ledger-api-ecoeco-alb")["migration"]) == dict(ECOECO, name="api-ecoeco-alb")
    assert result["record"]["migration"]["name"] == "api-ecoeco-alb"


def test_two_migrations_on_one_cluster_keep_apart_leases_states_and_events():
    ledgers = Ledgers()
    acquire(ledgers, ECOECO, token="ecoeco-run")
    acquire(ledgers, SHOP, token="shop-run")
    run_ledger(ledgers.store(), {"action": "release", "migration": SHOP, "lease": {"token": "shop-run"},
                                 "event": {"phase": "60", "event": "finish"}, "set": {"state": "blue-removed"}})
    ecoeco = acquire(ledgers, ECOECO, token="ecoeco-run", unless_complete=True)
    assert ecoeco["complete"] is False and [event["phase"] for event in ecoeco["record"]["events"]] == ["10", "10"]
    assert ecoeco["record"].get("state") is None and ecoeco["lease"]["token"] == "ecoeco-run"
    assert read(ledgers, SHOP)["record"]["state"] == "blue-removed"


def test_an_explicit_ledger_name_wins_and_is_claimed_by_the_migration():
    ledgers = Ledgers()
    result = acquire(ledgers, ECOECO, name="test-ledger-1")
    assert ledgers.writes == ["test-ledger-1"] and result["ledger"]["name"] == "test-ledger-1"
    assert json.loads(ledgers.data("test-ledger-1")["migration"])["name"] == "api-ecoeco-alb"


@pytest.mark.parametrize("action", ["acquire", "read", "record", "release"])
def test_a_ledger_of_another_migration_given_by_name_is_refused_naming_both_before_any_write(action):
    ledgers = Ledgers(shop_ledger=ledger_data("switched", identity=SHOP))
    params = {"action": action, "name": "shop-ledger", "migration": ECOECO, "lease": {"token": "run-a"}, "event": START}
    with pytest.raises(migration.ForeignLedger) as refused:
        run_ledger(ledgers.store("shop-ledger"), params)
    message = str(refused.value)
    assert "ledger ecoeco-bluegreen/shop-ledger belongs to migration 'legacy-shop-alb' (source namespace legacy)" in message
    assert "not to this migration 'api-ecoeco-alb' (source namespace api)" in message and "nothing was changed" in message
    assert ledgers.writes == []


def test_the_same_name_for_another_source_namespace_is_another_migration():
    ledgers = Ledgers()
    acquire(ledgers, dict(ECOECO, name="backend"))
    refusal = "belongs to migration 'backend' \\(source namespace api\\), not to this migration 'backend' \\(source namespace legacy\\)"
    with pytest.raises(migration.ForeignLedger, match=refusal):
        acquire(ledgers, dict(SHOP, name="backend"), token="run-b")
    assert ledgers.writes == ["bluegreen-ledger-backend"]


def test_a_later_run_keeps_the_migration_record_current():
    ledgers = Ledgers()
    acquire(ledgers, ECOECO)
    acquire(ledgers, dict(ECOECO, domains=["auth", "my", "scan"]))
    assert json.loads(ledgers.data("bluegreen-ledger-api-ecoeco-alb")["migration"])["domains"] == ["auth", "my", "scan"]


@pytest.mark.parametrize("name", ["Team_A", "-shop", "shop.prod", "x" * 64, "shop-"])
def test_a_migration_name_that_cannot_name_a_configmap_is_refused_naming_the_field(name):
    ledgers = Ledgers()
    with pytest.raises(InvalidInput) as refused:
        acquire(ledgers, dict(ECOECO, name=name))
    assert str(refused.value).startswith("migration.name (bluegreen_migration_name): expected a DNS-1123 label")
    assert "bluegreen-ledger-<migration name>" in str(refused.value) and repr(name) in str(refused.value)
    assert refused.value.details == {"field": "migration.name (bluegreen_migration_name)"}
    assert ledgers.writes == []


def test_an_explicit_ledger_name_that_cannot_name_a_configmap_is_refused():
    with pytest.raises(InvalidInput, match="^name: expected a ConfigMap name"):
        acquire(Ledgers(), ECOECO, name="Bluegreen_Ledger")


@pytest.mark.parametrize("other, state, lease, refused", [
    (dict(SHOP, source_namespace="api"), "switched", False, "claims the source namespace api"),
    (dict(SHOP, source_namespace="api"), "namespaces-ready", False, "claims the source namespace api"),
    # Its first phase runs now (it holds the lease), before any state.
    (dict(SHOP, source_namespace="api"), None, True, "claims the source namespace api"),
    (dict(SHOP, domains=["auth"], workload_name_suffix="-api"), "green-deployed", False, "claims the Ingresses auth/auth-api"),
    # Only its preflight ran (it only reads): it claims nothing yet.
    (dict(SHOP, source_namespace="api"), None, False, None),
    (dict(SHOP, source_namespace="api"), "blue-removed", False, None),
    (dict(SHOP, source_namespace="api"), "rolled-back", True, None),
    (dict(SHOP, domains=["auth"]), "switched", False, None),  # another suffix: other Ingresses in namespace auth
    (SHOP, "switched", True, None),
])
def test_two_unfinished_migrations_on_the_same_source_namespace_or_ingresses_are_refused(other, state, lease, refused):
    data = ledger_data(state, identity=dict(other, name="other"))
    if lease:
        data["lease"] = json.dumps({"token": "their-run", "holder": "shop@ci", "phase": "10"})
    ledgers = Ledgers(**{"bluegreen-ledger-other": data})
    if refused is None:
        acquire(ledgers, ECOECO)
        assert ledgers.writes == ["bluegreen-ledger-api-ecoeco-alb"]
        return
    with pytest.raises(migration.MigrationConflict) as conflict:
        acquire(ledgers, ECOECO)
    message = str(conflict.value)
    assert "migration 'api-ecoeco-alb' (source namespace api, ledger ecoeco-bluegreen/bluegreen-ledger-api-ecoeco-alb) " + refused in message
    assert "the unfinished migration 'other' (source namespace {0}, ledger ecoeco-bluegreen/bluegreen-ledger-other) (state {1})".format(
        other["source_namespace"], state or "none") in message
    assert "nothing was changed" in message and ledgers.writes == []


def test_the_report_still_reads_a_migration_another_one_conflicts_with():
    ledgers = Ledgers(**{"bluegreen-ledger-other": ledger_data("switched", identity=dict(SHOP, source_namespace="api", name="other")),
                         "bluegreen-ledger-api-ecoeco-alb": ledger_data("smoke-passed", identity=ECOECO)})
    assert read(ledgers, ECOECO)["record"]["state"] == "smoke-passed"


def test_a_complete_migration_ends_its_phase_before_any_conflict_is_looked_for():
    ledgers = Ledgers(**{"bluegreen-ledger-other": ledger_data("switched", identity=dict(SHOP, source_namespace="api", name="other")),
                         "bluegreen-ledger-api-ecoeco-alb": ledger_data("blue-removed", identity=ECOECO)})
    assert acquire(ledgers, ECOECO, unless_complete=True)["complete"] is True


def test_a_legacy_ledger_of_this_source_namespace_is_adopted_and_stays_this_migrations():
    ledgers = Ledgers(bluegreen_ledger=ledger_data("switched", events=[preflight_of("api")]))
    first = acquire(ledgers, ECOECO)
    assert first["ledger"]["name"] == "bluegreen-ledger" and first["ledger"]["adopted"] is True
    assert ledgers.writes == ["bluegreen-ledger"] and first["record"]["state"] == "switched"
    assert json.loads(ledgers.data("bluegreen-ledger")["migration"])["name"] == "api-ecoeco-alb"
    again = read(ledgers, ECOECO)
    assert again["ledger"]["name"] == "bluegreen-ledger" and again["record"]["state"] == "switched"


def test_a_legacy_ledger_of_another_source_namespace_is_left_to_it():
    ledgers = Ledgers(bluegreen_ledger=ledger_data("switched", events=[preflight_of("api")]))
    result = acquire(ledgers, SHOP)
    assert result["ledger"]["name"] == "bluegreen-ledger-legacy-shop-alb" and result["ledger"]["adopted"] is False
    assert "migration" not in ledgers.data("bluegreen-ledger")
    # Claimed by the migration out of api, it is not adopted by a second migration out of api, which waits for it.
    acquire(ledgers, ECOECO, token="run-b")
    waits_for = "as does the unfinished migration 'api-ecoeco-alb' \\(source namespace api, ledger ecoeco-bluegreen/bluegreen-ledger\\)"
    with pytest.raises(migration.MigrationConflict, match=waits_for):
        acquire(ledgers, dict(ECOECO, alb_name="other-alb"), token="run-c")


def test_an_unnamed_ledger_that_is_not_adopted_still_claims_its_source_namespace():
    mixed = ledger_data("switched", events=[preflight_of("api"), preflight_of("legacy")])
    waits_for = "as does the unfinished migration '\\(unnamed\\)' \\(source namespace api, ledger ecoeco-bluegreen/bluegreen-ledger\\)"
    with pytest.raises(migration.MigrationConflict, match=waits_for):
        acquire(Ledgers(bluegreen_ledger=mixed), ECOECO)


def test_a_legacy_ledger_shared_by_two_migrations_is_adopted_by_neither_but_can_be_given_by_name():
    mixed = ledger_data("blue-removed", events=[preflight_of("api"), preflight_of("legacy")])
    ledgers = Ledgers(bluegreen_ledger=mixed)
    assert acquire(ledgers, ECOECO)["ledger"]["name"] == "bluegreen-ledger-api-ecoeco-alb"
    ledgers = Ledgers(bluegreen_ledger=mixed)
    assert acquire(ledgers, ECOECO, name="bluegreen-ledger")["ledger"]["name"] == "bluegreen-ledger"
    with pytest.raises(migration.ForeignLedger, match="holds the events of a migration out of source namespace api"):
        acquire(Ledgers(bluegreen_ledger=ledger_data(events=[preflight_of("api")])), SHOP, name="bluegreen-ledger")


def test_without_a_migration_nothing_is_recorded_or_checked_as_for_a_release_ledger():
    ledgers = Ledgers(**{"bluegreen-ledger-other": ledger_data("switched", identity=ECOECO)})
    result = run_ledger(ledgers.store("release-ledger-backend"), {"action": "acquire", "name": "release-ledger-backend", "lease": {"token": "r"}})
    assert "migration" not in ledgers.data("release-ledger-backend") and result["ledger"]["migration"] == {}
