"""``ansible-galaxy collection build`` ships what a controller needs and none of the checkout's tooling or state."""

import fnmatch

from collection_build import CHECKOUT_LITTER, checkout_files

# Top-level entries of the tarball: the runtime content, what an execution environment needs, its docs, and
# galaxy's manifests.
SHIPPED_TOP_LEVEL = {
    "MANIFEST.json", "FILES.json", "README.md", "requirements.txt", "bindep.txt",
    "changelogs", "docs", "inventories", "meta", "playbooks", "plugins", "roles",
}
# Runtime content: every file of these folders in the checkout must be in the tarball.
RUNTIME_FOLDERS = ("meta/", "plugins/", "roles/", "playbooks/", "inventories/ecoeco/")


def test_top_level_is_the_runtime_content(collection_tarball):
    _tarball, members = collection_tarball
    assert {name.split("/", 1)[0] for name in members} == SHIPPED_TOP_LEVEL


def test_no_local_state_cache_or_tooling(collection_tarball):
    _tarball, members = collection_tarball
    leaked = [name for name in CHECKOUT_LITTER if name in members]
    for nested in ("*__pycache__*", "*.pytest_cache*", "*/.ansible*", "*/.molecule*", "inventories/sandbox*"):
        leaked += fnmatch.filter(members, nested)
    assert leaked == []


def test_every_runtime_file_is_shipped(collection_tarball):
    _tarball, members = collection_tarball
    expected = [name for name in checkout_files() if name.startswith(RUNTIME_FOLDERS)]
    assert [name for name in expected if name not in members] == []
    assert "plugins/modules/bluegreen_switch.py" in expected
    assert "playbooks/10_namespaces.yml" in expected
