"""The README's rehearsal on the seed migration takes production's path against the real Argo CD: phase 30 keeps blue
from prune before the manifests change lands, Argo CD deploys green from Git, the switch keeps Argo CD frozen while Git
still parks green, blue removal keeps it frozen until Git declares the switch, and automation comes back with nothing
recreated or moved; every request under load through the whole run is answered. And a rollback while Git deploys
green (green from Argo CD, the manifests change landed) keeps Argo CD frozen until the team reverts the change.
"""

import subprocess
import time
from pathlib import Path

from bench.traffic import Traffic
from playbook_runs import read_ledger, run_playbook
from switch_scratch import assert_ok

from ecoeco_sandbox.blue_state import DOMAINS, LOAD_BALANCER_NAME, SOURCE_NAMESPACE
from ecoeco_sandbox.frontdoor import alb_url
from ecoeco_sandbox.loadgen import summarize

ROOT = Path(__file__).resolve().parents[2]
LEDGER = "bluegreen-ledger-api-ecoeco-alb"
RATE = 10.0  # requests per second over the seven routes
MAX_LOAD_SECONDS = 900  # a bound only: the load stops when the rehearsal ends (about 2-3 minutes)
EDGE = 20  # requests at each end of the run: all blue at the start, all green at the end
SYNC_OPTIONS = "argocd.argoproj.io/sync-options"
HOLD_SECONDS = 10  # two of Argo CD's self-heal retries (5 s), and ten of the sandbox's 1 s hard-refresh round trips


def seed_green(apps):
    """The green Deployments of the seed's domains (scratch migrations in the other test stream label theirs green too)."""
    return [item for domain in DOMAINS for item in apps.list_namespaced_deployment(domain, label_selector="version=green").items]


def assert_none_for(read, seconds):
    """``read()`` stays empty for ``seconds``: a claim that something does not happen holds for a bounded time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = read()
        assert not found, found[:3]
        time.sleep(0.5)


def test_the_rehearsal_takes_the_production_path_with_argo_cd_and_answers_every_request(blue_state, kube, tmp_path):
    from kubernetes import client, dynamic

    paths = {"/api/v1/{0}/whoami".format(domain): domain for domain in DOMAINS}
    load = Traffic(alb_url(LOAD_BALANCER_NAME), list(paths), RATE, MAX_LOAD_SECONDS, lead=1.0, tail=3.0)
    with load:
        run = subprocess.run(["bash", str(ROOT / "scripts" / "rehearse-migration.sh"), str(tmp_path)], cwd=ROOT, env=blue_state,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False, timeout=900)
    output = run.stdout
    assert run.returncode == 0 and "Rehearsal finished" in output, output[-6000:]

    # The manifests change landed only once phase 30 had kept blue from prune, and blue removal waited for the second.
    assert "waiting up to 600 s for phase 30 to keep blue in api from prune" in output and "manifests change landed as" in output, output[-6000:]
    assert "blue objects in api are kept from prune" in output and "Argo CD stays frozen" in output, output[-6000:]
    assert read_ledger(kube, LEDGER)["state"] == "blue-removed"

    dyn = dynamic.DynamicClient(kube)
    applications = dyn.resources.get(api_version="argoproj.io/v1alpha1", kind="Application").get(namespace="argocd").to_dict()["items"]
    ours = [app for app in applications if app["metadata"]["name"].startswith("ecoeco-")]
    assert len(ours) == len(paths)
    for app in ours:
        assert app["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}, app["metadata"]["name"]
        assert app["status"]["sync"]["status"] == "Synced" and app["spec"]["destination"]["namespace"] != SOURCE_NAMESPACE, app["status"]["sync"]
    assert SOURCE_NAMESPACE not in {ns.metadata.name for ns in client.CoreV1Api(kube).list_namespace().items}

    summary = summarize(load.records)
    assert summary["requests"] > 0 and summary["failed"] == 0, summary
    first, last = load.records[:EDGE], load.records[-EDGE:]
    assert {record["namespace"] for record in first} == {SOURCE_NAMESPACE}, first
    assert all(record["namespace"] == paths[record["path"]] and record["version"] == "green" for record in last), last
    print("rehearsal under load: {0} requests, {1} failed, by status {2}, by version {3}; p99 {4} ms".format(
        summary["requests"], summary["failed"], summary["by_status"], summary["by_version"], summary["latency_ms"]["p99"]))


def test_a_rollback_while_git_deploys_green_keeps_argo_cd_frozen_until_the_change_is_reverted(blue_state, kube, tmp_path):
    from kubernetes import client, dynamic

    lander = subprocess.Popen([str(ROOT / "sandbox" / "sandboxctl"), "land-green", "--when-guarded", "300"], cwd=ROOT, env=blue_state,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for phase in ("00_preflight.yml", "10_namespaces.yml", "20_network_policies.yml", "30_green_deploy.yml"):
            assert_ok(run_playbook(blue_state, phase, extra_vars={"bluegreen_results_dir": str(tmp_path)}))
    finally:
        lander.kill()
        lander.communicate(timeout=60)
    apps = client.AppsV1Api(kube)
    assert len(seed_green(apps)) == len(DOMAINS)

    rollback = run_playbook(blue_state, "90_rollback.yml", extra_vars={"bluegreen_results_dir": str(tmp_path)})

    assert_ok(rollback)
    output = " ".join(rollback.stdout.split())
    assert "Argo CD stays frozen" in output and "Revert the manifests change" in output, output[-6000:]
    assert "live Deployment auth/auth-api differs from Git" in output, output[-6000:]
    # Frozen, Argo CD recreates nothing of green; blue (kept from prune) serves.
    assert_none_for(lambda: seed_green(apps), HOLD_SECONDS)
    assert len(apps.list_namespaced_deployment(SOURCE_NAMESPACE).items) == len(DOMAINS)
    # Still kept from prune while Git deploys green.
    assert all("Prune=false" in (d.metadata.annotations or {}).get(SYNC_OPTIONS, "") for d in apps.list_namespaced_deployment(SOURCE_NAMESPACE).items)

    revert = subprocess.run([str(ROOT / "sandbox" / "sandboxctl"), "revert-green"], cwd=ROOT, env=blue_state, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, check=False, timeout=300)
    assert revert.returncode == 0, revert.stdout
    assert_ok(run_playbook(blue_state, "argocd_restore.yml"))

    dyn = dynamic.DynamicClient(kube)
    applications = dyn.resources.get(api_version="argoproj.io/v1alpha1", kind="Application").get(namespace="argocd").to_dict()["items"]
    for app in [app for app in applications if app["metadata"]["name"].startswith("ecoeco-")]:
        assert app["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}, app["metadata"]["name"]
    # With automation back, Git's blue stays and nothing of green comes back.
    assert_none_for(lambda: seed_green(apps), HOLD_SECONDS)
    assert len(apps.list_namespaced_deployment(SOURCE_NAMESPACE).items) == len(DOMAINS)
    # Git declares blue again: the prune guard is off (what the guard replaced is back: nothing, on the seed's blue).
    for deployment in apps.list_namespaced_deployment(SOURCE_NAMESPACE).items:
        annotations = deployment.metadata.annotations or {}
        assert not {SYNC_OPTIONS, "argocd.argoproj.io/compare-options", "bluegreen.ecoeco.io/prune-guard"} & set(annotations), annotations
    assert read_ledger(kube, LEDGER)["state"] == "rolled-back"
