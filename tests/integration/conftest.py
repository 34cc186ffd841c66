"""Fixtures shared by the integration tests of the switch phases and their faults."""

import pytest
from switch_scratch import ScratchMigration


@pytest.fixture
def migration(kube, aws, sandbox_env, tmp_path):
    """A scratch migration at green-deployed, with its own ALB and ApplicationSet, removed afterwards: for a test
    whose phase run moves it on (a switch, a removal, a rollback)."""
    scratch = ScratchMigration(kube, aws("elbv2"), sandbox_env, tmp_path)
    try:
        scratch.create()
        yield scratch
    finally:
        scratch.delete()


@pytest.fixture(scope="session")
def shared_parked_migration(kube, aws, sandbox_env, tmp_path_factory):
    scratch = ScratchMigration(kube, aws("elbv2"), sandbox_env, tmp_path_factory.mktemp("parked-migration"))
    try:
        scratch.create()
        yield scratch
    finally:
        scratch.delete()


@pytest.fixture
def parked_migration(shared_parked_migration):
    """One scratch migration at green-deployed (green parked, blue serving) shared by the tests whose phase run is
    refused: building one takes longer than the refusal. Each test must leave it as it found it, which is checked
    after the test (the refused run changed nothing)."""
    yield shared_parked_migration
    shared_parked_migration.assert_parked()
