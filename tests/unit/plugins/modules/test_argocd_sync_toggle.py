"""argocd_sync_toggle end to end through main(), against an in-memory cluster (fake_argocd.FakeClient)."""

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd import runner
from ansible_collections.ecoeco.bluegreen.plugins.modules import argocd_sync_toggle
from ansible_collections.ecoeco.bluegreen.tests.unit.plugins.module_utils.argocd.fake_argocd import (
    ANNOTATION,
    AUTOMATED,
    POLICY,
    FakeClient,
    application,
    application_set,
    record_text,
)

FROZEN = {key: value for key, value in POLICY.items() if key != "automated"}
SET = "ecoeco-api-services-kustomize"
AUTH = application("ecoeco-auth")


def run(client, monkeypatch, capsys, **args):
    """main() with ``args``; returns (failed, result)."""
    monkeypatch.setattr(runner, "get_api_client", lambda module: client)
    with patch_module_args(args), pytest.raises(SystemExit) as exited:
        argocd_sync_toggle.main()
    result = json.loads(capsys.readouterr().out)
    return exited.value.code != 0, result


@pytest.fixture
def toggle(monkeypatch, capsys):
    return lambda client, **args: run(client, monkeypatch, capsys, **args)


@pytest.fixture
def warned(monkeypatch):
    """Warnings given through module.warn (under pytest, ansible may print them instead of returning them)."""
    messages = []
    monkeypatch.setattr(argocd_sync_toggle.AnsibleK8SModule, "warn", lambda module, message, *args, **kwargs: messages.append(message))
    return messages


def writes(client):
    return [patch for patch in client.patches if not patch["dry_run"]]


def test_freeze_records_the_policy_and_a_second_run_changes_nothing(toggle):
    client = FakeClient(application("ecoeco-auth"))
    failed, result = toggle(client, name="ecoeco-auth", state="disabled", frozen_by="deploy@bastion", _ansible_diff=True)
    assert not failed and result["changed"] is True
    app = client.obj("Application", "ecoeco-auth")
    assert app["spec"]["syncPolicy"] == FROZEN
    record = json.loads(app["metadata"]["annotations"][ANNOTATION])
    assert record["policy"] == POLICY and record["frozen_by"] == "deploy@bastion"
    (obj,) = result["objects"]
    assert (obj["kind"], obj["namespace"], obj["name"], obj["action"], obj["changed"]) == ("Application", "argocd", "ecoeco-auth", "frozen", True)
    assert (obj["previous_policy"], obj["current_policy"], obj["record"]) == (POLICY, FROZEN, record)
    assert obj["policy_path"] == "spec.syncPolicy"
    assert result["diff"] == [
        {
            "before_header": "Application argocd/ecoeco-auth",
            "after_header": "Application argocd/ecoeco-auth",
            "before": {"spec.syncPolicy": POLICY, "metadata.annotations[{0}]".format(ANNOTATION): None},
            "after": {"spec.syncPolicy": FROZEN, "metadata.annotations[{0}]".format(ANNOTATION): app["metadata"]["annotations"][ANNOTATION]},
        }
    ]
    assert isinstance(result["duration"], float) and result["watched_seconds"] == 0

    failed, again = toggle(client, name="ecoeco-auth", state="disabled")
    assert not failed and again["changed"] is False
    assert again["objects"][0]["action"] == "already_frozen" and again["objects"][0]["record"] == record
    assert len(client.patches) == 1


def test_frozen_by_defaults_to_user_at_host(toggle, monkeypatch):
    monkeypatch.setattr(runner, "default_frozen_by", lambda: "alice@laptop")
    client = FakeClient(application("ecoeco-auth"))
    toggle(client, name="ecoeco-auth", state="disabled")
    assert json.loads(client.obj("Application", "ecoeco-auth")["metadata"]["annotations"][ANNOTATION])["frozen_by"] == "alice@laptop"


