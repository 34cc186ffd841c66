"""Three ways to move a Service from blue to green, each ending with blue scaled down once it "may go".

* ``bluegreen_switch``: the module flips the selector and returns when the data plane follows;
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


def bluegreen_switch(sandbox, load):
    started = time.monotonic()
    _seconds, result = sandbox.module("ecoeco.bluegreen.bluegreen_switch", {"state": "green", "targets": [fixture.switch_target()]})
    load.mark("blue may go")
    may_go = time.monotonic() - started
    scale_blue_down(sandbox)
    load.mark("blue scaled down")
    return may_go, result.get("timings_ms")


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


METHODS = {"bluegreen_switch": bluegreen_switch, "runbook (patch, scale down)": runbook, "patch + 30 s wait (Argo Rollouts)": patch_wait_30s}
