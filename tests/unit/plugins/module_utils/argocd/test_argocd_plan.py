"""Planning a state for one object: the transitions, the exact restore, and the compare-and-swap guards.

Plans are checked by applying their JSON patch the way kube-apiserver would (fake_argocd.apply_json_patch).
"""

import copy
import json
from datetime import datetime, timezone

import pytest

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.objects import ObjectRef, sync_policy
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.plan import freeze_problem, make_plan, pointer
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import InvalidInput
from ansible_collections.ecoeco.bluegreen.tests.unit.plugins.module_utils.argocd.fake_argocd import (
    ANNOTATION,
    AUTOMATED,
    POLICY,
    PatchNotApplicable,
    application,
    application_set,
    apply_json_patch,
    record_text,
)

NOW = datetime(2025, 2, 1, 3, 4, 5, tzinfo=timezone.utc)
FROZEN = {key: value for key, value in POLICY.items() if key != "automated"}
DEFAULT_AUTOMATED = (True, True, False)
WANTED = {"prune": True, "selfHeal": True, "allowEmpty": False}
SWITCHED_OFF = {"automated": dict(AUTOMATED, enabled=False)}


def plan_for(obj, state, automated=DEFAULT_AUTOMATED):
    return make_plan(obj, state, frozen_by="tester@host", automated=automated, now=NOW)


def record_on(obj):
    raw = ((obj["metadata"].get("annotations")) or {}).get(ANNOTATION)
    return None if raw is None else json.loads(raw)


UNSET = object()  # None is a meaningful policy here ("no syncPolicy"), so defaults need a sentinel


def frozen_app(policy=UNSET, recorded=UNSET, **kwargs):
    """An Application frozen by the module: ``policy`` defaults to FROZEN, the record to POLICY."""
    return application("ecoeco-auth", policy=FROZEN if policy is UNSET else policy,
                       annotations={ANNOTATION: record_text(POLICY if recorded is UNSET else recorded)}, **kwargs)


NEW_RECORD = {"policy": POLICY, "frozen_at": "2025-02-01T03:04:05Z", "frozen_by": "tester@host"}
OLD_RECORD = {"policy": POLICY, "frozen_at": "2025-01-31T12:00:00Z", "frozen_by": "tester@host"}


@pytest.mark.parametrize(
    "obj, state, action, policy_after, record_after",
    [
        (application("ecoeco-auth"), "disabled", "frozen", FROZEN, NEW_RECORD),
        (application("ecoeco-auth", policy={"automated": AUTOMATED}), "disabled", "frozen", {}, dict(NEW_RECORD, policy={"automated": AUTOMATED})),
        (application("ecoeco-auth", annotations={"team": "backend"}), "disabled", "frozen", FROZEN, NEW_RECORD),
        (application("ecoeco-auth", policy=None), "disabled", "already_manual", None, None),
        (application("ecoeco-auth", policy=FROZEN), "disabled", "already_manual", FROZEN, None),
        (application("ecoeco-auth", policy=SWITCHED_OFF), "disabled", "already_manual", SWITCHED_OFF, None),
        (frozen_app(), "disabled", "already_frozen", FROZEN, OLD_RECORD),
        # Someone switched automated back on while frozen: off again, and the first record stays.
        (frozen_app(policy=dict(FROZEN, automated={"prune": False})), "disabled", "refrozen", FROZEN, OLD_RECORD),
        (frozen_app(), "restored", "restored", POLICY, None),
        (frozen_app(policy={}, recorded=None), "restored", "restored", None, None),
        (frozen_app(policy=None, recorded={"automated": AUTOMATED}), "restored", "restored", {"automated": AUTOMATED}, None),
        (frozen_app(policy=POLICY), "restored", "restored", POLICY, None),
        (application("ecoeco-auth"), "restored", "no_record", POLICY, None),
        (application("ecoeco-auth", policy=None), "enabled", "enabled", {"automated": WANTED}, None),
        (frozen_app(), "enabled", "enabled", dict(FROZEN, automated=WANTED), None),
        (application("ecoeco-auth"), "enabled", "already_enabled", POLICY, None),
        (application("ecoeco-auth", policy={"automated": WANTED}), "enabled", "already_enabled", {"automated": WANTED}, None),
        (application("ecoeco-auth", policy={"automated": {"prune": True}}), "enabled", "enabled", {"automated": WANTED}, None),
        (application("ecoeco-auth", policy=SWITCHED_OFF), "enabled", "enabled", {"automated": WANTED}, None),
        (application_set("set"), "disabled", "frozen", FROZEN, NEW_RECORD),
        (application_set("set", template_policy=FROZEN, annotations={ANNOTATION: record_text(POLICY)}), "restored", "restored", POLICY, None),
        (application_set("set", template_policy=None), "enabled", "enabled", {"automated": WANTED}, None),
    ],
    ids=[
        "freeze", "freeze-automated-only", "freeze-beside-annotations", "freeze-no-policy", "freeze-manual",
        "freeze-automated-disabled", "freeze-already-frozen", "freeze-again-after-revert", "restore", "restore-absent",
        "restore-into-absent", "restore-unchanged-policy", "restore-no-record", "enable-no-policy", "enable-frozen",
        "enable-already", "enable-already-explicit", "enable-other-values", "enable-automated-disabled", "set-freeze",
        "set-restore", "set-enable",
    ],
)
def test_transitions(obj, state, action, policy_after, record_after):
    plan = plan_for(obj, state)
    after = apply_json_patch(obj, plan.ops)
    assert plan.action == action
    assert plan.changed == (after != obj)
    assert plan.before == sync_policy(obj)
    assert plan.after == sync_policy(after) == policy_after
    assert record_on(after) == record_after


