"""``python -m bench [--only switch,rollback,migration,prune] [--scales 50,200]`` against the running sandbox."""

import argparse
import json
import os
import platform
import time
from datetime import datetime, timezone

from bench import chart, report, scale, scenarios
from bench.env import Sandbox
from ecoeco_sandbox import blue_state
from ecoeco_sandbox.paths import REPO_ROOT

SCENARIOS = ("switch", "rollback", "migration", "prune", "scale")


def scale_domains(count):
    """The seven EcoEco domains plus generated ones up to ``count``."""
    return list(blue_state.DOMAINS) + ["d{0:03d}".format(i) for i in range(1, count - len(blue_state.DOMAINS) + 1)]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--only", default=",".join(SCENARIOS), help="comma-separated: " + ", ".join(SCENARIOS))
    parser.add_argument("--scales", default="7,50,200", help="target counts of one switch at scale")
    # The switch at scale measures the module's own cost, so the node-proxy grace is left out.
    parser.add_argument("--scale-module-args", default='{"settle_grace": 0}', help="JSON options added to each switch at scale")
    parser.add_argument("--migration-scales", default="", help="domain counts (beyond 7) of whole migrations at scale, e.g. 50")
    parser.add_argument("--reuse", default="",
                        help="comma-separated earlier results/bench-* folders (first wins) whose figures fill in the scenarios not run now")
    parser.add_argument("--collections-path", help="run another build of the collection (e.g. an earlier commit, for a before/after)")
    parser.add_argument("--doc", default=str(REPO_ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args(argv)
    only = set(args.only.split(",")) - {""}
    sandbox = Sandbox()
    if args.collections_path:
        sandbox.env["ANSIBLE_COLLECTIONS_PATH"] = args.collections_path
    out_dir = REPO_ROOT / "results" / ("bench-" + datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ"))
    out_dir.mkdir(parents=True)
    figures, panels = {"rate": scenarios.RATE}, []
    started = time.monotonic()
    if "switch" in only:
        figures["switch"] = scenarios.switch_comparison(sandbox, out_dir)
        panels += [("switch: " + r["method"], r["records"], r["marks"]) for r in figures["switch"]]
    if "rollback" in only:
        figures["rollback"] = scenarios.rollback(sandbox, out_dir)
        panels.append(("rollback: bluegreen_switch state=blue", figures["rollback"]["records"], figures["rollback"]["marks"]))
    idle = scenarios.idle_request_rate(sandbox) if only & {"migration", "scale"} else None
    if "migration" in only:
        figures.setdefault("migrations", []).append(scenarios.migration(sandbox, out_dir, list(blue_state.DOMAINS), "7", idle))
        panels.append(("migrate.yml, 7 domains", figures["migrations"][-1]["records"], figures["migrations"][-1]["marks"]))
    if "prune" in only:
        figures["prune"] = scenarios.prune_first(sandbox, out_dir)
        panels.append(("prune-first cutover, 7 domains", figures["prune"]["records"], figures["prune"]["marks"]))
    if "scale" in only:
        for count in [int(n) for n in args.scales.split(",") if n]:
            figures.setdefault("scale", []).extend(scale.switch_at_scale(sandbox, count, idle, json.loads(args.scale_module_args)))
            print(json.dumps(figures["scale"][-2:]), flush=True)
        for count in [int(n) for n in args.migration_scales.split(",") if n]:
            result = scenarios.migration(sandbox, out_dir, scale_domains(count), str(count), idle)
            figures.setdefault("migrations", []).append(result)
            print(json.dumps({k: v for k, v in result.items() if k not in ("records", "tasks", "marks")}), flush=True)
    for folder in [f for f in args.reuse.split(",") if f]:
        panels += reuse(REPO_ROOT / folder, figures)
    body = report.sections(figures)
    print(body)
    chart_path = REPO_ROOT / "docs" / "benchmarks.svg"
    chart_path.parent.mkdir(exist_ok=True)
    if panels:
        chart.write_svg(chart_path, panels)
    header = ("# Benchmarks\n\nProduced by `make bench` (`bash scripts/bench.sh`; this run: {0}) on {1}, {2}, in {3:.0f} s. "
              "Traffic: the sandbox front door (ALB listener rules in moto -> target group -> NodePort Service -> EndpointSlices, "
              "kube-proxy lag {4} s), {5} requests/s from `ecoeco_sandbox.loadgen`. Raw records: `{6}`{8}. "
              "Load average of the machine (2 cores, shared) at the end: {9}.\n\n"
              "![status, latency and version over time]({7})\n\n").format(
        ", ".join(sorted(only)) or "the report only", datetime.now(timezone.utc).strftime("%Y-%m-%d"), platform.platform(terse=True),
        time.monotonic() - started, sandbox.env.get("ECOECO_SANDBOX_KUBE_PROXY_LAG", "1.0"), scenarios.RATE,
        out_dir.relative_to(REPO_ROOT), chart_path.name,
        "; figures of the other scenarios reused from `{0}`".format("`, `".join(f for f in args.reuse.split(",") if f)) if args.reuse else "",
        " / ".join("{0:.1f}".format(v) for v in os.getloadavg()))
    with open(args.doc, "w", encoding="utf-8") as doc:
        doc.write(header + body + "\n")
    (out_dir / "figures.json").write_text(json.dumps(_without_records(figures), indent=2, default=str))
    return 0


def reuse(folder, figures):
    """Copy into ``figures`` the scenarios of an earlier run that this run did not measure; their chart panels."""
    earlier = json.loads((folder / "figures.json").read_text())
    panels = []

    def records(name):
        return [json.loads(line) for line in (folder / name).read_text().splitlines()]

    for key in ("switch", "rollback", "migrations", "prune", "scale"):
        if key in figures or key not in earlier:
            continue
        figures[key] = earlier[key]
        if key == "switch":
            panels += [("switch: " + r["method"], records("switch-{0}.jsonl".format(r["slug"])), r["marks"]) for r in earlier[key]]
        elif key == "rollback":
            panels.append(("rollback: bluegreen_switch state=blue", records("rollback.jsonl"), earlier[key]["marks"]))
        elif key == "migrations":
            panels += [("migrate.yml, {0} domains".format(m["domains"]), records("migration-{0}.jsonl".format(m["label"])), m["marks"]) for m in earlier[key]]
        elif key == "prune":
            panels.append(("prune-first cutover, 7 domains", records("prune-first.jsonl"), earlier[key]["marks"]))
    return panels


def _without_records(figures):
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("records",)}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    return strip(figures)
