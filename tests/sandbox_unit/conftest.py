"""Fixtures for the sandbox's AWS half: moto in-process, patched as the sandbox patches it."""

import os
import sys

import boto3
import pytest
from moto import mock_aws

SANDBOX_SOURCE = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "sandbox"))
if SANDBOX_SOURCE not in sys.path:
    sys.path.insert(0, SANDBOX_SOURCE)

from ecoeco_sandbox.aws import clients, moto_server  # noqa: E402  (needs the path above)
from ecoeco_sandbox.aws.target_health import REGISTRY  # noqa: E402


class CallLog:
    """Names of the AWS operations a boto3 client sent, in order."""

    def __init__(self):
        self.operations = []

    def __call__(self, model, **_kwargs):
        self.operations.append(model.name)

    def writes(self):
        """Operations that change something (everything but Describe*)."""
        return [name for name in self.operations if not name.startswith(("Describe", "Get", "List"))]

    def clear(self):
        self.operations.clear()


@pytest.fixture
def aws():
    """(elbv2, ec2, calls) on an in-process moto with the sandbox patches; ``calls`` logs elbv2 operations."""
    moto_server.install_patches()
    REGISTRY.clear()
    with mock_aws():
        session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=clients.REGION)
        elbv2, ec2 = session.client("elbv2"), session.client("ec2")
        calls = CallLog()
        elbv2.meta.events.register("before-call", calls)
        yield elbv2, ec2, calls
    REGISTRY.clear()
