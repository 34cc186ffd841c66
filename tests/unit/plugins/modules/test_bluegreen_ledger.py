"""bluegreen_ledger through main(): the ledger a migration derives, and a bad migration name refused with its field."""

import json

import pytest

from ansible_collections.ecoeco.bluegreen.plugins.modules import bluegreen_ledger
from ansible_collections.ecoeco.bluegreen.tests.unit.plugins.module_utils.ledger.test_ledger_migration import Ledgers
from ansible_collections.ecoeco.bluegreen.tests.unit.plugins.modules.module_runner import run_main

MIGRATION = {"source_namespace": "legacy", "domains": ["orders"], "alb_name": "shop-alb", "workload_name_suffix": "-svc"}


@pytest.fixture
def ledgers(monkeypatch, tmp_path):
    found = Ledgers()
    monkeypatch.setattr(bluegreen_ledger, "get_api_client", lambda module: None)
    monkeypatch.setattr(bluegreen_ledger, "LedgerStore", lambda client, namespace, name: found.store(name))
    return found


def test_a_migration_without_a_ledger_name_gets_its_own_ledger(ledgers):
    how, result = run_main(bluegreen_ledger.main, {"action": "acquire", "migration": MIGRATION, "lease": {"token": "t"},
                                                   "event": {"phase": "10", "name": "namespaces", "event": "start"}})
    assert how == "exit", result
    assert result["ledger"]["name"] == "bluegreen-ledger-legacy-shop-alb"
    assert json.loads(ledgers.data("bluegreen-ledger-legacy-shop-alb")["migration"])["name"] == "legacy-shop-alb"


def test_without_a_migration_the_ledger_is_the_one_shared_ledger_as_before(ledgers):
    how, result = run_main(bluegreen_ledger.main, {"action": "record", "set": {"manifests_revision": "3f2a9c1"}})
    assert how == "exit" and result["ledger"]["name"] == "bluegreen-ledger" and "migration" not in ledgers.data("bluegreen-ledger")


def test_a_bad_migration_name_fails_naming_the_field_and_changes_nothing(ledgers):
    how, result = run_main(bluegreen_ledger.main, {"action": "acquire", "migration": dict(MIGRATION, name="Shop_Migration"),
                                                   "lease": {"token": "t"}})
    assert how == "fail" and result["field"] == "migration.name (bluegreen_migration_name)"
    assert "expected a DNS-1123 label" in result["msg"] and ledgers.writes == []
