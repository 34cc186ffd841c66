"""Fixtures of the sandbox's own tests."""

import uuid

import pytest
from kubernetes.client import CoreV1Api
from kubernetes.client.rest import ApiException


@pytest.fixture
def namespace(kube):
    """A namespace of the test's own, deleted afterwards."""
    core = CoreV1Api(kube)
    name = "sandbox-test-" + uuid.uuid4().hex[:6]
    core.create_namespace({"metadata": {"name": name}})
    yield name
    try:
        core.delete_namespace(name)
    except ApiException as error:
        if error.status != 404:
            raise