def test_check_mode_sends_a_server_side_dry_run_and_stores_nothing(toggle):
    client = FakeClient(application("ecoeco-auth"), dry_run=True)
    before = client.obj("Application", "ecoeco-auth")
    failed, result = toggle(client, name="ecoeco-auth", state="disabled", _ansible_check_mode=True)
    assert not failed and result["changed"] is True and result["dry_run"] == "server"
    assert [patch["dry_run"] for patch in client.patches] == [True]
    assert client.obj("Application", "ecoeco-auth") == before
    assert result["objects"][0]["current_policy"] == FROZEN


def test_check_mode_without_server_dry_run_sends_nothing_and_says_so(toggle):
    client = FakeClient(application("ecoeco-auth"), dry_run=False)
    failed, result = toggle(client, name="ecoeco-auth", state="disabled", _ansible_check_mode=True)
    assert not failed and result["changed"] is True and result["dry_run"] == "none"
    assert client.patches == []
    assert result["objects"][0]["current_policy"] == FROZEN


def test_restore_puts_back_the_identical_object_and_then_reports_no_record(toggle):
    original = application("ecoeco-auth", policy=dict(POLICY, managedNamespaceMetadata={"labels": {"x": "y"}}))
    client = FakeClient(original)
    toggle(client, name="ecoeco-auth", state="disabled")
    failed, result = toggle(client, name="ecoeco-auth", state="restored")
    assert not failed and result["changed"] is True and result["objects"][0]["action"] == "restored"
    restored = client.obj("Application", "ecoeco-auth")
    assert restored["metadata"].pop("resourceVersion") == "3"
    assert restored == original
    failed, again = toggle(client, name="ecoeco-auth", state="restored")
    assert not failed and again["changed"] is False
    assert again["msg"] == "Application argocd/ecoeco-auth has no freeze record (annotation {0}); nothing to restore".format(ANNOTATION)


def test_enable_sets_explicit_values_and_drops_the_record(toggle):
    client = FakeClient(application("ecoeco-auth", policy=FROZEN, annotations={ANNOTATION: record_text(POLICY)}))
    failed, result = toggle(client, name="ecoeco-auth", state="enabled", prune=False)
    assert not failed and result["changed"] is True
    app = client.obj("Application", "ecoeco-auth")
    assert app["spec"]["syncPolicy"]["automated"] == {"prune": False, "selfHeal": True, "allowEmpty": False}
    assert "annotations" not in app["metadata"]


def test_an_applicationset_freezes_its_template_and_warns_when_it_cannot_reach_its_applications(toggle, warned):
    client = FakeClient(application_set(SET, own_policy={"applicationsSync": "create-only"}))
    failed, result = toggle(client, kind="ApplicationSet", name=SET, state="disabled")
    assert not failed and result["changed"] is True
    appset = client.obj("ApplicationSet", SET)
    assert appset["spec"]["template"]["spec"]["syncPolicy"] == FROZEN
    assert appset["spec"]["syncPolicy"] == {"applicationsSync": "create-only"}
    assert result["objects"][0]["policy_path"] == "spec.template.spec.syncPolicy"
    assert len(warned) == 1 and "applicationsSync=create-only" in warned[0]


def test_label_selectors_act_on_every_match(toggle):
    backend = {"app.kubernetes.io/part-of": "ecoeco-backend"}
    client = FakeClient(application("ecoeco-auth", labels=backend), application("ecoeco-my", labels=backend), application("other"))
    failed, result = toggle(client, label_selectors=["app.kubernetes.io/part-of=ecoeco-backend"], state="disabled")
    assert not failed
    assert [obj["name"] for obj in result["objects"]] == ["ecoeco-auth", "ecoeco-my"]
    assert client.obj("Application", "other")["spec"]["syncPolicy"] == POLICY


