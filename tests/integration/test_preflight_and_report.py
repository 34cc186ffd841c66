"""Phase 0 (preflight) and the report, run with ansible-playbook against the sandbox.

The checks only read the shared blue state (namespace ``api``, the seed's Argo CD objects, ``ecoeco-alb``).
Every run writes to a results directory and a ledger ConfigMap of its own, both removed afterwards; the
cases that need objects of their own (a Secret, a read-only identity) create them under ``preflight-scratch-*``.
"""

import base64
import json
import os
import re
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import yaml
from pod_template import blue_pod_template

ROOT = Path(__file__).resolve().parents[2]
DOMAINS = ["auth", "my", "scan", "character", "location", "info", "chat"]
LEDGER_NAMESPACE = "ecoeco-bluegreen"
SECRET_VALUE = "preflight-must-never-copy-this-" + uuid.uuid4().hex


def wait_for(check, timeout=90, interval=0.5, what="condition"):
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out after {0} s waiting for {1}".format(timeout, what))
        time.sleep(interval)


class Runs:
    """Runs playbooks with a ledger and a results directory of their own, and reads what they left."""

    def __init__(self, kube, env, workdir):
        from kubernetes import client

        self.core = client.CoreV1Api(kube)
        self.env = dict(os.environ, **env)
        self.workdir = workdir
        self.ledgers = []

    def run(self, playbook, ledger, results, *args, **extra_vars):
        self.ledgers.append(ledger)
        values = dict({"ledger_name": ledger, "bluegreen_results_dir": str(results)}, **extra_vars)
        extra = self.workdir / "extra-{0}.json".format(uuid.uuid4().hex[:6])
        extra.write_text(json.dumps(values))
        return subprocess.run(
            ["ansible-playbook", "-i", "inventories/sandbox", "playbooks/" + playbook, "-e", "@" + str(extra), *args],
            cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False, timeout=600)

    def ledger(self, name):
        data = self.core.read_namespaced_config_map(name, LEDGER_NAMESPACE).data or {}
        return dict(data, events=json.loads(data.get("events", "[]")))

    def ledger_exists(self, name):
        return any(item.metadata.name == name for item in self.core.list_namespaced_config_map(LEDGER_NAMESPACE).items)

    def delete_ledgers(self):
        for name in set(self.ledgers):
            if self.ledger_exists(name):
                self.core.delete_namespaced_config_map(name, LEDGER_NAMESPACE)


def unique(prefix):
    return "{0}-{1}".format(prefix, uuid.uuid4().hex[:6])


def documents(path):
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


@pytest.fixture(scope="module")
def runs(kube, module_blue_state, tmp_path_factory):
    helper = Runs(kube, module_blue_state, tmp_path_factory.mktemp("preflight-runs"))
    yield helper
    helper.delete_ledgers()


@pytest.fixture(scope="module")
def blue_run(runs, tmp_path_factory):
    """One real preflight of the shared blue state, then one report, on a ledger of their own."""
    ledger, results = unique("preflight-test"), tmp_path_factory.mktemp("results")
    preflight = runs.run("00-preflight.yml", ledger, results)
    report = runs.run("99-report.yml", ledger, results)
    return {"ledger": ledger, "results": results, "preflight": preflight, "report": report}


def test_preflight_passes_on_blue_and_backs_up_every_blue_object(blue_run):
    assert blue_run["preflight"].returncode == 0, blue_run["preflight"].stdout[-3000:]
    backups = sorted(blue_run["results"].glob("backup-*.yaml"))
    assert len(backups) == 1
    assert re.fullmatch(r"backup-\d{8}T\d{6}Z\.yaml", backups[0].name)
    assert backups[0].stat().st_mode & 0o077 == 0

    docs = documents(backups[0])
    by_kind = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], []).append(doc)
    assert sorted(d["metadata"]["name"] for d in by_kind["Deployment"]) == sorted(d + "-api" for d in DOMAINS)
    assert {d["metadata"]["namespace"] for d in by_kind["Deployment"]} == {"api"}
    assert len(by_kind["Service"]) == len(by_kind["Ingress"]) == len(DOMAINS)
    assert [d["metadata"]["name"] for d in by_kind["ApplicationSet"]] == ["ecoeco-api-services-kustomize"]
    assert sorted(d["metadata"]["name"] for d in by_kind["Application"]) == sorted("ecoeco-" + d for d in DOMAINS)
    assert "Secret" not in by_kind
    for doc in docs:
        assert "status" not in doc
        assert not {"managedFields", "resourceVersion", "uid", "creationTimestamp"} & set(doc["metadata"])
    assert all("clusterIP" not in service["spec"] for service in by_kind["Service"])


