# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: bluegreen_journal
type: notification
short_description: Write the run journal as JSON lines
description:
  - Appends one JSON object per line to a file for each event of a run - playbook and play start (with the
    migration phase a play records in the ledger), task start, each host's task outcome with its duration,
    each retry of a task that waits (C(until)/C(retries)) with the retries left, and the final stats.
  - A CI job or an automation platform can keep the file as the machine-readable record of a migration, next
    to the ledger ConfigMap and C(deployment.log).
  - Results of tasks with C(no_log) never reach the journal; for the others only the outcome, C(changed) and,
    on failure, C(msg) are written.
  - Not enabled by default - add it to C(callbacks_enabled) (C(ANSIBLE_CALLBACKS_ENABLED)).
version_added: 0.1.0
requirements:
  - enabled in C(callbacks_enabled) as C(ecoeco.bluegreen.bluegreen_journal)
options:
  path:
    description: File the journal is appended to; its folder is created if needed.
    type: path
    default: bluegreen-journal.jsonl
    env:
      - name: BLUEGREEN_JOURNAL_PATH
    ini:
      - section: callback_bluegreen_journal
        key: path
"""

import json
import os
import time
from datetime import datetime, timezone

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    """Run journal as JSON lines."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "ecoeco.bluegreen.bluegreen_journal"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super().__init__(display=display)
        self._journal = None
        self._task_started = {}

    def set_options(self, task_keys=None, var_options=None, direct=None):
        super().set_options(task_keys=task_keys, var_options=var_options, direct=direct)
        if self._journal is not None:
            self._journal.close()
        path = self.get_option("path")
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        self._journal = open(path, "a", encoding="utf-8")  # pylint: disable=consider-using-with  # open for the run

    def _write(self, event, **fields):
        record = {"time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"), "event": event}
        record.update(fields)
        self._journal.write(json.dumps(record, default=str, sort_keys=True) + "\n")
        self._journal.flush()

    @staticmethod
    def _task_fields(task):
        return {"task": task.get_name().strip(), "action": task.action}

    def _outcome(self, outcome, result, **fields):
        task = result._task
        started = self._task_started.get(task._uuid)
        record = dict(self._task_fields(task), host=result._host.get_name(), **fields)
        if started is not None:
            record["duration"] = round(time.monotonic() - started, 3)
        if outcome in ("ok", "failed"):
            record["changed"] = bool(result._result.get("changed", False))
        if outcome in ("failed", "unreachable"):
            record["msg"] = "(censored: no_log)" if result._result.get("_ansible_no_log") else result._result.get("msg", "")
        self._write(outcome, **record)

    def v2_playbook_on_start(self, playbook):
        self._write("playbook_start", playbook=os.path.abspath(playbook._file_name))

    def v2_playbook_on_play_start(self, play):
        play_vars = play.get_vars()
        self._write("play_start", play=play.get_name().strip(), hosts=play.hosts,
                    phase=play_vars.get("ledger_phase"), phase_name=play_vars.get("ledger_phase_name"))

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._task_started[task._uuid] = time.monotonic()
        self._write("task_start", **self._task_fields(task))

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def v2_runner_retry(self, result):
        retries = result._result.get("retries", 0)
        attempts = result._result.get("attempts", 0)
        self._outcome("retry", result, attempts=attempts, retries_left=max(retries - attempts, 0))

    def v2_runner_on_ok(self, result):
        self._outcome("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._outcome("failed", result, ignored=ignore_errors)

    def v2_runner_on_skipped(self, result):
        self._outcome("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._outcome("unreachable", result)

    def v2_playbook_on_stats(self, stats):
        hosts = {host: stats.summarize(host) for host in sorted(stats.processed)}
        self._write("stats", hosts=hosts)
        self._journal.close()
