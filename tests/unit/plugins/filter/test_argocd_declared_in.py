"""argocd_declared_in: what Git still declares in a namespace, from the Applications' last comparison."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ecoeco.bluegreen.plugins.filter.argocd_declared_in import argocd_declared_in


def application(name, resources, revision="3f2c1d0a9b8e"):
    status = {"sync": {"status": "OutOfSync", "revision": revision}}
    if resources is not None:
        status["resources"] = resources
    return {"metadata": {"namespace": "argocd", "name": name}, "status": status}


def resource(kind, namespace, name, prune=False):
    entry = {"group": "apps" if kind == "Deployment" else "", "kind": kind, "namespace": namespace, "name": name, "status": "Synced"}
    if prune:
        entry["requiresPruning"] = True
    return entry


def test_blue_objects_git_still_declares_are_listed_with_their_application_and_revision():
    apps = [application("ecoeco-auth", [resource("Deployment", "api", "auth-api"), resource("Service", "auth", "auth-api")])]
    assert argocd_declared_in(apps, "api") == ["Application argocd/ecoeco-auth declares Deployment api/auth-api (revision 3f2c1d0a)"]


def test_after_the_manifests_change_blue_objects_only_await_pruning_so_nothing_is_declared():
    apps = [application("ecoeco-auth", [resource("Deployment", "api", "auth-api", prune=True), resource("Deployment", "auth", "auth-api")]),
            application("ecoeco-my", None)]
    assert argocd_declared_in(apps, "api") == []


def test_bad_input_names_what_was_expected():
    with pytest.raises(AnsibleFilterError, match="expected the list of Applications"):
        argocd_declared_in({"resources": []}, "api")
    with pytest.raises(AnsibleFilterError, match="namespace must name"):
        argocd_declared_in([], "")
