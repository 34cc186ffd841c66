"""The rehearsal takes production's path: inventories/sandbox differs from inventories/ecoeco only in connection,
timing, soak and naming values, and in the gaps listed here, each waiting for the sandbox to rehearse it.

A new difference fails this test; so does closing a gap without taking it off the list.
"""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]

# Values that must differ between a laptop rehearsal and the production cluster.
REHEARSAL_VALUES = {
    # connection: the sandbox's kubeconfig and its moto endpoint; production reaches real AWS
    "bluegreen_kubeconfig",
    "bluegreen_aws_endpoint_url",
    # timing: the sandbox's pods are Ready in seconds, production's in minutes
    "bluegreen_green_deploy_timeout",
    "bluegreen_health_timeout",
    "bluegreen_health_poll_interval",
    "bluegreen_release_wait_timeout",
    # timing: a shorter watch of the freeze that still spans one of Argo CD's 5 s self-heal retries
    "bluegreen_argocd_freeze_verify_seconds",
    # soak: production waits a day before deleting blue and an hour before scaling the old release colour down
    "bluegreen_blue_removal_soak_seconds",
    "bluegreen_release_keep_old_seconds",
    # naming: where the results and the manifests are, relative to the checkout in the rehearsal
    "bluegreen_results_dir",
    "bluegreen_manifests_repo_path",
    # the sandbox's stand-in apps answer one more path (who answered), checked end to end through green
    "bluegreen_smoke_test_checks",
}

# Production settings the sandbox cannot rehearse yet; each is a gap to close, not a value to keep.
KNOWN_GAPS = {
    # the rehearsal also restricts egress (to the shared namespace data), which production has not turned on: the
    # sandbox proves the stricter policies keep every request answered before production adopts them
    "bluegreen_network_policy_restrict_egress",
    "bluegreen_network_policy_egress_namespaces",
}


def settings(inventory):
    values = {}
    for path in sorted((ROOT / "inventories" / inventory / "group_vars" / "all").glob("*.yml")):
        values.update(yaml.safe_load(path.read_text()) or {})
    return values


def test_the_sandbox_inventory_is_production_but_for_rehearsal_values_and_known_gaps():
    sandbox, production = settings("sandbox"), settings("ecoeco")
    missing = object()
    differing = {name for name in set(sandbox) | set(production) if sandbox.get(name, missing) != production.get(name, missing)}
    assert sorted(differing - REHEARSAL_VALUES - KNOWN_GAPS) == [], "new differences between the sandbox and production inventories"
    assert sorted((REHEARSAL_VALUES | KNOWN_GAPS) - differing) == [], "listed as differing but equal now: take them off the list"


def test_both_inventories_name_the_same_settings_but_the_aws_endpoint():
    # A setting only one inventory names falls back to a role default in the other, which nobody chose; production
    # reaches AWS at its default endpoints.
    only_one = set(settings("sandbox")) ^ set(settings("ecoeco"))
    assert sorted(only_one) == ["bluegreen_aws_endpoint_url"]
