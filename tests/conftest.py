"""Fixtures shared by every test that talks to the real sandbox cluster (Kubernetes + moto); and, for every test,
ecoeco.bluegreen and its dependencies importable as ansible_collections.* (this checkout under .build/collections,
kubernetes.core and amazon.aws from the ansible package)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "sandbox"))

_SITE_COLLECTIONS = [p for p in sys.path if os.path.isdir(os.path.join(p, "ansible_collections"))]
_AnsibleCollectionFinder(paths=[str(ROOT / ".build" / "collections")] + _SITE_COLLECTIONS)._install()


def read_env_file(path):
    env = {}
    for line in path.read_text().splitlines():
        if line.startswith("export ") and "=" in line:
            key, _sep, value = line[len("export "):].partition("=")
            env[key] = value.strip('"')
    env.pop("PATH", None)
    return env


@pytest.fixture(scope="session")
def sandbox_env():
    """The environment for commands against the sandbox (kubeconfig, AWS endpoint, PATH); starts it if needed."""
    subprocess.run([str(ROOT / "sandbox" / "sandboxctl"), "up"], check=True)
    env = dict(os.environ)
    env.update(read_env_file(Path(os.environ.get("ECOECO_SANDBOX_HOME") or ROOT / ".sandbox") / "env"))
    env["PATH"] = "{0}:{1}:{2}".format(env["ECOECO_SANDBOX_BIN"], ROOT / ".venv" / "bin", os.environ.get("PATH", ""))
    env["ANSIBLE_CONFIG"] = str(ROOT / "ansible.cfg")
    return env


@pytest.fixture(scope="session")
def kube(sandbox_env):
    """An ApiClient of the official kubernetes client, bound to the sandbox."""
    from kubernetes import config
    return config.new_client_from_config(config_file=sandbox_env["KUBECONFIG"])


@pytest.fixture(scope="session")
def aws(sandbox_env):
    """A factory of boto3 clients bound to the sandbox's moto endpoint."""
    import boto3

    def make(service):
        return boto3.client(service, region_name=sandbox_env["AWS_REGION"], endpoint_url=sandbox_env["AWS_ENDPOINT_URL"],
                            aws_access_key_id=sandbox_env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=sandbox_env["AWS_SECRET_ACCESS_KEY"])
    return make


@pytest.fixture
def blue_state(sandbox_env):
    """The sandbox put back at the blue starting state: earlier tests (a migration) may have moved it on."""
    subprocess.run([str(ROOT / "sandbox" / "sandboxctl"), "reset-to-blue"], check=True, env=sandbox_env)
    return sandbox_env
