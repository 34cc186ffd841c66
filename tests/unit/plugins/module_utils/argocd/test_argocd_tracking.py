"""Which Applications deploy a release's live objects, by their tracking id or instance label."""

import pytest

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.ownership import owner_claims
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.objects import ObjectRef
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.tracking import check_objects, tracking_applications
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import InvalidInput, NotFound, VerificationFailed

SERVICE = {"api_version": "v1", "kind": "Service", "namespace": "backend", "name": "backend"}
BLUE = {"api_version": "apps/v1", "kind": "Deployment", "namespace": "backend", "name": "backend-blue"}
GREEN = {"api_version": "apps/v1", "kind": "Deployment", "namespace": "backend", "name": "backend-green"}


def live(item, tracking_id=None, instance=None):
    metadata = {"namespace": item["namespace"], "name": item["name"]}
    if tracking_id:
        metadata["annotations"] = {"argocd.argoproj.io/tracking-id": tracking_id}
    if instance:
        metadata["labels"] = {"app.kubernetes.io/instance": instance}
    return {"apiVersion": item["api_version"], "kind": item["kind"], "metadata": metadata}


class FakeCluster:
    def __init__(self, *objects):
        self.objects = {(obj["kind"], obj["metadata"]["namespace"], obj["metadata"]["name"]): obj for obj in objects}

    def get(self, kind, namespace, name, api_version=None):
        obj = self.objects.get((kind, namespace, name))
        assert obj is None or obj["apiVersion"] == api_version
        return obj


def test_a_deployments_tracking_id_names_an_application_in_argo_cds_namespace_not_the_deployments():
    deployment = live(BLUE, "release-backend:apps/Deployment:backend/backend-blue")
    assert [claim.ref for claim in owner_claims(deployment, "argocd")] == [ObjectRef("Application", "argocd", "release-backend")]


def test_a_tracking_id_copied_from_another_kind_or_group_names_no_owner():
    # The id says apps/Deployment, the object is a Service: Argo CD does not track it.
    assert owner_claims(live(SERVICE, "release-backend:apps/Deployment:backend/backend"), "argocd") == []


def test_the_applications_that_track_the_objects_are_found_once_and_untracked_objects_listed():
    cluster = FakeCluster(live(SERVICE, "release-backend:/Service:backend/backend"),
                          live(BLUE, "release-backend:apps/Deployment:backend/backend-blue"),
                          live(GREEN, instance="release-backend-green"))
    assert tracking_applications(cluster, [SERVICE, BLUE, GREEN], "argocd") == (["release-backend", "release-backend-green"], [])
    untracked = FakeCluster(live(SERVICE), live(BLUE, "release-backend:apps/Deployment:backend/backend-blue"))
    assert tracking_applications(untracked, [SERVICE, BLUE], "argocd") == (["release-backend"], ["Service backend/backend"])


def test_a_missing_object_or_one_deployed_from_another_namespace_is_refused():
    with pytest.raises(NotFound, match="Deployment backend/backend-green not found"):
        tracking_applications(FakeCluster(live(SERVICE)), [SERVICE, GREEN], "argocd")
    elsewhere = FakeCluster(live(SERVICE, "team-apps_backend:/Service:backend/backend"))
    with pytest.raises(VerificationFailed, match="deployed by Application team-apps/backend, outside namespace argocd: set namespace to team-apps"):
        tracking_applications(elsewhere, [SERVICE], "argocd")


@pytest.mark.parametrize("objects, field", [([], "tracking"), ([dict(SERVICE, kind="")], "tracking[0].kind"),
                                            ([SERVICE, dict(BLUE, api_version=" ")], "tracking[1].api_version")])
def test_bad_tracking_entries_name_the_field(objects, field):
    with pytest.raises(InvalidInput, match=r"^{0}: expected".format(field.replace("[", r"\[").replace("]", r"\]"))):
        check_objects("tracking", objects)