def test_preflight_records_phase_0_backup_revision_and_alb_in_the_ledger(blue_run, runs):
    ledger = runs.ledger(blue_run["ledger"])
    phase0 = [event for event in ledger["events"] if event["phase"] == "0"]
    assert [(e["event"], e.get("outcome")) for e in phase0] == [("start", None), ("finish", "success")]
    backups = sorted(blue_run["results"].glob("backup-*.yaml"))
    assert ledger["backup_path"] == str(backups[0])

    revision = ledger["manifests_revision"]
    assert re.fullmatch(r"[0-9a-f]{40}", revision)
    assert subprocess.run(["git", "-C", str(ROOT), "cat-file", "-t", revision], stdout=subprocess.PIPE, text=True, check=True).stdout.strip() == "commit"

    details = phase0[-1]["details"]
    assert details["alb_before"]["all_healthy"] is True
    assert len(details["alb_before"]["target_groups"]) >= len(DOMAINS)
    template_policy = details["argocd_before"]["applicationset_template_sync_policy"]
    assert template_policy["automated"] == {"prune": True, "selfHeal": True}
    assert sorted(details["argocd_before"]["applications"]) == sorted("ecoeco-" + d for d in DOMAINS)
    assert "ecoeco-api-services-kustomize" in blue_run["preflight"].stdout  # the sync policies are shown in the run log


def test_report_has_the_timeline_domains_alb_and_argocd(blue_run):
    assert blue_run["report"].returncode == 0, blue_run["report"].stdout[-3000:]
    reports = sorted(blue_run["results"].glob("report-2*.md"))
    assert len(reports) == 1
    latest = blue_run["results"] / "report-latest.md"
    assert latest.read_text() == reports[0].read_text()
    text = latest.read_text()

    assert re.search(r"^\| 0 \| preflight \| \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \| \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \| \d+\.\d \| success \|$", text, re.M)
    for domain in DOMAINS:
        assert re.search(r"^\| {0} \| api \| {0} \| no green Deployment \| blue \(api/{0}-api\) \| 10 \| — \|".format(domain), text, re.M)
    assert re.search(r"^\| all healthy \| yes \| — \| — \|$", text, re.M)
    assert "| Application ecoeco-auth |" in text
    assert "No traffic switch (phase 50) is recorded" in text

    tasks = re.findall(r"^TASK \[(.+?)\]", blue_run["report"].stdout, re.M)
    assert tasks[-1] == "ecoeco.bluegreen.report : Show where the report is"
    assert "Report: {0}".format(reports[0]) in blue_run["report"].stdout


def test_check_mode_reads_everything_and_writes_nothing(runs, tmp_path):
    ledger = unique("preflight-check")
    preflight = runs.run("00-preflight.yml", ledger, tmp_path, "--check")
    assert preflight.returncode == 0, preflight.stdout[-3000:]
    assert "Check mode: the backup is not written" in preflight.stdout
    assert "Assert every target of the ALB is healthy" in preflight.stdout  # the checks still ran
    report = runs.run("99-report.yml", ledger, tmp_path, "--check")
    assert report.returncode == 0, report.stdout[-3000:]
    assert "Check mode: the report is not written" in report.stdout
    assert list(tmp_path.iterdir()) == []
    assert not runs.ledger_exists(ledger)


def test_missing_source_namespace_fails_naming_the_variable(runs, tmp_path):
    ledger = unique("preflight-fail")
    result = runs.run("00-preflight.yml", ledger, tmp_path, bluegreen_source_namespace="does-not-exist", bluegreen_alb_name="")
    assert result.returncode != 0
    assert "preflight_source_namespace: namespace does-not-exist does not exist" in result.stdout
    finish = [e for e in runs.ledger(ledger)["events"] if e["event"] == "finish"]
    assert [(e["phase"], e["outcome"]) for e in finish] == [("0", "failed")]
    assert "does-not-exist" in finish[0]["details"]["error"]
    assert not list(tmp_path.glob("backup-*"))


@pytest.fixture
def source_with_secret(kube):
    """A scratch source namespace: one Available Deployment copied from api/auth-api, and a Secret."""
    from kubernetes import client

    core, apps = client.CoreV1Api(kube), client.AppsV1Api(kube)
    namespace = unique("preflight-scratch-src")
    core.create_namespace({"metadata": {"name": namespace}})
    try:
        labels = {"app": "scratch-api", "version": "blue"}
        apps.create_namespaced_deployment(namespace, {
            "metadata": {"name": "scratch-api", "labels": labels},
            "spec": {"replicas": 1, "selector": {"matchLabels": labels}, "template": dict(blue_pod_template(), metadata={"labels": labels})}})
        core.create_namespaced_secret(namespace, {"metadata": {"name": "scratch-credentials"}, "stringData": {"password": SECRET_VALUE}})
        wait_for(lambda: (apps.read_namespaced_deployment("scratch-api", namespace).status.available_replicas or 0) >= 1,
                 what="Deployment {0}/scratch-api".format(namespace))
        yield namespace
    finally:
        core.delete_namespace(namespace)


def test_backup_lists_secret_names_and_never_their_data(runs, tmp_path, source_with_secret):
    # -v prints every task result: only no_log keeps the Secret's data out of the run log.
    result = runs.run("00-preflight.yml", unique("preflight-secret"), tmp_path, "-v",
                      bluegreen_source_namespace=source_with_secret, bluegreen_alb_name="")
    assert result.returncode == 0, result.stdout[-3000:]
    backup = next(tmp_path.glob("backup-*.yaml"))
    text = backup.read_text()
    assert "Secret names in {0}: scratch-credentials".format(source_with_secret) in text
    assert [d["metadata"]["name"] for d in documents(backup) if d["kind"] == "Deployment"] == ["scratch-api"]
    encoded = base64.b64encode(SECRET_VALUE.encode()).decode()
    for output in (text, result.stdout, (tmp_path / "deployment.log").read_text()):
        assert SECRET_VALUE not in output
        assert encoded not in output


@pytest.fixture
def read_only_kubeconfig(kube, sandbox_env, tmp_path):
    """A kubeconfig for a ServiceAccount that may read everything and change nothing."""
    from kubernetes import client

    core, rbac = client.CoreV1Api(kube), client.RbacAuthorizationV1Api(kube)
    name = unique("preflight-scratch-reader")
    core.create_namespace({"metadata": {"name": name}})
    try:
        core.create_namespaced_service_account(name, {"metadata": {"name": "reader"}})
        rbac.create_cluster_role({"metadata": {"name": name}, "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list", "watch"]}]})
        rbac.create_cluster_role_binding({
            "metadata": {"name": name},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name},
            "subjects": [{"kind": "ServiceAccount", "name": "reader", "namespace": name}],
        })
        token = core.create_namespaced_service_account_token("reader", name, {"spec": {"expirationSeconds": 3600}}).status.token
        admin = yaml.safe_load(Path(sandbox_env["KUBECONFIG"]).read_text())
        cluster = admin["clusters"][0]
        config = {"apiVersion": "v1", "kind": "Config", "clusters": [cluster],
                  "users": [{"name": "reader", "user": {"token": token}}],
                  "contexts": [{"name": "reader", "context": {"cluster": cluster["name"], "user": "reader"}}],
                  "current-context": "reader"}
        path = tmp_path / "reader.kubeconfig"
        path.write_text(yaml.safe_dump(config))
        yield path
    finally:
        rbac.delete_cluster_role_binding(name)
        rbac.delete_cluster_role(name)
        core.delete_namespace(name)


