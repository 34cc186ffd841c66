"""A team's infrastructure repository made from infra_repo/ (a git checkout with the collection tarball installed under
collections/), and the environment its playbooks run in against the sandbox."""

import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse

from collection_build import install_collection

INFRA_REPO = Path(__file__).resolve().parent / "infra_repo"


def make_infra_repo(tarball, repo):
    """A copy of infra_repo/ at ``repo`` as a git checkout with ``tarball`` installed (offline: its dependencies must
    already be met by the controller's collections)."""
    shutil.copytree(INFRA_REPO, repo)
    git = ["git", "-c", "user.name=infra", "-c", "user.email=infra@example.invalid"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(git + ["-C", str(repo), "add", "-A"], check=True)
    subprocess.run(git + ["-C", str(repo), "commit", "-qm", "infrastructure"], check=True)
    install_collection(tarball, repo)
    return repo


def infra_env(sandbox_env):
    """The sandbox's environment without what would bypass the repository: its own ansible.cfg and inventory
    must find the collection and the cluster, and module_defaults must carry the connection."""
    env = {key: value for key, value in sandbox_env.items()
           if key not in {"ANSIBLE_CONFIG", "ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATHS",
                          "KUBECONFIG", "K8S_AUTH_KUBECONFIG", "AWS_ENDPOINT_URL"}}
    env["ECOECO_SANDBOX_HOME"] = str(Path(sandbox_env["K8S_AUTH_KUBECONFIG"]).parent)
    env["ECOECO_SANDBOX_AWS_PORT"] = str(urlparse(sandbox_env["AWS_ENDPOINT_URL"]).port)
    return env
