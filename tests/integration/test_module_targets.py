"""Runs each module's integration target (tests/integration/targets/<module>/tasks/main.yml) with
ansible-playbook against the real sandbox: check mode, apply, idempotent re-run, bad inputs, cleanup."""

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TARGETS = sorted(p.name for p in (ROOT / "tests" / "integration" / "targets").iterdir() if (p / "tasks" / "main.yml").exists())


@pytest.mark.parametrize("target", TARGETS)
def test_integration_target(target, sandbox_env, tmp_path):
    playbook = tmp_path / "run.yml"
    playbook.write_text(
        "- name: Integration target {0}\n"
        "  hosts: localhost\n"
        "  gather_facts: false\n"
        "  tasks:\n"
        "    - name: Run the target\n"
        "      ansible.builtin.include_tasks: {1}\n".format(target, ROOT / "tests" / "integration" / "targets" / target / "tasks" / "main.yml"))
    result = subprocess.run(
        ["ansible-playbook", "-i", "localhost,", "-c", "local", "-e", "ansible_python_interpreter=" + str(ROOT / ".venv" / "bin" / "python"),
         str(playbook)],
        cwd=ROOT, env=sandbox_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False, timeout=600)
    recap = result.stdout[result.stdout.rfind("PLAY RECAP"):]
    assert result.returncode == 0, result.stdout[-6000:]
    assert "failed=0" in recap
