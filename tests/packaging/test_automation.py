"""CI for users: the GitHub Actions workflow runs what .ci/run runs, and the pre-commit hooks run real tools."""

import re
import shlex
import subprocess

import yaml

from collection_build import ROOT, checkout_files


def test_workflow_runs_the_ci_entry_point_within_the_ci_budget():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    for name, job in workflow["jobs"].items():
        assert job["timeout-minutes"] <= 90, name
        assert [step["run"] for step in job["steps"] if "run" in step] == ["bash .ci/run"], name
        setup = {step["uses"].split("@")[0]: step.get("with", {}) for step in job["steps"] if "uses" in step}
        assert tuple(map(int, setup["actions/setup-python"]["python-version"].split("."))) >= (3, 12)
        assert tuple(map(int, setup["actions/setup-go"]["go-version"].split("."))) >= (1, 26)


def hooks():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    return [hook for repo in config["repos"] for hook in repo["hooks"]]


def command(hook):
    words = shlex.split(hook["entry"])
    if words[0] == "env":
        words = words[1:]
        while "=" in words[0]:
            words = words[1:]
    return words


def test_every_hook_runs_a_tool_of_the_checkout_on_files_that_exist():
    files = checkout_files()
    for hook in hooks():
        program = command(hook)[0]
        assert program == "bash" or (ROOT / program).exists(), hook["id"]
        if "files" in hook:
            assert any(re.search(hook["files"], name) for name in files), hook["id"]


def test_yamllint_hook_passes():
    (hook,) = [hook for hook in hooks() if hook["id"] == "yamllint"]
    files = [name for name in checkout_files() if re.search(hook["files"], name)]
    result = subprocess.run(command(hook) + files, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout
