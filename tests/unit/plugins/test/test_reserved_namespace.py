"""The never-delete guard: which namespaces the collection refuses to create, label or delete."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ecoeco.bluegreen.plugins.test import reserved_namespace as plugin

reserved_namespace = plugin.reserved_namespace


@pytest.mark.parametrize(
    "name",
    ["kube-system", "kube-public", "kube-node-lease", "default", "argocd", "kube-flannel", "kube-anything", "cert-manager"],
)
def test_platform_namespaces_are_reserved(name):
    assert reserved_namespace(name) is True


@pytest.mark.parametrize("name", ["api", "auth", "chat", "data", "monitoring", "kube", "mykube-system", "argocd2", "defaults"])
def test_workload_namespaces_are_not_reserved(name):
    assert reserved_namespace(name) is False


def test_also_adds_names_for_one_check():
    assert reserved_namespace("ecoeco-bluegreen", also=["ecoeco-bluegreen", "gitops"]) is True
    assert reserved_namespace("api", also=["ecoeco-bluegreen"]) is False


@pytest.mark.parametrize("value", [None, 42, ["api"], {"name": "api"}])
def test_a_value_that_is_not_a_name_counts_as_reserved(value):
    assert reserved_namespace(value) is True


@pytest.mark.parametrize("also", ["argocd", [1, 2]])
def test_also_must_be_a_list_of_names(also):
    with pytest.raises(AnsibleFilterError, match="also must be a list of names"):
        reserved_namespace("api", also=also)


def test_the_plugin_exposes_the_test_under_its_name():
    assert plugin.TestModule().tests() == {"reserved_namespace": reserved_namespace}
