"""Two teams' migrations on one sandbox, interleaved phase by phase, under load through the front door (issue 15).

Team shop follows docs/rehearse-your-own-migration.md as written: its inventory is the guide's (section 2) over the
sample repository's, in an infrastructure repository with the collection installed from its tarball, and the phases
run by FQCN from there (phase 10 through the repository's own playbook), then the repository's confirm_green.yml.
Team legacy runs from this checkout with knobs of its own: Service port 80 to container port 8080, colours told
apart by the label ``track``, a Host rule on its ALB, a migration name of its own. Neither is
EcoEco's: namespace ``api``, ``ecoeco-alb`` and the seed ApplicationSet are never touched (the scratch stream).

Phases 00 to 60 alternate shop, legacy; each ALB's routes get steady loopback load on the ALB's own front door
address all along. Both migrations must finish, each ledger, report and deployment log must speak of its own
migration only, and no request may fail on either ALB, green serving at the end.
"""

import asyncio
import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from bench.traffic import Traffic
from playbook_runs import read_ledger, run_playbook
from scratch_blue import (CLONED_GREEN, application_set_deletions, create_application_set, create_objects, delete_all, ingress_annotations,
                          pod_template, workload)
from switch_scratch import assert_ok
from waiting import wait_for

from ecoeco_sandbox.frontdoor import alb_url
from ecoeco_sandbox.loadgen import generate, summarize

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "packaging"))
from collection_build import VENV_BIN, build_littered_checkout  # noqa: E402  (tests/packaging, put on the path above)
from infra_checkout import infra_env, make_infra_repo  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
# Team shop's infrastructure repository runs these phases through playbooks of its own (tests/packaging/infra_repo).
SHOP_PLAYBOOKS = {"10_namespaces": "playbooks/namespaces.yml", "confirm_green": "playbooks/confirm_green.yml"}
GUIDE = ROOT / "docs" / "rehearse-your-own-migration.md"
PHASES = ["00_preflight", "10_namespaces", "20_network_policies", "30_green_deploy", "40_smoke_test", "50_switch_traffic",
          "60_blue_removal"]
RATE = 8.0  # requests per second on each ALB
MAX_LOAD_SECONDS = 1800  # a bound only: the load stops once phase 60 of both teams is done (about 10-20 min)


@dataclass
class Team:
    """One team's migration: where blue runs, its domains, its ALB and Argo CD objects, how its workloads look."""

    source: str
    domains: list
    suffix: str
    alb: str
    group: str
    applicationset: str
    migration: str
    colour_label: str
    paths: dict  # domain -> request path through the ALB
    service_port: int = 8000
    container_port: int = 8000
    host: str | None = None
    image: str | None = None  # with {domain}
    records: list = field(default_factory=list)

    @property
    def ledger(self):
        return "bluegreen-ledger-" + self.migration

    def names(self):
        """What only this migration may be spoken of by: its namespaces, workloads, ALB, ApplicationSet and migration
        name. Not a domain that is also the collection's own word: every report speaks of its ledger, and the guide's
        team has a domain ``ledger`` (its workload ``ledger-svc`` stands for it)."""
        return [name for name in [self.source, *self.domains, *(d + self.suffix for d in self.domains), self.alb, self.applicationset,
                                  self.migration] if name not in PRODUCT_WORDS]

    def blue_objects(self):
        objects = []
        for domain in self.domains:
            name = domain + self.suffix
            labels = {"app": name, self.colour_label: "blue"}
            objects += workload(self.source, name, labels, pod_template(labels, self.container_port, self.image and self.image.format(domain=domain)),
                                ingress_annotations(self.group, self.alb, 10), self.paths[domain], service_port=self.service_port,
                                target_port=self.container_port, host=self.host, application=self.applicationset + "-" + domain)
        return objects


SHOP = Team(source="shop", domains=["payments", "ledger"], suffix="-svc", alb="shop-alb", group="shop", applicationset="shop-services",
            migration="shop-shop-alb", colour_label="version", paths={"payments": "/api/v1/payments/ping", "ledger": "/api/v1/ledger/entries"},
            image="shop/{domain}:1.0")
LEGACY = Team(source="legacy", domains=["catalog", "invoices"], suffix="-web", alb="legacy-alb", group="legacy",
              applicationset="legacy-services", migration="legacy-web", colour_label="track",
              paths={"catalog": "/catalog/items", "invoices": "/invoices/open"}, service_port=80, container_port=8080,
              host="legacy.example.com")