class TestOwners:
    def test_a_child_of_an_active_applicationset_fails_naming_the_applicationset(self, toggle):
        client = FakeClient(application_set(SET), application("ecoeco-auth", owner_set=SET))
        failed, result = toggle(client, name="ecoeco-auth", state="disabled")
        assert failed and client.patches == []
        assert "(kind: ApplicationSet, namespace: argocd, name: {0})".format(SET) in result["msg"]
        assert result["owners"][0]["undoes"] is True

    def test_owner_scope_owner_freezes_generated_applications_only_through_the_template(self, toggle):
        client = FakeClient(application_set(SET), application("ecoeco-auth", owner_set=SET, generated=True),
                            application("ecoeco-my", owner_set=SET, generated=True), generates=True)
        failed, result = toggle(client, name=["ecoeco-auth", "ecoeco-my"], state="disabled", owner_scope="owner")
        assert not failed
        assert [(obj["kind"], obj["name"], obj["action"], obj["changed"], obj["acted_for"]) for obj in result["objects"]] == [
            ("ApplicationSet", SET, "frozen", True, ["Application argocd/ecoeco-auth", "Application argocd/ecoeco-my"]),
            ("Application", "ecoeco-auth", "frozen_by_template", True, []),
            ("Application", "ecoeco-my", "frozen_by_template", True, []),
        ]
        # Only the template is written: a patch of a generated Application races its controller.
        assert [patch["name"] for patch in writes(client)] == [SET]
        assert client.obj("ApplicationSet", SET)["spec"]["template"]["spec"]["syncPolicy"] == FROZEN
        assert ANNOTATION in client.obj("ApplicationSet", SET)["metadata"]["annotations"]
        assert client.obj("Application", "ecoeco-auth")["spec"]["syncPolicy"] == FROZEN
        assert client.obj("Application", "ecoeco-auth")["metadata"].get("annotations") is None
        # Its record is the template's: a second freeze finds it frozen, yet a restore still knows the policy from before.
        assert result["objects"][1]["current_policy"] == FROZEN and result["objects"][1]["record"]["policy"] == POLICY
        failed, again = toggle(client, name=["ecoeco-auth", "ecoeco-my"], state="disabled", owner_scope="owner")
        assert not failed and [obj["action"] for obj in again["objects"]] == ["already_frozen", "frozen_by_template", "frozen_by_template"]
        assert again["objects"][1]["previous_policy"] == FROZEN and again["objects"][1]["record"]["policy"] == POLICY

    def test_owner_scope_owner_restores_generated_applications_through_the_template(self, toggle):
        client = FakeClient(application_set(SET), application("ecoeco-auth", owner_set=SET, generated=True), generates=True)
        toggle(client, name="ecoeco-auth", state="disabled", owner_scope="owner")
        failed, result = toggle(client, name="ecoeco-auth", state="restored", owner_scope="owner")
        assert not failed
        assert [(obj["kind"], obj["action"]) for obj in result["objects"]] == [("ApplicationSet", "restored"), ("Application", "restored_by_template")]
        assert client.obj("ApplicationSet", SET)["spec"]["template"]["spec"]["syncPolicy"] == POLICY
        assert client.obj("Application", "ecoeco-auth")["spec"]["syncPolicy"] == POLICY

    def test_a_template_the_controller_does_not_apply_fails_naming_the_application(self, toggle):
        client = FakeClient(application_set(SET), application("ecoeco-auth", owner_set=SET, generated=True), generates=False)
        failed, result = toggle(client, name="ecoeco-auth", state="disabled", owner_scope="owner", settle_timeout=1)
        assert failed
        assert "the ApplicationSet controller did not apply the template within 1 s" in result["msg"]
        assert "Application argocd/ecoeco-auth still has syncPolicy" in result["msg"]
        assert [(obj["kind"], obj["action"]) for obj in result["objects"]] == [("ApplicationSet", "frozen"), ("Application", "frozen_by_template")]

    def test_an_application_no_controller_wrote_is_frozen_itself_after_its_owner(self, toggle):
        client = FakeClient(application_set(SET), application("ecoeco-auth", owner_set=SET))
        failed, result = toggle(client, name="ecoeco-auth", state="disabled", owner_scope="owner")
        assert not failed
        assert [(obj["kind"], obj["action"]) for obj in result["objects"]] == [("ApplicationSet", "frozen"), ("Application", "frozen")]
        assert [patch["name"] for patch in writes(client)] == [SET, "ecoeco-auth"]

    def test_a_child_of_a_frozen_applicationset_may_be_frozen(self, toggle):
        client = FakeClient(application_set(SET, template_policy=FROZEN), application("ecoeco-auth", owner_set=SET))
        failed, result = toggle(client, name="ecoeco-auth", state="disabled")
        assert not failed and result["objects"][0]["action"] == "frozen"
        assert result["objects"][0]["owners"][0]["undoes"] is False

    def test_owner_scope_owner_freezes_a_self_healing_parent_first_then_the_child(self, toggle):
        parent = application("root", policy={"automated": dict(AUTOMATED)})
        child = application("ecoeco-auth", labels={"app.kubernetes.io/instance": "root"})
        client = FakeClient(parent, child)
        failed, result = toggle(client, name="ecoeco-auth", state="disabled", owner_scope="owner")
        assert not failed
        assert [(obj["name"], obj["action"], obj["acted_for"]) for obj in result["objects"]] == [
            ("root", "frozen", ["Application argocd/ecoeco-auth"]),
            ("ecoeco-auth", "frozen", []),
        ]
        assert [patch["name"] for patch in writes(client)] == ["root", "ecoeco-auth"]

    def test_a_named_parent_that_does_not_exist_is_ignored(self, toggle):
        client = FakeClient(application("ecoeco-auth", labels={"app.kubernetes.io/instance": "gone"}))
        failed, result = toggle(client, name="ecoeco-auth", state="disabled")
        assert not failed and result["objects"][0]["owners"][0]["found"] is False

    def test_restoring_a_child_while_its_applicationset_is_frozen_fails(self, toggle):
        client = FakeClient(
            application_set(SET, template_policy=FROZEN),
            application("ecoeco-auth", policy=FROZEN, owner_set=SET, annotations={ANNOTATION: record_text(POLICY)}),
        )
        failed, result = toggle(client, name="ecoeco-auth", state="restored")
        assert failed and "Restore the owner first" in result["msg"] and client.patches == []