def test_freezing_keeps_every_other_policy_field_and_annotation():
    obj = application("ecoeco-auth", policy=dict(POLICY, managedNamespaceMetadata={"labels": {"a": "b"}}), annotations={"team": "backend"})
    after = apply_json_patch(obj, plan_for(obj, "disabled").ops)
    assert after["spec"]["syncPolicy"] == {"retry": {"limit": 5}, "syncOptions": ["CreateNamespace=true"], "managedNamespaceMetadata": {"labels": {"a": "b"}}}
    assert after["metadata"]["annotations"]["team"] == "backend"
    assert after["spec"]["source"] == obj["spec"]["source"]


def test_an_applicationset_freezes_its_template_and_leaves_its_own_sync_policy_alone():
    obj = application_set("set", own_policy={"applicationsSync": "create-update", "preserveResourcesOnDeletion": True})
    after = apply_json_patch(obj, plan_for(obj, "disabled").ops)
    assert after["spec"]["syncPolicy"] == obj["spec"]["syncPolicy"]
    assert after["spec"]["template"]["spec"]["syncPolicy"] == FROZEN
    assert [op["path"] for op in plan_for(obj, "disabled").ops if op["op"] != "test"] == ["/spec/template/spec/syncPolicy", "/metadata/annotations"]


@pytest.mark.parametrize(
    "obj",
    [
        application("ecoeco-auth"),
        application("ecoeco-auth", policy={"automated": {"prune": True, "selfHeal": True, "allowEmpty": True}, "retry": {"limit": -1}}),
        application("ecoeco-auth", annotations={"team": "backend", "argocd.argoproj.io/refresh": "hard"}),
        application("ecoeco-auth", policy={"automated": {}, "syncOptions": ["ServerSideApply=true", "Prune=false"]}),
        application_set("set"),
        application_set("set", own_policy={"applicationsSync": "sync"}, annotations={"note": "x"}),
    ],
    ids=["app", "app-rich-policy", "app-annotated", "app-empty-automated", "set", "set-own-policy"],
)
def test_freeze_then_restore_gives_back_the_identical_object(obj):
    frozen = apply_json_patch(obj, plan_for(obj, "disabled").ops)
    assert frozen != obj
    assert apply_json_patch(frozen, plan_for(frozen, "restored").ops) == obj


def test_freezing_twice_keeps_the_first_record_even_after_a_revert():
    obj = application("ecoeco-auth")
    first = apply_json_patch(obj, plan_for(obj, "disabled").ops)
    reverted = copy.deepcopy(first)
    reverted["spec"]["syncPolicy"]["automated"] = {"prune": False, "selfHeal": False}
    later = make_plan(reverted, "disabled", frozen_by="someone@else", now=datetime(2030, 1, 1, tzinfo=timezone.utc))
    second = apply_json_patch(reverted, later.ops)
    assert record_on(second) == record_on(first) == NEW_RECORD
    assert apply_json_patch(second, plan_for(second, "restored").ops) == obj


