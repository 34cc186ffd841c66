# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""bluegreen_switch from parameters to result: parse, verify all, flip in order, wait, or roll back;
after a settled flip, wait the grace for the node-level data plane before returning.

Check mode sends the same patches as a server-side dry run and skips the wait.
"""

import time
from contextlib import contextmanager

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import BlueGreenError, WaitTimeout
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.converge import unsettled_reasons, wait_until_settled
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.flip import apply_flips, rollback_failed, rollback_summary, undo_flips
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.objects import value_at
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.patches import nested
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.reads import SharedReads, shared_namespaces
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.targets import parse_settings, parse_targets
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.verify import verify_targets
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.timing import elapsed_ms

PHASES = ("verify", "patch", "converge", "grace")


class Stopwatch:
    """Milliseconds per phase and in total; a failure still reports the phases it went through."""

    def __init__(self):
        self.started = time.monotonic()
        self.timings_ms = dict.fromkeys(PHASES + ("total",), 0.0)

    @contextmanager
    def phase(self, name):
        started = time.monotonic()
        try:
            yield
        finally:
            self.timings_ms[name] = elapsed_ms(started)
            self.timings_ms["total"] = elapsed_ms(self.started)


def run_switch(cluster, params, check_mode=False, diff=False, sleep=time.sleep, clock=time.monotonic):
    """The module result for ``params``; raises a BlueGreenError whose details hold the per-target story."""
    stopwatch = Stopwatch()
    try:
        with stopwatch.phase("verify"):
            settings = parse_settings(params)
            targets = parse_targets(params.get("targets"))
            plans = verify_targets(SharedReads(cluster, shared_namespaces(_read_namespaces(targets))), targets, settings)
        flips = [plan for plan in plans if not plan.noop]
        with stopwatch.phase("patch"):
            patched = apply_flips(cluster, flips, dry_run=check_mode)
        if flips and not check_mode:
            with stopwatch.phase("converge"):
                _settle_or_roll_back(cluster, flips, settings, sleep, clock)
            # The API shows the new endpoints before every node's proxy (kube-proxy, the ALB) has applied them.
            with stopwatch.phase("grace"):
                sleep(settings.settle_grace)
    except BlueGreenError as error:
        error.details["timings_ms"] = stopwatch.timings_ms
        raise

    current = {plan.target.label: value_at(answer, plan.change.path) for plan, answer in zip(flips, patched)}
    result = {
        "changed": bool(flips),
        "state": settings.state,
        "targets": [_target_result(plan, current.get(plan.target.label, plan.change.after)) for plan in plans],
        "timings_ms": stopwatch.timings_ms,
    }
    if diff:
        result["diff"] = [_diff(plan, current[plan.target.label]) for plan in flips]
    return result


def _read_namespaces(targets):
    """Namespaces verification lists objects in, once per target that reads there."""
    for target in targets:
        if target.kind == "service":
            yield target.ref.namespace
        else:
            yield target.blue.namespace
            yield target.green.namespace


def _settle_or_roll_back(cluster, flips, settings, sleep, clock):
    settled, observations = wait_until_settled(cluster, flips, settings.converge_timeout, settings.converge_interval, sleep, clock)
    if settled:
        return
    outcomes = undo_flips(cluster, flips)
    for outcome in outcomes:
        outcome["converge"] = observations[outcome["target"]]
    waiting_on = []
    for plan in flips:
        reasons = unsettled_reasons(plan, observations[plan.target.label], settings.state)
        if reasons:
            waiting_on.append("{0}: {1}".format(plan.describe(), "; ".join(reasons)))
    raise WaitTimeout(
        "Traffic did not settle on {0} within {1:g} s (converge_timeout), so the switch was undone. {2} Still unsettled: {3}".format(
            settings.state, settings.converge_timeout, rollback_summary(outcomes), " | ".join(waiting_on)),
        targets=outcomes,
        changed=rollback_failed(outcomes),
    )


def _target_result(plan, current):
    return {
        "kind": plan.target.kind,
        "namespace": plan.ref.namespace,
        "name": plan.ref.name,
        "previous": plan.change.before,
        "current": current,
        "changed": not plan.noop,
        "verify": plan.verify,
    }


def _diff(plan, current):
    header = "{0} {1}".format(plan.api_kind, plan.ref)
    return {
        "before_header": header,
        "after_header": header,
        "before": nested(plan.change.path, plan.change.before),
        "after": nested(plan.change.path, current),
    }