@pytest.mark.parametrize(
    "objects, args, message",
    [
        ([], dict(name="ecoeco-auth", state="disabled"), "Application ecoeco-auth not found in namespace argocd; nothing was changed"),
        ([AUTH], dict(name=["ecoeco-auth", "gone"], state="disabled"), "Application gone not found in namespace argocd"),
        ([], dict(kind="ApplicationSet", name=SET, state="restored"), "ApplicationSet {0} not found".format(SET)),
        ([AUTH], dict(label_selectors=["team=nobody"], state="disabled"), "label_selectors ['team=nobody'] matched no Application in namespace argocd"),
        ([AUTH], dict(name="ecoeco-auth", state="disabled", prune=True), "prune: expected to be set only with state=enabled"),
        ([AUTH], dict(name="ecoeco-auth", state="restored", frozen_by="me"), "frozen_by: expected a non-empty string, used only with state=disabled"),
        ([AUTH], dict(name="ecoeco-auth", state="enabled", verify_seconds=5), "verify_seconds: expected to be set only with state=disabled"),
        ([AUTH], dict(name="ecoeco-auth", state="disabled", verify_seconds=601), "verify_seconds: expected between 0 and 600"),
        ([AUTH], dict(name=[""], state="disabled"), "name: expected a non-empty list of non-empty strings"),
        ([AUTH], dict(name="ecoeco-auth", namespace=" ", state="disabled"), "namespace: expected the namespace"),
        ([AUTH], dict(name="ecoeco-auth", label_selectors=["a=b"], state="disabled"), "mutually exclusive: name|label_selectors"),
        ([AUTH], dict(state="disabled"), "one of the following is required: name, label_selectors"),
        ([AUTH], dict(name="ecoeco-auth", state="frozen"), "value of state must be one of"),
        (
            [application("ecoeco-auth", annotations={ANNOTATION: "{not json"})],
            dict(name="ecoeco-auth", state="restored"),
            "annotation bluegreen.ecoeco.io/frozen-sync-policy on Application argocd/ecoeco-auth: expected a freeze record",
        ),
    ],
    ids=[
        "missing-name", "one-of-names-missing", "missing-applicationset", "selector-matches-nothing", "prune-without-enabled",
        "frozen-by-without-disabled", "verify-without-disabled", "verify-too-long", "empty-name", "blank-namespace",
        "name-and-selector", "no-target", "unknown-state", "malformed-record",
    ],
)
def test_bad_input_fails_with_one_clear_message_and_changes_nothing(toggle, objects, args, message):
    client = FakeClient(*objects)
    before = dict(client.store)
    failed, result = toggle(client, **args)
    assert failed and message in result["msg"]
    assert client.patches == [] and client.store == before


