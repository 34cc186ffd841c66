"""The benchmark scenarios. Each returns a dict of figures and keeps its raw records for the chart."""

import json
import re
import time
from pathlib import Path

from kubernetes.client import CoreV1Api

from bench import probe, switch_fixture as fixture, timeline
from bench.switch_methods import METHODS
from bench.traffic import Traffic
from ecoeco_sandbox import blue_state
from ecoeco_sandbox.argocd import objects as argocd
from ecoeco_sandbox.argocd import repository
from ecoeco_sandbox.paths import REPO_ROOT

RATE = 50.0  # requests per second through the front door


def write_records(path, records):
    with open(path, "w", encoding="utf-8") as out:
        out.writelines(json.dumps(record) + "\n" for record in records)


def switch_comparison(sandbox, out_dir):
    """The three switch methods, one after the other, under the same load."""
    results = []
    for name, method in METHODS.items():
        fixture.reset(sandbox, "blue")
        probe.wait_until_serving(sandbox.frontdoor_url, [fixture.PATH], "blue")
        with Traffic(sandbox.frontdoor_url, [fixture.PATH], RATE, max_seconds=90) as load:
            switch_at = load.mark("switch")
            may_go, timings = method(sandbox, load)
        slug = re.sub(r"[^a-z0-9]+", "-", name.split(" (", maxsplit=1)[0].lower()).strip("-")
        write_records(out_dir / "switch-{0}.jsonl".format(slug), load.records)
        results.append({
            "method": name, "slug": slug, "requests": len(load.records), "failed": len(timeline.failures(load.records)),
            "blue_may_go_s": round(may_go, 2), "all_green_s": timeline.settled_after(load.records, "green", switch_at),
            "blue_served_after_may_go_s": timeline.served_after(load.records, "blue", load.marks["blue may go"]),
            "module_ms": timings, "p99_ms": timeline.latency_p99(load.records), "marks": load.marks, "records": load.records,
        })
    return results


def rollback(sandbox, out_dir):
    """Green serving with blue kept (the soak): ``bluegreen_switch state=blue`` under load."""
    fixture.reset(sandbox, "green")
    probe.wait_until_serving(sandbox.frontdoor_url, [fixture.PATH], "green")
    with Traffic(sandbox.frontdoor_url, [fixture.PATH], RATE, max_seconds=60) as load:
        started = load.mark("rollback")
        wall, result = sandbox.module("ecoeco.bluegreen.bluegreen_switch", {"state": "blue", "targets": [fixture.switch_target()]})
        load.mark("module returned")
    write_records(out_dir / "rollback.jsonl", load.records)
    return {"requests": len(load.records), "failed": len(timeline.failures(load.records)), "ansible_wall_s": round(wall, 2),
            "module_ms": result.get("timings_ms"), "all_blue_s": timeline.settled_after(load.records, "blue", started),
            "marks": load.marks, "records": load.records}


def domain_paths(domains):
    return ["/api/v1/{0}/whoami".format(domain) for domain in domains]


def reset_to_blue(sandbox, domains):
    sandbox.run(["sandbox/sandboxctl", "reset-to-blue"])
    seed_extra_domains(sandbox, domains)
    probe.wait_until_serving(sandbox.frontdoor_url, domain_paths(domains), "blue", timeout=900)


def seed_extra_domains(sandbox, domains):
    """The generated domains beyond the seven (scale runs), deployed as the seven are: their blue layout committed
    to the sandbox's Git repository and one more element each in the ApplicationSet; Argo CD does the rest."""
    if not [d for d in domains if d not in blue_state.DOMAINS]:
        return
    folder = sandbox.paths.gitops_repository
    repository.commit_layout(folder, repository.blue_files(domains), "Blue: {0} services in namespace api".format(len(domains)))
    sandbox.apply(argocd.application_set(repository.url(folder), domains))


def inventory_for(domains, directory):
    """A copy of the sandbox inventory with ``bluegreen_domains`` replaced, and paths that pointed next to it fixed."""
    source = REPO_ROOT / "inventories" / "sandbox"
    group_vars = Path(directory) / "group_vars" / "all"
    group_vars.mkdir(parents=True, exist_ok=True)
    for item in (source / "group_vars" / "all").iterdir():
        (group_vars / item.name).write_text(item.read_text())
    settings = {"bluegreen_domains": domains, "bluegreen_manifests_repo_path": str(REPO_ROOT)}
    if len(domains) > len(blue_state.DOMAINS):
        # kwok makes a few hundred pods Ready at the pace of the shared machine, not in the inventory's 120 s.
        settings.update(bluegreen_green_deploy_timeout=max(120, 5 * len(domains)), bluegreen_health_timeout=max(60, 3 * len(domains)))
    (group_vars / "zz_bench.yml").write_text("---\n" + "".join("{0}: {1}\n".format(k, json.dumps(v)) for k, v in settings.items()))
    (Path(directory) / "hosts.yml").write_text((source / "hosts.yml").read_text())
    return Path(directory)


