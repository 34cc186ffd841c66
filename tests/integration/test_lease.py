"""The ledger lease: one run at a time per ledger, refusals name the holder, a stale lease can be broken.

Every case uses a ledger of its own and phase 10 on a scratch namespace of its own, so nothing shared changes.
"""

import json

import pytest

from playbook_runs import delete_ledger, namespace_names, read_ledger, run_playbook, seed_ledger, start_playbook, unique

STALE_LEASE = {"holder": "alice@ops-laptop", "pid": 4242, "playbook": "Phase 50 - switch traffic", "phase": "50",
               "since": "2026-01-02T03:04:05Z", "token": "0123456789ab"}


@pytest.fixture
def ledger(kube):
    name = unique("lease-test")
    yield name
    delete_ledger(kube, name)


@pytest.fixture
def scratch_namespace(kube):
    from kubernetes import client

    name = unique("lease-scratch")
    yield name
    if name in namespace_names(kube):
        client.CoreV1Api(kube).delete_namespace(name)


def phase_10(env, ledger, namespace, *args, **extra):
    # A source namespace of its own: a ledger recording the seed's source (api) is the seed's, which the seed stream's
    # reset-to-blue deletes while this test runs beside it.
    values = dict({"ledger_name": ledger, "bluegreen_source_namespace": unique("lease-source"), "bluegreen_domains": [namespace],
                   "bluegreen_shared_namespaces": []}, **extra)
    return run_playbook(env, "10_namespaces.yml", *args, extra_vars=values, timeout=300)


def test_a_run_takes_the_lease_and_releases_it(sandbox_env, kube, ledger, scratch_namespace):
    result = phase_10(sandbox_env, ledger, scratch_namespace)
    assert result.returncode == 0, result.stdout[-3000:]
    record = read_ledger(kube, ledger)
    assert "lease" not in record
    assert [(e["phase"], e["event"], e.get("outcome")) for e in record["events"]] == [("10", "start", None), ("10", "finish", "success")]
    assert "TASK [ecoeco.bluegreen.ledger : Take the ledger lease and record the phase start]" in result.stdout


def test_a_second_run_is_refused_naming_the_holder_and_since_when(sandbox_env, kube, ledger, scratch_namespace):
    seed_ledger(kube, ledger, state="smoke-passed", lease=json.dumps(STALE_LEASE))
    result = phase_10(sandbox_env, ledger, scratch_namespace)
    assert result.returncode != 0
    message = " ".join(result.stdout.split())
    assert "another run holds the lease of ecoeco-bluegreen/{0}".format(ledger) in message
    assert "alice@ops-laptop, pid 4242, playbook 'Phase 50 - switch traffic' (phase 50), since 2026-01-02T03:04:05Z" in message
    assert "-e ledger_lease_break=true" in message
    record = read_ledger(kube, ledger)
    assert json.loads(record["lease"]) == STALE_LEASE  # the holder keeps its lease
    assert record["events"] == [] and record["state"] == "smoke-passed"  # the refused run recorded nothing
    assert scratch_namespace not in namespace_names(kube)


def test_of_two_runs_at_once_exactly_one_wins(sandbox_env, kube, ledger, tmp_path):
    playbook = "tests/integration/playbooks/take_lease.yml"
    # The deployment log goes to the test's own folder, not next to the playbook (inside the checkout).
    extra_vars = {"ledger_name": ledger, "ledger_log_path": str(tmp_path / "deployment.log")}
    runs = [start_playbook(sandbox_env, playbook, extra_vars=extra_vars) for _run in range(2)]
    outputs = [run.communicate(timeout=180)[0] for run in runs]
    winners = [run for run in runs if run.returncode == 0]
    losers = [output for run, output in zip(runs, outputs) if run.returncode != 0]
    assert len(winners) == 1 and len(losers) == 1, outputs
    assert "ledger lease: another run" in losers[0]
    winner_pid = winners[0].pid
    lease = json.loads(read_ledger(kube, ledger)["lease"])
    assert lease["pid"] == winner_pid
    assert lease["playbook"] == "Take the ledger lease and keep it"
    assert "@" in lease["holder"]


def test_a_stale_lease_is_broken_explicitly_and_named(sandbox_env, kube, ledger, scratch_namespace):
    seed_ledger(kube, ledger, state="smoke-passed", lease=json.dumps(STALE_LEASE))
    result = phase_10(sandbox_env, ledger, scratch_namespace, "-e", "ledger_lease_break=true")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "ledger lease: breaking the lease of alice@ops-laptop, pid 4242" in " ".join(result.stdout.split())
    record = read_ledger(kube, ledger)
    assert "lease" not in record
    assert record["events"][-1]["outcome"] == "success"
    assert scratch_namespace in namespace_names(kube)


def test_the_lease_is_released_when_the_phase_fails(sandbox_env, kube, ledger):
    result = phase_10(sandbox_env, ledger, "Not_A_Namespace")
    assert result.returncode != 0
    assert "is not a valid namespace name" in result.stdout
    assert "TASK [ecoeco.bluegreen.ledger : Record the phase end and give back the lease]" in result.stdout
    record = read_ledger(kube, ledger)
    assert "lease" not in record
    assert record["events"][-1]["outcome"] == "failed"
