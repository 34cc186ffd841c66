"""What Git still declares in the blue namespace, and the wait (with hard refreshes) until the manifests change is seen."""

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.declared import (
    REFRESH_ANNOTATION,
    declared_in,
    drifted,
    wait_until_git_agrees,
)

SET = "ecoeco-api-services-kustomize"


def application(name, resources, owner=SET, annotations=None, revision="3f2c1d0a9b8e"):
    status = {"sync": {"status": "OutOfSync", "revision": revision}}
    if resources is not None:
        status["resources"] = resources
    metadata = {"namespace": "argocd", "name": name, "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "name": owner}]}
    if annotations:
        metadata["annotations"] = dict(annotations)
    return {"kind": "Application", "metadata": metadata, "status": status}


def resource(kind, namespace, name, prune=False, status="Synced"):
    entry = {"kind": kind, "namespace": namespace, "name": name, "status": "OutOfSync" if prune else status}
    if prune:
        entry["requiresPruning"] = True
    return entry


BLUE = [resource("Deployment", "api", "auth-api"), resource("Service", "api", "auth-api")]
MOVED = [resource("Deployment", "api", "auth-api", prune=True), resource("Deployment", "auth", "auth-api")]


class FakeArgo:
    """Applications as Argo CD reports them; a hard refresh makes the next read show the moved layout, unless the
    ApplicationSet controller drops the request (``drops`` times)."""

    def __init__(self, applications, drops=0):
        self.applications = applications
        self.drops = drops
        self.annotated = []

    def list(self, kind, namespace, label_selectors):
        assert (kind, namespace, label_selectors) == ("Application", "argocd", [])
        return self.applications

    def annotate(self, ref, key, value):
        self.annotated.append((ref.name, key, value))
        if self.drops:
            self.drops -= 1
            return
        self.applications = [application(app["metadata"]["name"], MOVED) if app["metadata"]["name"] == ref.name else app
                             for app in self.applications]


def test_objects_git_still_declares_are_listed_with_their_application_and_revision():
    apps = [application("ecoeco-auth", BLUE + [resource("Service", "auth", "auth-api")])]
    assert declared_in(apps, "api") == ["Application argocd/ecoeco-auth declares Deployment api/auth-api (revision 3f2c1d0a)",
                                        "Application argocd/ecoeco-auth declares Service api/auth-api (revision 3f2c1d0a)"]


def test_after_the_manifests_change_blue_objects_only_await_pruning_so_nothing_is_declared():
    assert declared_in([application("ecoeco-auth", MOVED), application("ecoeco-my", None)], "api") == []


def test_a_read_without_wait_reports_what_is_declared_and_requests_nothing():
    argo = FakeArgo([application("ecoeco-auth", BLUE), application("other-team", BLUE, owner="other")])
    declared, _drifted, waited, refreshes, _read = wait_until_git_agrees(argo, "argocd", SET, "api", 0, 0.01, refresh=False, check_mode=False)
    assert len(declared) == 2 and all("ecoeco-auth" in line for line in declared)  # the other ApplicationSet's are not read
    assert (waited < 1, refreshes, argo.annotated) == (True, 0, [])


def test_the_wait_asks_for_a_hard_refresh_again_when_the_controller_dropped_the_request():
    argo = FakeArgo([application("ecoeco-auth", BLUE)], drops=1)
    declared, _drifted, _waited, refreshes, _read = wait_until_git_agrees(argo, "argocd", SET, "api", 5, 0.01, refresh=True, check_mode=False)
    assert declared == [] and refreshes == 2
    assert argo.annotated == [("ecoeco-auth", REFRESH_ANNOTATION, "hard")] * 2


def test_a_pending_refresh_is_not_requested_twice_and_the_wait_ends_at_its_timeout():
    argo = FakeArgo([application("ecoeco-auth", BLUE, annotations={REFRESH_ANNOTATION: "hard"})])
    declared, _drifted, waited, refreshes, _read = wait_until_git_agrees(argo, "argocd", SET, "api", 0.2, 0.05, refresh=True, check_mode=False)
    assert len(declared) == 2 and refreshes == 0 and waited >= 0.2


def test_check_mode_requests_no_refresh():
    argo = FakeArgo([application("ecoeco-auth", BLUE)])
    declared, _drifted, _waited, refreshes, _read = wait_until_git_agrees(argo, "argocd", SET, "api", 0.1, 0.05, refresh=True, check_mode=True)
    assert len(declared) == 2 and refreshes == 0 and argo.annotated == []


SWITCHED = [resource("Deployment", "auth", "auth-api"), resource("Ingress", "auth", "auth-api", status="OutOfSync")]


def test_a_live_object_that_differs_from_git_is_drift_and_one_only_awaiting_pruning_is_not():
    apps = [application("ecoeco-auth", SWITCHED + [resource("Ingress", "api", "auth-api", prune=True)])]
    assert drifted(apps) == ["Application argocd/ecoeco-auth: live Ingress auth/auth-api differs from Git (revision 3f2c1d0a)"]
    assert declared_in(apps, "api") == []


def test_git_does_not_agree_while_a_live_object_differs_even_when_blue_is_undeclared():
    argo = FakeArgo([application("ecoeco-auth", SWITCHED, annotations={REFRESH_ANNOTATION: "hard"})])
    declared, drift, _waited, refreshes, _read = wait_until_git_agrees(argo, "argocd", SET, "api", 0.1, 0.05, refresh=True, check_mode=False)
    assert declared == [] and len(drift) == 1 and refreshes == 0


class ComparingArgo(FakeArgo):
    """Each hard refresh is served by one comparison (a later ``reconciledAt``) that finds ``after``."""

    def __init__(self, applications, after):
        super().__init__(applications)
        self.after = after

    def annotate(self, ref, key, value):
        self.annotated.append((ref.name, key, value))
        for app in self.applications:
            if app["metadata"]["name"] == ref.name:
                app["status"] = dict(application(ref.name, self.after)["status"], reconciledAt="2026-12-07T10:00:05Z")


def compared_at(app, when):
    app["status"]["reconciledAt"] = when
    return app


def test_a_stale_status_from_before_the_call_is_not_trusted_and_the_fresh_comparison_decides():
    # Read at 10:00:00, the Application still says Synced from 09:59:58, before green was deleted; its next comparison
    # finds the green Deployment Git declares missing.
    missing = [resource("Deployment", "auth", "auth-api", status="OutOfSync")]
    argo = ComparingArgo([compared_at(application("ecoeco-auth", [resource("Deployment", "auth", "auth-api")]), "2026-12-07T09:59:58Z")],
                         after=missing)
    declared, drift, _waited, refreshes, _read = wait_until_git_agrees(argo, "argocd", SET, "api", 0, 0.01, refresh=True, check_mode=False,
                                                                       fresh_timeout=5, now=lambda: "2026-12-07T10:00:00Z")
    assert declared == [] and refreshes >= 1 and argo.annotated[0] == ("ecoeco-auth", REFRESH_ANNOTATION, "hard")
    assert drift == ["Application argocd/ecoeco-auth: live Deployment auth/auth-api differs from Git (revision 3f2c1d0a)"]


def test_an_application_that_never_compares_again_counts_as_drift():
    argo = FakeArgo([compared_at(application("ecoeco-auth", [resource("Deployment", "auth", "auth-api")],
                                             annotations={REFRESH_ANNOTATION: "hard"}), "2026-12-07T09:59:58Z")])
    _declared, drift, _waited, refreshes, _read = wait_until_git_agrees(argo, "argocd", SET, "api", 0, 0.02, refresh=True, check_mode=False,
                                                                        fresh_timeout=0.1, now=lambda: "2026-12-07T10:00:00Z")
    assert refreshes == 0  # a request is pending
    assert drift == ["Application argocd/ecoeco-auth: not compared with Git since 2026-12-07T10:00:00Z (last at 2026-12-07T09:59:58Z)"]


def test_an_application_argo_cd_cannot_compare_at_all_needs_no_fresh_comparison():
    never = application("scratch-a", None)
    never["status"]["sync"]["status"] = "Unknown"
    argo = FakeArgo([never])
    declared, drift, waited, refreshes, _read = wait_until_git_agrees(argo, "argocd", SET, "api", 0, 0.05, refresh=True, check_mode=False,
                                                                      fresh_timeout=5, now=lambda: "2026-12-07T10:00:00Z")
    assert (declared, drift, refreshes) == ([], [], 0) and waited < 1


def test_drift_in_the_healed_namespace_does_not_count():
    apps = [application("ecoeco-auth", [resource("Deployment", "api", "auth-api", status="OutOfSync"),
                                        resource("Deployment", "auth", "auth-api", status="OutOfSync")])]
    assert drifted(apps, healed_namespace="api") == [
        "Application argocd/ecoeco-auth: live Deployment auth/auth-api differs from Git (revision 3f2c1d0a)"]


def test_after_a_rollback_what_git_declares_in_the_healed_blue_namespace_is_not_waited_away():
    argo = FakeArgo([application("ecoeco-auth", BLUE)])
    declared, drift, waited, _refreshes, _read = wait_until_git_agrees(argo, "argocd", SET, "api", 5, 0.05, refresh=True, check_mode=False,
                                                                       healed_namespace="api")
    assert len(declared) == 2 and drift == [] and waited < 1


def test_drift_of_a_healed_object_does_not_count_and_any_other_drift_does():
    # After a release the Service selects green: blue's Deployment differs from Git (Git's image and size there move
    # no traffic), the Service and green differ too until the release lands in Git.
    apps = [application("backend", [resource("Deployment", "backend", "backend-blue", status="OutOfSync"),
                                    resource("Deployment", "backend", "backend-green", status="OutOfSync"),
                                    resource("Service", "backend", "backend", status="OutOfSync")], owner="other")]
    idle = [{"kind": "Deployment", "namespace": "backend", "name": "backend-blue"}]
    assert drifted(apps, healed_objects=idle) == [
        "Application argocd/backend: live Deployment backend/backend-green differs from Git (revision 3f2c1d0a)",
        "Application argocd/backend: live Service backend/backend differs from Git (revision 3f2c1d0a)"]
    landed = [application("backend", [resource("Deployment", "backend", "backend-blue", status="OutOfSync"),
                                      resource("Service", "backend", "backend")], owner="other")]
    assert drifted(landed, healed_objects=idle) == []


def test_applications_named_are_read_instead_of_an_applicationsets_and_reported():
    argo = FakeArgo([application("backend", [resource("Service", "backend", "backend", status="OutOfSync")], owner="other"),
                     application("ecoeco-auth", BLUE)])
    declared, drift, _waited, _refreshes, read = wait_until_git_agrees(argo, "argocd", None, None, 0, 0.01, refresh=False, check_mode=False,
                                                                       applications=["backend"])
    assert read == ["backend"]
    assert declared == []
    assert drift == ["Application argocd/backend: live Service backend/backend differs from Git (revision 3f2c1d0a)"]