def api_requests(before, after):
    delta = {key: after.get(key, 0) - before.get(key, 0) for key in after}
    return {key: value for key, value in delta.items() if value > 0}


def migration(sandbox, out_dir, domains, label, idle_rate=None):
    """The whole migration (soak 0, blue removal confirmed) under load on every domain's path."""
    reset_to_blue(sandbox, domains)
    inventory = inventory_for(domains, out_dir / "inventory-{0}".format(label))
    timing_file = out_dir / "tasks-{0}.jsonl".format(label)
    timing_file.unlink(missing_ok=True)
    results_dir = out_dir / "results-{0}".format(label)
    results_dir.mkdir(exist_ok=True)
    paths = domain_paths(domains)
    before = sandbox.request_counts()
    with Traffic(sandbox.frontdoor_url, paths, RATE, max_seconds=1800, tail=3) as load:
        started = load.mark("migrate.yml start")
        wall, done = sandbox.playbook("playbooks/migrate.yml", timing_file, ["blue_removal_confirm=true", "bluegreen_results_dir={0}".format(results_dir)],
                                      inventory=inventory, check=False)
        load.mark("migrate.yml end")
    after = sandbox.request_counts()
    (out_dir / "migrate-{0}.log".format(label)).write_text(done.stdout)
    write_records(out_dir / "migration-{0}.jsonl".format(label), load.records)
    tasks = [json.loads(line) for line in timing_file.read_text().splitlines()] if timing_file.exists() else []
    requests = api_requests(before, after)
    background = {key: value * wall for key, value in (idle_rate or {}).items()}
    net = {key: max(0.0, value - background.get(key, 0.0)) for key, value in requests.items()}
    return {"label": label, "domains": len(domains), "ok": done.returncode == 0, "wall_s": round(wall, 1),
            "requests": len(load.records), "failed": len(timeline.failures(load.records)),
            "all_green_s": timeline.settled_per_path(load.records, "green", started),
            "api_requests": round(sum(net.values())), "api_requests_per_domain": round(sum(net.values()) / len(domains), 1),
            "api_by_verb": _by_verb(net), "tasks": tasks, "marks": load.marks, "records": load.records}


def _by_verb(counts):
    verbs = {}
    for (verb, _resource), value in counts.items():
        verbs[verb] = verbs.get(verb, 0) + value
    return {verb: round(value) for verb, value in sorted(verbs.items())}


def idle_request_rate(sandbox, seconds=10.0):
    """API requests per second per (verb, resource) with nothing running: the sandbox's own controllers."""
    before = sandbox.request_counts()
    time.sleep(seconds)
    return {key: value / seconds for key, value in api_requests(before, sandbox.request_counts()).items()}


def prune_first(sandbox, out_dir):
    """Argo CD prune-first style cutover: delete blue in namespace api, then create green per domain."""
    domains = list(blue_state.DOMAINS)
    reset_to_blue(sandbox, domains)
    core = CoreV1Api(sandbox.api)
    with Traffic(sandbox.frontdoor_url, domain_paths(domains), RATE, max_seconds=300, tail=3) as load:
        started = load.mark("delete blue")
        names = [d + "-api" for d in domains]
        for kind in ("ingress", "service", "deployment"):
            sandbox.kubectl("-n", blue_state.SOURCE_NAMESPACE, "delete", kind, *names, "--wait=false")
        load.mark("create green")
        for domain in domains:
            if core.list_namespace(field_selector="metadata.name=" + domain).items == []:
                sandbox.apply(blue_state.namespace(domain))
            for obj in (blue_state.deployment(domain, domain, version="green"), blue_state.service(domain, domain, version="green"),
                        blue_state.ingress(domain, blue_state.BLUE_GROUP_ORDER, domain)):
                sandbox.apply(obj)
        probe.wait_until_serving(sandbox.frontdoor_url, domain_paths(domains), "green", steady=1.0, timeout=240)
        load.mark("all green")
    write_records(out_dir / "prune-first.jsonl", load.records)
    failed, outage_s, paths_down = timeline.outage(load.records)
    return {"requests": len(load.records), "failed": failed, "outage_s": outage_s, "paths_down": paths_down,
            "all_green_s": timeline.settled_per_path(load.records, "green", started), "marks": load.marks, "records": load.records}