def _edit(path, value):
    def edit(obj):
        node = obj
        for key in path[:-1]:
            node = node.setdefault(key, {})
        if value is None:
            del node[path[-1]]
        else:
            node[path[-1]] = value
    return edit


@pytest.mark.parametrize(
    "obj, state, concurrent_edit",
    [
        (application("ecoeco-auth"), "disabled", _edit(("spec", "syncPolicy", "retry"), {"limit": 1})),
        (application("ecoeco-auth"), "disabled", _edit(("metadata", "annotations"), {"someone": "else"})),
        (application("ecoeco-auth", annotations={"team": "backend"}), "disabled", _edit(("metadata", "annotations", ANNOTATION), record_text(None))),
        (frozen_app(), "restored", _edit(("spec", "syncPolicy", "automated"), AUTOMATED)),
        (frozen_app(), "restored", _edit(("metadata", "annotations", ANNOTATION), record_text(POLICY, frozen_by="other@host"))),
        (frozen_app(), "restored", _edit(("metadata", "annotations", "team"), "backend")),
        (frozen_app(), "restored", _edit(("metadata", "annotations", ANNOTATION), None)),
        (application("ecoeco-auth", policy=None), "enabled", _edit(("spec", "syncPolicy"), {"syncOptions": ["Validate=false"]})),
        (frozen_app(), "enabled", _edit(("metadata", "annotations", ANNOTATION), None)),
        (application_set("set"), "disabled", _edit(("spec", "template", "spec", "syncPolicy", "automated", "prune"), False)),
    ],
    ids=[
        "freeze-policy-edited", "freeze-annotations-created", "freeze-record-written", "restore-policy-edited",
        "restore-record-rewritten", "restore-annotation-added", "restore-record-removed", "enable-policy-created",
        "enable-record-removed", "set-freeze-template-edited",
    ],
)
def test_a_change_made_after_the_read_makes_the_patch_fail_instead_of_overwriting_it(obj, state, concurrent_edit):
    plan = plan_for(obj, state)
    assert plan.ops and plan.ops[0]["op"] == "test"
    live = copy.deepcopy(obj)
    concurrent_edit(live)
    with pytest.raises(PatchNotApplicable):
        apply_json_patch(live, plan.ops)


def test_every_change_in_a_patch_comes_after_all_its_tests():
    ops = plan_for(frozen_app(), "restored").ops
    kinds = [op["op"] for op in ops]
    assert kinds == sorted(kinds, key=lambda kind: kind != "test")


@pytest.mark.parametrize("state", ["disabled", "restored"])
def test_a_malformed_record_fails_naming_the_annotation_and_the_expected_shape(state):
    obj = application("ecoeco-auth", annotations={ANNOTATION: '{"policy": "automated"}'})
    with pytest.raises(InvalidInput) as caught:
        plan_for(obj, state)
    message = str(caught.value)
    assert message.startswith("annotation bluegreen.ecoeco.io/frozen-sync-policy on Application argocd/ecoeco-auth: expected a freeze record")
    assert '"frozen_at"' in message and "key(s) frozen_at, frozen_by missing" in message and "nothing was changed" in message


def test_enabling_discards_a_malformed_record_with_a_warning():
    obj = application("ecoeco-auth", policy=FROZEN, annotations={ANNOTATION: "garbage", "team": "backend"})
    plan = plan_for(obj, "enabled")
    after = apply_json_patch(obj, plan.ops)
    assert after["metadata"]["annotations"] == {"team": "backend"}
    assert after["spec"]["syncPolicy"] == dict(FROZEN, automated=WANTED)
    assert plan.record is None
    assert len(plan.warnings) == 1 and "discarding a malformed freeze record" in plan.warnings[0]


def test_enabling_uses_the_explicit_values_given():
    plan = plan_for(application("ecoeco-auth"), "enabled", automated=(False, True, True))
    assert plan.after["automated"] == {"prune": False, "selfHeal": True, "allowEmpty": True}