def test_an_uninstalled_argo_cd_is_reported_plainly(toggle):
    failed, result = toggle(FakeClient(served=("Application",)), kind="ApplicationSet", name=SET, state="disabled")
    assert failed and result["msg"] == "the cluster does not serve argoproj.io/v1alpha1 ApplicationSet: are the Argo CD CRDs installed?"


def test_a_concurrent_change_is_a_conflict_and_survives(toggle):
    client = FakeClient(application("ecoeco-auth"))

    def someone_edits(cluster):
        app = cluster.obj("Application", "ecoeco-auth")
        app["spec"]["syncPolicy"]["retry"] = {"limit": 1}
        cluster.put(app)

    client.before_patch = someone_edits
    failed, result = toggle(client, name="ecoeco-auth", state="disabled")
    assert failed and "changed between this task's read and its write" in result["msg"]
    assert result["changed"] is False and result["objects"] == []
    app = client.obj("Application", "ecoeco-auth")
    assert app["spec"]["syncPolicy"]["retry"] == {"limit": 1} and "automated" in app["spec"]["syncPolicy"]


def test_a_failure_after_an_earlier_write_reports_what_was_written(toggle):
    client = FakeClient(application("ecoeco-auth"), application("ecoeco-my"))

    def edit_the_second(cluster):
        if len(cluster.patches) == 2:
            app = cluster.obj("Application", "ecoeco-my")
            app["spec"]["syncPolicy"]["retry"] = {"limit": 1}
            cluster.put(app)

    client.before_patch = edit_the_second
    failed, result = toggle(client, name=["ecoeco-auth", "ecoeco-my"], state="disabled")
    assert failed and result["changed"] is True
    assert [obj["name"] for obj in result["objects"]] == ["ecoeco-auth"]


class FakeTime:
    def __init__(self):
        self.now = 0.0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


@pytest.fixture
def fake_time(monkeypatch):
    clock = FakeTime()
    monkeypatch.setattr(runner.time, "monotonic", clock.monotonic)
    monkeypatch.setattr(runner.time, "sleep", clock.sleep)
    return clock


def test_verify_seconds_watches_the_freeze_for_that_long(toggle, fake_time):
    client = FakeClient(application("ecoeco-auth"))
    failed, result = toggle(client, name="ecoeco-auth", state="disabled", verify_seconds=12)
    assert not failed and result["watched_seconds"] == 12.0


def test_verify_seconds_fails_when_something_reverts_the_freeze(toggle, fake_time):
    client = FakeClient(application("ecoeco-auth"))

    def self_heal_after_five_seconds(cluster, key):
        if fake_time.now >= 5 and key[2] == "ecoeco-auth":
            app = cluster.obj("Application", "ecoeco-auth")
            app["spec"]["syncPolicy"]["automated"] = dict(AUTOMATED)
            cluster.put(app)

    client.after_get = self_heal_after_five_seconds
    failed, result = toggle(client, name="ecoeco-auth", state="disabled", verify_seconds=30)
    assert failed and result["changed"] is True
    assert "the freeze did not hold: automated sync of Application argocd/ecoeco-auth is on again" in result["msg"]
    assert result["watched_seconds"] == 6.0


def test_owners_that_own_each_other_are_reported_not_followed_forever(toggle):
    healing = {"automated": dict(AUTOMATED)}
    first = application("first", policy=healing, labels={"app.kubernetes.io/instance": "second"})
    second = application("second", policy=healing, labels={"app.kubernetes.io/instance": "first"})
    client = FakeClient(first, second)
    failed, result = toggle(client, name="first", state="disabled", owner_scope="owner")
    assert failed and "owners of Application argocd/first form a cycle" in result["msg"]
    assert client.patches == []
