"""The README's rehearsal on the seed migration takes production's path against the real Argo CD: phase 30 keeps blue
from prune before the manifests change lands, Argo CD deploys green from Git, the switch keeps Argo CD frozen while Git
still parks green, blue removal keeps it frozen until Git declares the switch, and automation comes back with nothing
recreated or moved; every request under load through the whole run is answered.
"""

import subprocess
from pathlib import Path

from bench.traffic import Traffic
from playbook_runs import read_ledger

from ecoeco_sandbox.blue_state import DOMAINS, LOAD_BALANCER_NAME, SOURCE_NAMESPACE
from ecoeco_sandbox.frontdoor import alb_url
from ecoeco_sandbox.loadgen import summarize

ROOT = Path(__file__).resolve().parents[2]
LEDGER = "bluegreen-ledger-api-ecoeco-alb"
RATE = 10.0  # requests per second over the seven routes
MAX_LOAD_SECONDS = 900  # a bound only: the load stops when the rehearsal ends (about 2-3 minutes)
EDGE = 20  # requests at each end of the run: all blue at the start, all green at the end


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
