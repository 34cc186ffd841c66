"""The collection tarball, built once per session by ``ansible-galaxy collection build``."""

import pytest

from collection_build import build_littered_checkout


@pytest.fixture(scope="session")
def collection_tarball(tmp_path_factory):
    """A tarball built from a copy of the checkout littered with local state, and its member names."""
    return build_littered_checkout(tmp_path_factory.mktemp("checkout"), tmp_path_factory.mktemp("dist"))