PRODUCT_WORDS = {"ledger"}
ECOECO_NAMES = ["ecoeco-alb", "api-ecoeco-alb", "ecoeco-api-services-kustomize"]


def guide_inventory():
    """The inventory of section 2 of the guide, as written there."""
    block = re.search(r"```yaml\n# inventories/rehearsal/group_vars/all.yml\n(.*?)```", GUIDE.read_text(), re.S)
    return yaml.safe_load(block.group(1))


def legacy_vars(results_dir):
    return {
        "bluegreen_source_namespace": LEGACY.source,
        "bluegreen_domains": LEGACY.domains,
        "bluegreen_waves": [LEGACY.domains],
        "bluegreen_workload_name_suffix": LEGACY.suffix,
        "bluegreen_shared_namespaces": [],
        "bluegreen_namespace_labels": {"app.kubernetes.io/part-of": "legacy-backend"},
        "bluegreen_alb_name": LEGACY.alb,
        "bluegreen_migration_name": LEGACY.migration,
        "bluegreen_argocd_applicationset": LEGACY.applicationset,
        "bluegreen_green_labels": {LEGACY.colour_label: "green"},
        "bluegreen_network_policy_ports": [LEGACY.container_port],
        "bluegreen_network_policy_egress_namespaces": [],
        "bluegreen_smoke_test_checks": [{"domain": domain, "path": path, "status": 200, "json_contains": {"namespace": domain}}
                                        for domain, path in LEGACY.paths.items()],
        "bluegreen_results_dir": str(results_dir),
        **CLONED_GREEN,
    }


def delete_teams(kube):
    """Everything the two teams have: namespaces (with their workloads and network policies), Argo CD objects, ledgers."""
    from kubernetes import client

    core, custom = client.CoreV1Api(kube), client.CustomObjectsApi(kube)
    calls = []
    for team in (SHOP, LEGACY):
        calls += application_set_deletions(custom, team.applicationset, [team.applicationset + "-" + d for d in team.domains])
        calls.append((core.delete_namespaced_config_map, (team.ledger, "ecoeco-bluegreen")))
        calls += [(core.delete_namespace, (namespace,)) for namespace in [team.source, *team.domains]]
    delete_all(calls)
    ours = {namespace for team in (SHOP, LEGACY) for namespace in [team.source, *team.domains]}
    wait_for(lambda: not ours & {ns.metadata.name for ns in core.list_namespace().items}, timeout=180, what="the teams' namespaces to go")


@pytest.fixture
def two_teams(kube, sandbox_env):
    """Both teams' blue states serving through their ALBs; everything removed afterwards (also before: a run that was
    killed leaves them)."""
    from kubernetes import client, dynamic

    delete_teams(kube)
    core, custom, dyn = client.CoreV1Api(kube), client.CustomObjectsApi(kube), dynamic.DynamicClient(kube)
    try:
        for team, part_of in ((SHOP, "shop-backend"), (LEGACY, "legacy-backend")):
            core.create_namespace({"metadata": {"name": team.source, "labels": {"app.kubernetes.io/part-of": part_of}}})
            create_objects(dyn, team.blue_objects())
            create_application_set(custom, team.applicationset, team.domains, {"app.kubernetes.io/part-of": part_of},
                                   application_prefix=team.applicationset + "-")
        book = Path(sandbox_env["BLUEGREEN_FRONTDOOR_ALBS"])
        for team in (SHOP, LEGACY):
            url = alb_url(team.alb, book, wait_seconds=120)
            wait_for(lambda: serves_from(url, team, {team.source}), timeout=120, what="blue of {0} through {1}".format(team.source, url))
        yield book
    finally:
        delete_teams(kube)


def serves_from(url, team, namespaces):
    records = asyncio.run(generate(url, list(team.paths.values()), count=4, rate=40.0, max_seconds=1.0, host_header=team.host))
    return all(record["status"] == 200 and record["namespace"] in namespaces for record in records)


def mentions(text, names):
    """The names (whole, not as part of a longer name) that ``text`` mentions."""
    return sorted(name for name in names if re.search(r"(?<![\w-]){0}(?![\w-])".format(re.escape(name)), text))


