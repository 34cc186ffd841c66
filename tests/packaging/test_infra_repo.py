"""A team's infrastructure repository (infra_repo/) runs the migration from the installed collection tarball.

The tarball is installed into a fresh collections path of a copy of infra_repo/ (kubernetes.core and amazon.aws
come from the controller's `ansible` package); the playbooks import ours by FQCN, call roles by FQCN and give the
modules their connection through module_defaults of our action groups. Here: the repository's requirements are met
by what is installed. Its playbooks run on the sandbox in tests/integration/test_two_migrations.py (team shop: the
phases by FQCN, its namespaces.yml and confirm_green.yml), on a migration of its own instead of the seed's.
"""

import subprocess

import pytest

from collection_build import VENV_BIN, ansible_free_env
from infra_checkout import make_infra_repo


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
