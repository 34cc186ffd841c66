"""A team's infrastructure repository (infra_repo/) runs the migration from the installed collection tarball.

The tarball is installed into a fresh collections path of a copy of infra_repo/ (kubernetes.core and amazon.aws
come from the controller's `ansible` package); the playbooks import ours by FQCN, call roles by FQCN and give the
modules their connection through module_defaults of our action groups. One run on the sandbox from blue: the
namespace phase, then the whole migration, then the confirmation that green serves.
"""

import subprocess

import pytest

from collection_build import VENV_BIN, ansible_free_env
from infra_checkout import infra_env, make_infra_repo

DOMAINS = ["auth", "my", "scan", "character", "location", "info", "chat"]


@pytest.fixture
def infra_repo(tmp_path, collection_tarball):
    """A copy of infra_repo/ as a git checkout with the collection tarball installed under collections/."""
    return make_infra_repo(collection_tarball[0], tmp_path / "infra")


def run(repo, env, *args):
    result = subprocess.run([str(VENV_BIN / args[0]), *args[1:]], cwd=repo, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    return result.stdout


def test_requirements_are_met_by_the_installed_collection(infra_repo):
    env = ansible_free_env()
    listing = run(infra_repo, env, "ansible-galaxy", "collection", "list", "ecoeco.bluegreen")
    assert str(infra_repo / "collections" / "ansible_collections") in listing
    installed = run(infra_repo, env, "ansible-galaxy", "collection", "install", "--offline", "-r", "requirements.yml",
                    "-p", "collections")
    assert "Nothing to do" in installed


def test_migration_from_the_infrastructure_repository(infra_repo, blue_state, kube):
    from kubernetes import client

    env = infra_env(blue_state)
    core = client.CoreV1Api(kube)

    run(infra_repo, env, "ansible-playbook", "playbooks/namespaces.yml")
    labelled = {ns.metadata.name for ns in core.list_namespace(
        label_selector="app.kubernetes.io/part-of=ecoeco-backend").items}
    assert set(DOMAINS + ["data", "monitoring"]) <= labelled

    run(infra_repo, env, "ansible-playbook", "playbooks/migrate.yml", "-e", "blue_removal_confirm=true")
    assert "api" not in {ns.metadata.name for ns in core.list_namespace().items if ns.status.phase == "Active"}
    assert (infra_repo / "results" / "report-latest.md").is_file()

    # Its last task asserts the ALB is healthy and Argo CD holds no freeze record.
    run(infra_repo, env, "ansible-playbook", "playbooks/confirm_green.yml")