def test_two_teams_migrate_side_by_side_under_load(two_teams, kube, sandbox_env, tmp_path):
    started = time.monotonic()
    tarball, _members = build_littered_checkout(tmp_path / "checkout", tmp_path / "dist")
    repo = make_infra_repo(tarball, tmp_path / "shop-infra")
    inventory = repo / "inventories" / "rehearsal" / "group_vars" / "all.yml"
    inventory.write_text(yaml.safe_dump(dict(yaml.safe_load(inventory.read_text()), **guide_inventory()), sort_keys=False))
    shop_env, legacy_vars_file = infra_env(sandbox_env), tmp_path / "legacy-vars.json"
    legacy_vars_file.write_text(json.dumps(legacy_vars(tmp_path / "legacy-results")))
    results = {SHOP.migration: repo / "results", LEGACY.migration: tmp_path / "legacy-results"}

    def run_shop(phase, *extra):
        # The repository's own playbooks where it has one (phase 10 through its namespaces.yml), else the collection's.
        playbook = SHOP_PLAYBOOKS.get(phase, "ecoeco.bluegreen." + phase)
        return subprocess.run([str(VENV_BIN / "ansible-playbook"), playbook, *extra], cwd=repo, env=shop_env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False, timeout=600)

    def run_legacy(phase, *extra):
        return run_playbook(sandbox_env, phase + ".yml", "-e", "@" + str(legacy_vars_file), *extra)

    loads = {team.alb: Traffic(alb_url(team.alb, two_teams), list(team.paths.values()), RATE, MAX_LOAD_SECONDS, lead=1.0, tail=3.0,
                               host_header=team.host) for team in (SHOP, LEGACY)}
    timings = []
    for load in loads.values():
        load.__enter__()
    try:
        for phase in PHASES:
            extra = ["-e", "blue_removal_confirm=true"] if phase == "60_blue_removal" else []
            for team, run in ((SHOP, run_shop), (LEGACY, run_legacy)):
                began = time.monotonic()
                assert_ok(run(phase, *extra))
                timings.append((team.migration, phase, round(time.monotonic() - began, 1)))
                loads[team.alb].mark(phase)
    finally:
        for load in loads.values():
            load.__exit__(None, None, None)
    assert_ok(run_shop("99_report"))
    assert_ok(run_legacy("99_report"))
    # The repository's check that green serves: the modules take their connection from module_defaults through the
    # collection's action groups; its last task asserts the ALB healthy and Argo CD holding no freeze record.
    assert_ok(run_shop("confirm_green"))

    for team, other in ((SHOP, LEGACY), (LEGACY, SHOP)):
        ledger = read_ledger(kube, team.ledger)
        assert ledger["state"] == "blue-removed", ledger
        report = (results[team.migration] / "report-latest.md").read_text()
        log = (results[team.migration] / "deployment.log").read_text()
        for what, text in (("ledger", json.dumps(ledger)), ("report", report)):
            assert mentions(text, [team.migration, team.alb]) == sorted([team.migration, team.alb]), (what, text[-3000:])
        for what, text in (("ledger", json.dumps(ledger)), ("report", report), ("deployment.log", log)):
            assert mentions(text, other.names() + ECOECO_NAMES) == [], (what, text[-3000:])
        assert all(mentions(line, [team.migration]) for line in log.splitlines() if line.strip()), log

        records = loads[team.alb].records
        summary = summarize(records)
        assert summary["requests"] > 0 and summary["failed"] == 0, summary
        assert {record["namespace"] for record in records} <= {team.source, *team.domains}, summary  # only its own ALB answered
        assert {record["namespace"] for record in records if record["t"] < loads[team.alb].marks["00_preflight"]} == {team.source}
        green_of = {path: domain for domain, path in team.paths.items()}
        served_after = [record for record in records if record["t"] > loads[team.alb].marks["60_blue_removal"]]
        assert served_after and all(record["namespace"] == green_of[record["path"]] for record in served_after), served_after[:5]
        print("{0}: {1} requests, {2} failed, by status {3}; p99 {4} ms".format(
            team.alb, summary["requests"], summary["failed"], summary["by_status"], summary["latency_ms"]["p99"]))
    print("phase runs (s): {0}".format(timings))
    print("two migrations under load: {0:.0f} s".format(time.monotonic() - started))
