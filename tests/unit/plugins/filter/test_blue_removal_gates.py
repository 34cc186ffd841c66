"""The gates of blue's removal that the ledger and the operator decide: all evaluated, each refusal said."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ecoeco.bluegreen.plugins.filter.blue_removal_gates import blue_removal_gates

NOW = 1_800_000_000.75


def gates(switched_at="1799990000", soak_seconds=3600, confirm=True, namespace="api", now=NOW):
    return blue_removal_gates(switched_at, soak_seconds=soak_seconds, confirm=confirm, namespace=namespace, now=now)


def test_every_gate_met_refuses_nothing_and_reports_the_soak():
    assert gates() == {"soak": {"switched_at": "1799990000", "elapsed": 10000, "required": 3600}, "refusals": []}


@pytest.mark.parametrize("soak_seconds, refused", [(10000, False), (10001, True), (0, False)])
def test_the_soak_is_over_once_exactly_its_seconds_passed(soak_seconds, refused):
    assert bool(gates(soak_seconds=soak_seconds)["refusals"]) is refused


def test_a_soak_not_over_says_how_long_since_how_long_required_and_how_long_to_go():
    assert gates(soak_seconds=86400)["refusals"] == ["the soak is not over: 10000 s since the switch, 86400 s required (76400 s to go)"]


@pytest.mark.parametrize("switched_at, shown", [("", '""'), (None, "null"), ("NOW", '"NOW"'), ("12.5", '"12.5"'), (True, "true")])
def test_no_switch_recorded_is_refused_quoting_the_value_and_the_soak_is_not_evaluated(switched_at, shown):
    result = gates(switched_at=switched_at, soak_seconds=86400)
    assert result["refusals"] == ["no switch is recorded (switched_at is {0}): run phase 50 first".format(shown)]
    assert result["soak"]["elapsed"] is None


def test_epoch_seconds_as_a_number_count_as_recorded():
    assert gates(switched_at=1799990000)["soak"]["elapsed"] == 10000


@pytest.mark.parametrize("confirm", [False, "false", "no", ""])
def test_without_confirmation_the_namespace_is_named(confirm):
    assert gates(confirm=confirm)["refusals"] == ["no confirmation: set blue_removal_confirm=true to delete namespace api"]


def test_every_gate_not_met_is_listed_in_order():
    assert gates(switched_at="", confirm="false")["refusals"] == [
        "no switch is recorded (switched_at is \"\"): run phase 50 first",
        "no confirmation: set blue_removal_confirm=true to delete namespace api"]
    assert [refusal.split(":")[0] for refusal in gates(soak_seconds=86400, confirm=False)["refusals"]] == [
        "the soak is not over", "no confirmation"]


def test_confirmation_given_as_text_from_the_command_line_counts():
    assert gates(confirm="true")["refusals"] == []


def test_soak_seconds_that_are_not_a_number_are_refused():
    with pytest.raises(AnsibleFilterError, match="soak_seconds and now must be numbers"):
        gates(soak_seconds="1d")
