"""Phases 0, 20, 30 and 40 interrupted in the middle (kill -9 or Ctrl-C) and run again, one after the other on one
scratch migration that starts before phase 0.

An interrupted ansible-playbook runs neither its rescue nor its always: the ledger keeps a start with no finish and
the lease of the dead run. Each re-run breaks that lease explicitly, does the phase again from the top and finishes
it; what the interrupted run had created is adopted, not deleted and made again. Blue serves every route throughout
(a sampler reads the ALB rules from moto), since no phase before 50 touches the traffic. Phases 10, 50 and 60 are
interrupted in test_faults.py."""

import json
import os
import signal

import pytest
from switch_scratch import RouteWatch, ScratchMigration, assert_ok, one_line
from waiting import wait_for

GREEN_SMOKE_CHECK = {"path": "/whoami", "status": 200, "json_contains": {"version": "green"}}


@pytest.fixture
def blue_only(kube, aws, sandbox_env, tmp_path):
    scratch = ScratchMigration(kube, aws("elbv2"), sandbox_env, tmp_path)
    try:
        scratch.create(green=False)
        yield scratch
    finally:
        scratch.delete()


def lease_of(migration):
    """The lease in the ledger as a dict, or None (no ledger yet, or no run holds it)."""
    from kubernetes.client.exceptions import ApiException

    try:
        raw = (migration.core.read_namespaced_config_map(migration.id, "ecoeco-bluegreen").data or {}).get("lease")
    except ApiException as error:
        if error.status == 404:
            return None
        raise
    return json.loads(raw) if raw else None


def green_deployment_uid(migration, domain):
    from kubernetes.client.exceptions import ApiException

    try:
        return migration.apps.read_namespaced_deployment(migration.workload(domain), domain).metadata.uid
    except ApiException as error:
        if error.status == 404:
            return None
        raise


def interrupt(migration, playbook, phase, how, started, **extra):
    """Run ``playbook``, send ``how`` once ``started()`` holds while the run holds the lease, and return the output."""
    run = migration.start(playbook, **extra)
    try:
        wait_for(lambda: (lease_of(migration) or {}).get("phase") == phase and started(), timeout=300, interval=0.05,
                 what="phase {0} under way".format(phase))
    finally:
        os.kill(run.pid, how)
        output = one_line(run.communicate(timeout=300)[0])
    # Still running when the signal came: a run that had ended would have released the lease and exited 0.
    assert run.returncode != 0, output[-3000:]
    return output


def test_phases_0_to_40_interrupted_midway_are_completed_by_a_rerun(blue_only):
    migration = blue_only
    smoke = {"bluegreen_smoke_test_checks": [dict(GREEN_SMOKE_CHECK, domain=domain) for domain in migration.domains]}
    first_green = migration.domains[0]
    steps = [
        ("00_preflight.yml", "0", signal.SIGKILL, lambda: True, {}),
        ("20_network_policies.yml", "20", signal.SIGINT, lambda: True, {}),
        ("30_green_deploy.yml", "30", signal.SIGKILL, lambda: green_deployment_uid(migration, first_green), {}),
        ("40_smoke_test.yml", "40", signal.SIGINT, lambda: True, smoke),
    ]
    created_by_the_killed_run = None
    with RouteWatch(migration) as watch:
        for playbook, phase, how, started, extra in steps:
            interrupt(migration, playbook, phase, how, started, **extra)
            ledger = migration.ledger()
            assert lease_of(migration)["phase"] == phase  # the dead run's lease, left behind
            assert ledger["events"][-1]["phase"] == phase and ledger["events"][-1]["event"] == "start", ledger["events"][-3:]
            if phase == "30":
                created_by_the_killed_run = green_deployment_uid(migration, first_green)

            rerun = migration.run(playbook, ledger_lease_break=True, **extra)
            assert_ok(rerun)
            assert "ledger lease: breaking the lease of" in rerun.stdout
            finish = migration.last_finish(phase)
            assert finish is not None and finish["outcome"] == "success", migration.ledger()["events"][-3:]
            assert lease_of(migration) is None

    # Blue served every route at every sample: no phase before the switch moved traffic, interrupted or not.
    for domain, sides in watch.seen.items():
        assert sides == {migration.source}, (domain, sides)
    assert migration.ledger()["state"] == "smoke-passed"
    assert green_deployment_uid(migration, first_green) == created_by_the_killed_run
    for domain in migration.domains:
        assert migration.deployment_available(domain, migration.workload(domain))
        assert migration.net.list_namespaced_network_policy(domain).items
