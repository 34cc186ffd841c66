"""The bluegreen_journal callback, driven by real ansible-playbook runs of small local playbooks."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
CALLBACK = "ecoeco.bluegreen.bluegreen_journal"

PLAYBOOK = """
- name: Journal sample
  hosts: localhost
  gather_facts: false
  vars:
    ledger_phase: "10"
    ledger_phase_name: namespaces
  tasks:
    - name: Say hello
      ansible.builtin.debug:
        msg: hello
    - name: Wait for something that never comes
      ansible.builtin.command: /bin/false
      register: never
      until: never.rc == 0
      retries: 2
      delay: 0
      changed_when: false
      ignore_errors: true
    - name: Fail with a secret
      ansible.builtin.fail:
        msg: the secret is hunter2-4f9c
      no_log: true
      ignore_errors: true
    - name: Skip this
      ansible.builtin.debug:
        msg: never shown
      when: false
"""
# Its first task only: one event of each kind.
ONE_TASK_PLAYBOOK = PLAYBOOK.split("    - name: Wait", maxsplit=1)[0]


def run_playbook(workdir, env_extra, playbook=PLAYBOOK):
    (workdir / "site.yml").write_text(playbook)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ANSIBLE_", "BLUEGREEN_"))}
    env.update({"ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".build" / "collections"), "ANSIBLE_CONFIG": "",
                "ANSIBLE_PYTHON_INTERPRETER": sys.executable, "ANSIBLE_LOCALHOST_WARNING": "false"})
    env.update(env_extra)
    ansible_playbook = Path(sys.executable).parent / "ansible-playbook"
    result = subprocess.run([str(ansible_playbook), "-i", "localhost,", "-c", "local", "site.yml"],
                            cwd=workdir, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def journal(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def enabled():
    return {"ANSIBLE_CALLBACKS_ENABLED": CALLBACK}


def test_every_event_of_a_run_is_a_json_line(tmp_path, enabled):
    path = tmp_path / "out" / "journal.jsonl"
    run_playbook(tmp_path, dict(enabled, BLUEGREEN_JOURNAL_PATH=str(path)))
    events = journal(path)
    assert [event["event"] for event in events] == [
        "playbook_start", "play_start",
        "task_start", "ok",
        "task_start", "retry", "retry", "failed",
        "task_start", "failed",
        "task_start", "skipped",
        "stats",
    ]
    assert events[0]["playbook"] == str(tmp_path / "site.yml")
    assert (events[1]["play"], events[1]["phase"], events[1]["phase_name"]) == ("Journal sample", "10", "namespaces")
    assert events[3]["task"] == "Say hello" and events[3]["host"] == "localhost" and events[3]["changed"] is False
    assert events[3]["duration"] >= 0
    # retries: 2 is three attempts; as in the default callback's "(N retries left)", counted by the attempt to come.
    assert [(event["attempts"], event["retries_left"]) for event in events[5:7]] == [(2, 1), (3, 0)]
    assert events[7]["ignored"] is True and events[7]["action"] == "ansible.builtin.command"
    assert events[9]["msg"] == "(censored: no_log)" and "hunter2-4f9c" not in path.read_text()
    assert {key: events[12]["hosts"]["localhost"][key] for key in ("ok", "ignored", "skipped")} == {"ok": 3, "ignored": 2, "skipped": 1}


def test_path_from_the_ini_file_and_runs_append(tmp_path):
    (tmp_path / "ansible.cfg").write_text("[defaults]\ncallbacks_enabled = {0}\n\n"
                                          "[callback_bluegreen_journal]\npath = logs/run.jsonl\n".format(CALLBACK))
    for _run in range(2):
        run_playbook(tmp_path, {"ANSIBLE_CONFIG": str(tmp_path / "ansible.cfg")}, ONE_TASK_PLAYBOOK)
    events = [event["event"] for event in journal(tmp_path / "logs" / "run.jsonl")]
    assert events == ["playbook_start", "play_start", "task_start", "ok", "stats"] * 2


def test_not_enabled_by_default(tmp_path):
    run_playbook(tmp_path, {}, ONE_TASK_PLAYBOOK)
    assert not (tmp_path / "bluegreen-journal.jsonl").exists()