def test_access_check_lists_every_denied_verb(runs, tmp_path, sandbox_env, read_only_kubeconfig):
    result = runs.run("00-preflight.yml", unique("preflight-denied"), tmp_path, bluegreen_alb_name="",
                      bluegreen_kubeconfig=str(read_only_kubeconfig), ledger_kubeconfig=sandbox_env["KUBECONFIG"])
    assert result.returncode != 0
    message = re.search(r"preflight_access_checks: the kubeconfig identity may not (.+?) \(grant these", " ".join(result.stdout.split()))
    assert message, result.stdout[-3000:]
    denied = set(message.group(1).split("; "))
    expected = {"create namespaces in all namespaces", "delete namespaces in all namespaces"}
    for resource in ("deployments.apps", "services", "ingresses.networking.k8s.io"):
        expected |= {"{0} {1} in all namespaces".format(verb, resource) for verb in ("create", "patch")}
    expected |= {"{0} networkpolicies.networking.k8s.io in all namespaces".format(verb) for verb in ("create", "patch", "delete")}
    expected |= {"{0} configmaps in all namespaces".format(verb) for verb in ("create", "patch", "update")}
    expected |= {"patch applicationsets.argoproj.io in namespace argocd", "patch applications.argoproj.io in namespace argocd"}
    assert denied == expected
    assert not list(tmp_path.glob("backup-*"))


def test_report_reads_the_switch_phase_details(runs, tmp_path):
    """A ledger as phases 0 and 50 write it: the report shows the switch timings, per-domain orders and ALB columns."""
    ledger = unique("preflight-report")
    counts = {"healthy": 2, "unhealthy": 0, "initial": 0, "unused": 0, "unavailable": 0, "draining": 1, "unhealthy_draining": 0}
    gate = {"healthy": True, "served": {"auth": "blue"}, "target_groups": [{"name": "k8s-auth-authapi-1", "all_healthy": True, "counts": counts}]}
    events = [
        {"phase": "0", "name": "preflight", "event": "start", "at": "2026-01-01T00:00:00.000000Z", "epoch": 1767225600.0},
        {"phase": "0", "name": "preflight", "event": "finish", "outcome": "success", "at": "2026-01-01T00:00:30.000000Z", "epoch": 1767225630.0,
         "details": {"alb_before": {"name": "ecoeco-alb", "all_healthy": False, "target_groups": [
             {"name": "k8s-api-authapi-0", "all_healthy": False, "counts": dict(counts, healthy=1, unhealthy=1)}]}}},
        {"phase": "50", "name": "switch traffic", "event": "start", "at": "2026-01-01T01:00:00.000000Z", "epoch": 1767229200.0},
        {"phase": "50", "name": "switch traffic", "event": "start", "at": "2026-01-01T01:05:00.000000Z", "epoch": 1767229500.0},
        {"phase": "50", "name": "switch traffic", "event": "finish", "outcome": "success", "at": "2026-01-01T01:05:02.400000Z", "epoch": 1767229502.4,
         "details": {"previous": {"auth": "20"}, "current": {"auth": "9"},
                     "timings_ms": {"freeze": 120.5, "gate_before": 800.0, "switch": {"verify": 40.1, "patch": 12.2, "converge": 600.3, "total": 652.6},
                                    "gate_after": None},
                     "gates": {"before": gate, "after": dict(gate, served={"auth": "green"})}}},
    ]
    runs.core.create_namespaced_config_map(LEDGER_NAMESPACE, {"metadata": {"name": ledger}, "data": {"events": json.dumps(events), "state": "switched"}})
    runs.ledgers.append(ledger)
    result = runs.run("99_report.yml", ledger, tmp_path, bluegreen_domains=["auth"])
    assert result.returncode == 0, result.stdout[-3000:]
    text = (tmp_path / "report-latest.md").read_text()

    assert "| 0 | preflight | 2026-01-01 00:00:00 | 2026-01-01 00:00:30 | 30.0 | success |" in text
    assert "| 50 | switch traffic | 2026-01-01 01:00:00 | — | — | no finish recorded |" in text  # cut short by a second start
    assert "| 50 | switch traffic | 2026-01-01 01:05:00 | 2026-01-01 01:05:02 | 2.4 | success |" in text
    assert re.search(r"^\| auth \| api \| auth \| .* \| green group\.order 20 → 9 \|$", text, re.M)
    assert "| switch total | 652.6 |" in text
    assert "| freeze | 120.5 |" in text and "| gate_after | — |" in text
    assert "| k8s-api-authapi-0 | 1/2 | — | — |" in text
    assert "| k8s-auth-authapi-1 | — | 2/2 | 2/2 |" in text  # a draining target is not registered
    assert "| all healthy | no | yes | yes |" in text
    assert "| state | `switched` |" in text
