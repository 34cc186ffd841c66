"""Three ways to move a Service from blue to green, each ending with blue scaled down once it "may go".

* ``bluegreen_switch``: the module flips the selector and returns when the data plane follows, plus its
  ``settle_grace`` for kube-proxy; ``settle_grace=0`` shows what returning at the EndpointSlices alone does;
* ``runbook``: the seed's runbook, ``kubectl patch`` the selector, then scale blue down at once;
* ``patch_wait_30s``: the same patch, then Argo Rollouts' fixed 30 s (scaleDownDelaySeconds) before scaling blue down.

Each returns the seconds from its start until it considered that blue may go.
"""

import json
import time

from bench import switch_fixture as fixture

GREEN_SELECTOR = json.dumps({"spec": {"selector": {"version": "green"}}})


def scale_blue_down(sandbox):
    sandbox.kubectl("-n", fixture.NAMESPACE, "scale", "deployment/{0}-blue".format(fixture.SERVICE), "--replicas=0")


def bluegreen_switch(sandbox, load, extra=None):
    started = time.monotonic()
    _seconds, result = sandbox.module("ecoeco.bluegreen.bluegreen_switch", dict({"state": "green", "targets": [fixture.switch_target()]}, **(extra or {})))
    load.mark("blue may go")
    may_go = time.monotonic() - started
    scale_blue_down(sandbox)
    load.mark("blue scaled down")
    return may_go, result.get("timings_ms")


def bluegreen_switch_without_grace(sandbox, load):
    return bluegreen_switch(sandbox, load, {"settle_grace": 0})


def runbook(sandbox, load):
    started = time.monotonic()
    sandbox.kubectl("-n", fixture.NAMESPACE, "patch", "service", fixture.SERVICE, "-p", GREEN_SELECTOR)
    load.mark("blue may go")
    may_go = time.monotonic() - started
    scale_blue_down(sandbox)
    load.mark("blue scaled down")
    return may_go, None


def patch_wait_30s(sandbox, load):
    started = time.monotonic()
    sandbox.kubectl("-n", fixture.NAMESPACE, "patch", "service", fixture.SERVICE, "-p", GREEN_SELECTOR)
    time.sleep(30)
    load.mark("blue may go")
    may_go = time.monotonic() - started
    scale_blue_down(sandbox)
    load.mark("blue scaled down")
    return may_go, None


METHODS = {
    "bluegreen_switch": bluegreen_switch,
    "bluegreen_switch settle_grace=0": bluegreen_switch_without_grace,
    "runbook (patch, scale down)": runbook,
    "patch + 30 s wait (Argo Rollouts)": patch_wait_30s,
}
