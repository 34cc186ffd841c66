"""The prune guard: which objects it writes, what it writes (keeping the options there), and what it refuses."""

import json

import pytest

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.prune_guard import (
    COMPARE_OPTIONS,
    RECORD,
    SYNC_OPTIONS,
    protect,
    tracked_in,
    with_option,
)
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import NotFound, VerificationFailed

SET = "ecoeco-api-services-kustomize"
OWNER = [{"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "name": SET}]


def application(name, resources, sync="Synced", owner=None):
    owner = OWNER if owner is None else owner
    status = {"sync": {"status": sync}}
    if resources is not None:
        status["resources"] = resources
    return {"kind": "Application", "metadata": {"namespace": "argocd", "name": name, "ownerReferences": owner}, "status": status}


def tracked(kind, namespace, name, group="", version="v1", prune=False):
    entry = {"group": group, "version": version, "kind": kind, "namespace": namespace, "name": name, "status": "Synced"}
    if prune:
        entry.update(status="OutOfSync", requiresPruning=True)
    return entry


BLUE = [tracked("Deployment", "api", "auth-api", group="apps"), tracked("Service", "api", "auth-api"),
        tracked("Ingress", "api", "auth-api", group="networking.k8s.io")]


class FakeArgo:
    def __init__(self, applications):
        self.applications = applications

    def list(self, kind, namespace, label_selectors):
        assert (kind, namespace) == ("Application", "argocd")
        return self.applications


class FakeCluster:
    """Live objects by (kind, namespace, name); merge patches merge annotations, dry runs store nothing."""

    def __init__(self, objects):
        self.objects = objects
        self.patches = []

    def get(self, kind, namespace, name, api_version=None):
        return self.objects.get((kind, namespace, name))

    def merge_patch(self, body, dry_run=False):
        key = (body["kind"], body["metadata"]["namespace"], body["metadata"]["name"])
        self.patches.append((body["apiVersion"], key, dict(body["metadata"]["annotations"]), dry_run))
        if not dry_run:
            current = self.objects[key]["metadata"].setdefault("annotations", {})
            for name, value in body["metadata"]["annotations"].items():
                if value is None:
                    current.pop(name, None)
                else:
                    current[name] = value
        return self.objects[key]


def live(kind, name="auth-api", annotations=None):
    return {"kind": kind, "metadata": {"namespace": "api", "name": name, "annotations": dict(annotations or {})}}


def blue_cluster(**annotations_of):
    return FakeCluster({(kind, "api", "auth-api"): live(kind, annotations=annotations_of.get(kind))
                        for kind in ("Deployment", "Service", "Ingress")})


def test_every_tracked_blue_object_gets_prune_false_and_ignore_extraneous_in_one_call():
    cluster = blue_cluster()
    result = protect(FakeArgo([application("ecoeco-auth", BLUE)]), cluster, "argocd", SET, "api", check_mode=False)
    assert result["changed"] and result["protected"] == ["Deployment api/auth-api", "Ingress api/auth-api", "Service api/auth-api"]
    assert {patch[0] for patch in cluster.patches} == {"apps/v1", "v1", "networking.k8s.io/v1"}
    for obj in cluster.objects.values():
        assert obj["metadata"]["annotations"] == {SYNC_OPTIONS: "Prune=false", COMPARE_OPTIONS: "IgnoreExtraneous",
                                                  RECORD: json.dumps({COMPARE_OPTIONS: None, SYNC_OPTIONS: None}, sort_keys=True)}


def test_a_second_run_writes_nothing_and_options_already_there_are_kept():
    cluster = blue_cluster(Deployment={SYNC_OPTIONS: "Validate=false,Prune=confirm"})
    argo = FakeArgo([application("ecoeco-auth", BLUE)])
    protect(argo, cluster, "argocd", SET, "api", check_mode=False)
    assert cluster.objects[("Deployment", "api", "auth-api")]["metadata"]["annotations"][SYNC_OPTIONS] == "Validate=false,Prune=false"
    again = protect(argo, cluster, "argocd", SET, "api", check_mode=False)
    assert not again["changed"] and len(cluster.patches) == 3


def test_check_mode_sends_dry_runs_and_the_diff_shows_before_and_after():
    cluster = blue_cluster()
    result = protect(FakeArgo([application("ecoeco-auth", BLUE)]), cluster, "argocd", SET, "api", check_mode=True)
    assert result["changed"] and all(patch[3] for patch in cluster.patches)
    assert all(not obj["metadata"]["annotations"] for obj in cluster.objects.values())
    assert result["diff"]["before"]["Service api/auth-api"] == {SYNC_OPTIONS: None, COMPARE_OPTIONS: None, RECORD: None}


def test_taking_the_guard_off_puts_back_only_what_it_replaced_and_the_teams_own_options_stay():
    # The Deployment had the team's Prune=confirm and IgnoreExtraneous; the Service had nothing.
    cluster = blue_cluster(Deployment={SYNC_OPTIONS: "Validate=false,Prune=confirm", COMPARE_OPTIONS: "IgnoreExtraneous"})
    argo = FakeArgo([application("ecoeco-auth", BLUE)])
    protect(argo, cluster, "argocd", SET, "api", check_mode=False)
    # A second guard (phase 30 re-run) keeps the record of the first.
    protect(argo, cluster, "argocd", SET, "api", check_mode=False)
    released = protect(argo, cluster, "argocd", SET, "api", check_mode=False, state="absent")
    assert released["changed"]
    assert cluster.objects[("Deployment", "api", "auth-api")]["metadata"]["annotations"] == {
        SYNC_OPTIONS: "Validate=false,Prune=confirm", COMPARE_OPTIONS: "IgnoreExtraneous"}
    assert cluster.objects[("Service", "api", "auth-api")]["metadata"]["annotations"] == {}
    again = protect(argo, cluster, "argocd", SET, "api", check_mode=False, state="absent")
    assert not again["changed"]


def test_a_record_that_is_not_the_guards_json_is_refused_naming_the_object():
    cluster = blue_cluster(Service={RECORD: "[1, 2]"})
    with pytest.raises(VerificationFailed, match="Service api/auth-api: annotation bluegreen.ecoeco.io/prune-guard is not the JSON object"):
        protect(FakeArgo([application("ecoeco-auth", BLUE)]), cluster, "argocd", SET, "api", check_mode=False, state="absent")


def test_objects_awaiting_prune_are_guarded_too_and_other_namespaces_and_sets_are_not():
    apps = [application("ecoeco-auth", [tracked("Deployment", "api", "auth-api", group="apps", prune=True),
                                        tracked("Deployment", "auth", "auth-api", group="apps")]),
            application("other", [tracked("Service", "api", "other")], owner=[dict(OWNER[0], name="other-set")])]
    cluster = FakeCluster({("Deployment", "api", "auth-api"): live("Deployment")})
    assert protect(FakeArgo(apps), cluster, "argocd", SET, "api", check_mode=False)["protected"] == ["Deployment api/auth-api"]


def test_an_object_already_gone_is_skipped():
    cluster = FakeCluster({("Service", "api", "auth-api"): live("Service")})
    result = protect(FakeArgo([application("ecoeco-auth", BLUE)]), cluster, "argocd", SET, "api", check_mode=False)
    assert result["protected"] == ["Service api/auth-api"]


def test_an_applicationset_that_owns_nothing_is_refused_naming_it():
    with pytest.raises(NotFound, match="ApplicationSet argocd/ecoeco-api-services-kustomize owns no Application"):
        protect(FakeArgo([application("x", BLUE, owner=[{"kind": "Deployment", "name": SET}])]), blue_cluster(), "argocd", SET, "api", check_mode=False)


def test_an_application_never_compared_is_refused_and_nothing_is_written():
    cluster = blue_cluster()
    apps = [application("ecoeco-auth", BLUE), application("ecoeco-my", None, sync="Unknown")]
    with pytest.raises(VerificationFailed, match=r"not compared Applications ecoeco-my \(sync status Unknown\)"):
        protect(FakeArgo(apps), cluster, "argocd", SET, "api", check_mode=False)
    assert cluster.patches == []


def test_tracked_objects_carry_their_api_version():
    assert tracked_in([application("a", BLUE)], "api")[0] == ("apps/v1", "Deployment", "auth-api")


@pytest.mark.parametrize("value, expected", [
    (None, "Prune=false"),
    ("Prune=false", "Prune=false"),
    ("Validate=false, Prune=confirm", "Validate=false,Prune=false"),
])
def test_the_option_replaces_its_kind_and_keeps_the_others(value, expected):
    assert with_option(value, "Prune=false", "Prune=") == expected


def test_taking_the_guard_off_refuses_nothing_and_says_what_it_cannot_know():
    cluster = blue_cluster()
    assert protect(FakeArgo([]), cluster, "argocd", SET, "api", check_mode=False, state="absent")["protected"] == []
    result = protect(FakeArgo([application("ecoeco-auth", None, sync="Unknown")]), cluster, "argocd", SET, "api", check_mode=False,
                     state="absent")
    assert not result["changed"] and "has not compared Applications ecoeco-auth (sync status Unknown)" in result["warnings"][0]
