# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-task timing for the benchmarks: one JSON line per task result, in BENCH_TIMING_FILE."""

DOCUMENTATION = r"""
name: bench_timing
type: aggregate
short_description: Per-task wall time and the time modules report spending in the cluster
description:
  - Writes one JSON line per task result (play, task, action, start, seconds, cluster seconds) to the
    file named by the environment variable E(BENCH_TIMING_FILE).
  - Cluster seconds are what the module itself reports, C(duration) in seconds (kubernetes.core waits and
    this collection's modules) or C(timings_ms.total) of bluegreen_switch.
requirements:
  - enable in ansible.cfg or with E(ANSIBLE_CALLBACKS_ENABLED)
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


def cluster_seconds(result):
    timings = result.get("timings_ms")
    if isinstance(timings, dict) and isinstance(timings.get("total"), (int, float)):
        return timings["total"] / 1000.0
    duration = result.get("duration")
    if not isinstance(duration, (int, float)):
        return None
    return float(duration)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timing"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._path = os.environ.get("BENCH_TIMING_FILE")
        self._play = None
        self._started = {}

    def v2_playbook_on_play_start(self, play):
        self._play = play.get_name()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._started[task._uuid] = time.time()

    def _write(self, result, status):
        if not self._path:
            return
        task = result._task
        started = self._started.get(task._uuid, time.time())
        line = {"play": self._play, "task": task.get_name(), "action": task.action, "status": status, "start": started,
                "seconds": round(time.time() - started, 3), "cluster_seconds": cluster_seconds(result._result)}
        with open(self._path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")

    def v2_runner_on_ok(self, result):
        self._write(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._write(result, "skipped")
