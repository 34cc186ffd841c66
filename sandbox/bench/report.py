"""The benchmark's table on stdout and docs/benchmarks.md."""


def _fmt(value, unit=""):
    if value is None:
        return "never"
    if isinstance(value, float):
        return "{0:.2f}{1}".format(value, unit)
    return "{0}{1}".format(value, unit)


def table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join([" --- "] * len(headers)) + "|"]
    lines += ["| " + " | ".join(_fmt(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def phases(tasks):
    """Rows (phase, wall s, tasks, module-reported cluster s, Ansible and the rest s) from the timing callback."""
    by_play = {}
    for task in tasks:
        by_play.setdefault(task["play"], []).append(task)
    rows = []
    for play, items in by_play.items():
        wall = max(t["start"] + t["seconds"] for t in items) - min(t["start"] for t in items)
        cluster = sum(t["cluster_seconds"] or 0.0 for t in items)
        rows.append((play, round(wall, 1), len(items), round(cluster, 1), round(wall - cluster, 1)))
    return rows


def sections(figures):
    """Markdown sections for whatever scenarios ran."""
    out = []
    if "switch" in figures:
        out.append("## 1. One switch: bluegreen_switch and the alternatives (Service selector, 2 + 2 pods, {0} req/s)\n".format(figures["rate"]))
        out.append(table(["method", "requests", "failed", "blue may go after (s)", "blue still answered after that (s)",
                          "all traffic green after (s)", "module timings (ms)", "p99 latency (ms)"],
                         [(r["method"], r["requests"], r["failed"], r["blue_may_go_s"], r["blue_served_after_may_go_s"], r["all_green_s"],
                           _timings(r["module_ms"]), r["p99_ms"]) for r in figures["switch"]]))
        out.append("\n`blue may go after`: from the start of the switch until the method considers blue removable and scales it "
                   "to 0 (for `bluegreen_switch` this includes starting `ansible`). `all traffic green after`: from the start "
                   "until every later response came from green. `blue still answered after that`: positive means blue was declared 'may go' "
                   "while the front door (kube-proxy) still sent it traffic, so scaling it down then drops requests.\n")
    if "rollback" in figures:
        r = figures["rollback"]
        out.append("## 2. Rollback to 100 % blue (`bluegreen_switch state=blue`, blue kept during the soak)\n")
        out.append(table(["requests", "failed", "100 % blue after (s)", "ansible wall (s)", "module timings (ms)"],
                         [(r["requests"], r["failed"], r["all_blue_s"], r["ansible_wall_s"], _timings(r["module_ms"]))]))
        out.append("")
    if "migrations" in figures:
        out.append("## 3. Whole migration vs a prune-first cutover (seven domains, soak 0)\n")
        rows = [("migrate.yml, {0} domains".format(m["domains"]), "yes" if m["ok"] else "FAILED", m["wall_s"], m["requests"], m["failed"],
                 m["all_green_s"], m["api_requests"], m["api_requests_per_domain"]) for m in figures["migrations"]]
        if "prune" in figures:
            p = figures["prune"]
            rows.append(("prune-first (delete blue, create green)", "-", p["marks"].get("all green"), p["requests"], p["failed"], p["all_green_s"], "-", "-"))
        out.append(table(["run", "succeeded", "wall (s)", "requests", "failed", "all traffic green after (s)", "API requests", "API requests / domain"], rows))
        if "prune" in figures:
            p = figures["prune"]
            out.append("\nPrune-first outage: {0} failed requests over {1} s, {2} of 7 paths down at some point.\n".format(
                p["failed"], p["outage_s"], p["paths_down"]))
        for m in figures["migrations"]:
            out.append("\n### Where the time goes, {0} domains (per phase: Ansible vs the cluster)\n".format(m["domains"]))
            out.append(table(["phase (play)", "wall (s)", "tasks", "module-reported cluster time (s)", "Ansible + unreported (s)"], phases(m["tasks"])))
            out.append("\nAPI requests by verb (see `Sandbox.request_counts` for what is counted): {0}\n".format(
                ", ".join("{0} {1}".format(k, v) for k, v in m["api_by_verb"].items())))
            slow = sorted(m["tasks"], key=lambda t: -t["seconds"])[:8]
            out.append(table(["slowest tasks", "action", "s", "cluster s"], [(t["task"], t["action"], t["seconds"], t["cluster_seconds"]) for t in slow]))
            out.append("")
    if "scale" in figures:
        out.append("## 4. One switch at scale (N Service targets in one call, grace 0)\n")
        out.append(table(["targets", "to", "ansible wall (s)", "module timings (ms)", "API requests", "API requests / target"],
                         [(r["targets"], r["state"], r["ansible_wall_s"], _timings(r["module_ms"]), r["api_requests"], r["api_requests_per_target"])
                          for r in figures["scale"]]))
        out.append("")
    return "\n".join(out)


def _timings(timings):
    if not timings:
        return "-"
    return " / ".join("{0} {1:.0f}".format(k, v) for k, v in timings.items())
