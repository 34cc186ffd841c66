"""Fixtures shared by the integration tests of the switch phases and their faults."""

import pytest
from switch_scratch import ScratchMigration


@pytest.fixture
def migration(kube, aws, sandbox_env, tmp_path):
    """A scratch migration at green-deployed, with its own ALB and ApplicationSet, removed afterwards."""
    scratch = ScratchMigration(kube, aws("elbv2"), sandbox_env, tmp_path)
    try:
        scratch.create()
        yield scratch
    finally:
        scratch.delete()