@pytest.mark.parametrize(
    "policy_now, warned",
    [(FROZEN, False), (dict(FROZEN, retry={"limit": 9}), True), (POLICY, False), (dict(FROZEN, automated={"prune": False}), True)],
    ids=["as-frozen", "edited-while-frozen", "already-restored", "re-enabled-while-frozen"],
)
def test_restoring_warns_when_the_policy_changed_while_frozen(policy_now, warned):
    plan = plan_for(frozen_app(policy=policy_now), "restored")
    assert bool(plan.warnings) == warned
    assert plan.after == POLICY


def test_an_applicationset_without_a_template_spec_is_rejected_before_any_write():
    obj = application_set("set")
    del obj["spec"]["template"]["spec"]
    with pytest.raises(InvalidInput, match="spec.template.spec of ApplicationSet argocd/set: expected an object"):
        plan_for(obj, "enabled")


@pytest.mark.parametrize(
    "obj, expect_record, problem",
    [
        (frozen_app(), True, None),
        (None, True, "was deleted"),
        (frozen_app(policy=POLICY), True, "automated sync of Application argocd/ecoeco-auth is on again"),
        (application("ecoeco-auth", policy=FROZEN), True, "annotation bluegreen.ecoeco.io/frozen-sync-policy) was removed"),
        (application("ecoeco-auth", policy=FROZEN), False, None),
    ],
    ids=["holding", "deleted", "reverted", "record-gone", "manual-without-record"],
)
def test_freeze_problem(obj, expect_record, problem):
    found = freeze_problem(obj, ObjectRef("Application", "argocd", "ecoeco-auth"), expect_record)
    assert (found is None) if problem is None else (problem in found)


@pytest.mark.parametrize(
    "keys, expected",
    [
        (("spec", "syncPolicy"), "/spec/syncPolicy"),
        (("metadata", "annotations", ANNOTATION), "/metadata/annotations/bluegreen.ecoeco.io~1frozen-sync-policy"),
        (("a~b",), "/a~0b"),
    ],
)
def test_pointer_escapes_slash_and_tilde(keys, expected):
    assert pointer(*keys) == expected


AMPERSAND = dict(FROZEN, managedNamespaceMetadata={"annotations": {"runbook": "https://wiki.invalid/?a=1&b=2"}})


@pytest.mark.parametrize(
    "policy, exact",
    [
        (FROZEN, True),
        (dict(FROZEN, retry={"limit": 5, "backoff": {"duration": "5s", "factor": 2, "maxDuration": "3m"}}), True),
        (AMPERSAND, False),
        (dict(FROZEN, managedNamespaceMetadata={"labels": {"owner": "<team>"}}), False),
        (dict(FROZEN, managedNamespaceMetadata={"annotations": {"owner": "\uc5d0\ucf54"}}), False),
        (dict(FROZEN, retry={"backoff": {"factor": 1.5}}), False),
    ],
    ids=["plain", "numbers", "ampersand", "angle-brackets", "non-ascii", "float"],
)
def test_values_go_would_encode_differently_are_guarded_by_the_resource_version(policy, exact):
    obj = application("ecoeco-auth", policy=policy, annotations={ANNOTATION: record_text(dict(policy, automated=AUTOMATED))})
    obj["metadata"]["resourceVersion"] = "42"
    guards = [op for op in plan_for(obj, "restored").ops if op["op"] == "test"]
    by_version = {"op": "test", "path": "/metadata/resourceVersion", "value": "42"}
    assert (by_version not in guards) == exact
    assert (guards[0] == {"op": "test", "path": "/spec/syncPolicy", "value": policy}) == exact


def test_a_resource_version_guard_still_catches_a_concurrent_change():
    obj = application("ecoeco-auth", policy=dict(AMPERSAND, automated=AUTOMATED))
    obj["metadata"]["resourceVersion"] = "42"
    plan = plan_for(obj, "disabled")
    assert {"op": "test", "path": "/metadata/resourceVersion", "value": "42"} in plan.ops
    assert apply_json_patch(obj, plan.ops)["spec"]["syncPolicy"] == AMPERSAND
    with pytest.raises(PatchNotApplicable):
        apply_json_patch(dict(obj, metadata=dict(obj["metadata"], resourceVersion="43")), plan.ops)
