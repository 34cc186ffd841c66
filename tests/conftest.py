"""Fixtures shared by every test that talks to the real sandbox cluster (Kubernetes + moto); and, for every test,
ecoeco.bluegreen and its dependencies importable as ansible_collections.* (this checkout under .build/collections,
kubernetes.core and amazon.aws from the ansible package)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "sandbox"))

_SITE_COLLECTIONS = [p for p in sys.path if os.path.isdir(os.path.join(p, "ansible_collections"))]
_AnsibleCollectionFinder(paths=[str(ROOT / ".build" / "collections")] + _SITE_COLLECTIONS)._install()


# What `source .sandbox/env` exports: a test that must not talk to the sandbox must not inherit it (botocore
# sends even moto's in-process mock to AWS_ENDPOINT_URL; kubernetes.core reads K8S_AUTH_*).
SANDBOX_VARIABLES = re.compile(r"^(AWS_|K8S_AUTH_|KUBECONFIG$|BLUEGREEN_|ECOECO_SANDBOX_)")


SANDBOX_TESTS = ROOT / "tests" / "sandbox"

# The fixtures that put the sandbox's own (seed) migration at its blue starting state.
SEED_STATE_FIXTURES = {"blue_state", "module_blue_state"}
# Scratch modules that run in the seed stream anyway, to even out the two streams' time (scripts/test-all.sh prints
# each stream's time; move a module when one stream ends minutes before the other). Their objects are their own.
SEED_STREAM_SCRATCH_MODULES = {"test_interrupted_phases", "test_module_targets", "test_lease"}


def pytest_configure(config):
    config.addinivalue_line("markers", "sandbox: runs with the sandbox up: every test that uses sandbox_env, and the "
                                       "sandbox's own tests (tests/sandbox, some start sandboxes of their own)")
    config.addinivalue_line("markers", "seed_state: moves or reads the seed migration (namespace api, ecoeco-alb, the "
                                       "seed ApplicationSet); these run one at a time, in one stream, while the tests "
                                       "on scratch objects run in another (scripts/test-all.sh)")
    config.addinivalue_line("markers", "seed_stream: runs in the seed stream (one test at a time): every seed_state test, "
                                       "and the scratch modules placed there to even out the two streams' time")
    config.addinivalue_line("markers", "whole_cluster: stops a control-plane component, which every test running beside "
                                       "it would see fail; runs alone, before the two streams (scripts/test-all.sh)")


def pytest_collection_modifyitems(items):
    """Mark the tests of the sandbox stage, and among them every test of a module that touches the seed migration
    (a module whose tests share a module-scoped fixture stays in one stream) and the stream each runs in; every test
    that does not use the running sandbox is isolated from its variables."""
    seed_modules = {item.module for item in items if SEED_STATE_FIXTURES & set(item.fixturenames)}
    for item in items:
        uses_sandbox = "sandbox_env" in item.fixturenames
        if uses_sandbox or SANDBOX_TESTS in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.sandbox)
        if item.module in seed_modules:
            item.add_marker(pytest.mark.seed_state)
        if item.get_closest_marker("seed_state") or item.module.__name__.rsplit(".", 1)[-1] in SEED_STREAM_SCRATCH_MODULES:
            item.add_marker(pytest.mark.seed_stream)
        if not uses_sandbox:
            item.fixturenames.insert(0, "isolated_from_sandbox")


@pytest.fixture
def isolated_from_sandbox(monkeypatch):
    """No AWS, Kubernetes or sandbox variable of the calling shell reaches the test."""
    for name in [name for name in os.environ if SANDBOX_VARIABLES.match(name)]:
        monkeypatch.delenv(name)


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


def reset_to_blue(env):
    """The sandbox at the blue starting state: earlier tests (a migration) or the caller's own experiments (the
    README's rehearsal leaves it at "blue removed") may have moved it on. A sandbox already there is left alone."""
    subprocess.run([str(ROOT / "sandbox" / "sandboxctl"), "reset-to-blue"], check=True, env=env)
    return env


@pytest.fixture
def blue_state(sandbox_env):
    """The sandbox at the blue starting state, for a test that reads or moves the shared blue state."""
    return reset_to_blue(sandbox_env)


@pytest.fixture(scope="module")
def module_blue_state(sandbox_env):
    """The same, once for a module whose tests only read the shared blue state."""
    return reset_to_blue(sandbox_env)
