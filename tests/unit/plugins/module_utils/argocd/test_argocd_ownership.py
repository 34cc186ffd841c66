"""Finding the owners of an Argo CD object and deciding whether each would undo a change to it."""

import pytest

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.objects import ObjectRef
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.ownership import (
    OwnerClaim,
    conflict_message,
    judge_owner,
    owner_claims,
    template_reach_warnings,
)
from ansible_collections.ecoeco.bluegreen.tests.unit.plugins.module_utils.argocd.fake_argocd import (
    AUTOMATED,
    application,
    application_set,
)

CHILD = ObjectRef("Application", "argocd", "ecoeco-auth")
SET = ObjectRef("ApplicationSet", "argocd", "ecoeco-api-services-kustomize")
PARENT = ObjectRef("Application", "argocd", "root")
TRACKING = "argocd.argoproj.io/tracking-id"


@pytest.mark.parametrize(
    "child, expected",
    [
        (application("ecoeco-auth"), []),
        (application("ecoeco-auth", owner_set=SET.name), [(SET, "ownerReferences")]),
        (application("ecoeco-auth", annotations={TRACKING: "root:argoproj.io/Application:argocd/ecoeco-auth"}), [(PARENT, "annotation " + TRACKING)]),
        # Apps in any namespace are named namespace_name; a missing object namespace still describes this object.
        (
            application("ecoeco-auth", annotations={TRACKING: "platform_root:argoproj.io/Application:/ecoeco-auth"}),
            [(ObjectRef("Application", "platform", "root"), "annotation " + TRACKING)],
        ),
        # A tracking id copied from another object does not make its app an owner (Argo CD ignores it too).
        (application("ecoeco-auth", annotations={TRACKING: "root:argoproj.io/Application:argocd/ecoeco-my"}), []),
        (application("ecoeco-auth", annotations={TRACKING: "root:apps/Deployment:argocd/ecoeco-auth"}), []),
        (application("ecoeco-auth", annotations={TRACKING: "not a tracking id"}), []),
        (application("ecoeco-auth", labels={"app.kubernetes.io/instance": "root"}), [(PARENT, "label app.kubernetes.io/instance")]),
        (application("ecoeco-auth", labels={"argocd.argoproj.io/instance": "root"}), [(PARENT, "label argocd.argoproj.io/instance")]),
        # An Application that manages itself is not its own owner.
        (application("ecoeco-auth", labels={"app.kubernetes.io/instance": "ecoeco-auth"}), []),
        # The same parent named twice is one owner, found first by the tracking id.
        (
            application(
                "ecoeco-auth",
                annotations={TRACKING: "root:argoproj.io/Application:argocd/ecoeco-auth"},
                labels={"app.kubernetes.io/instance": "root"},
                owner_set=SET.name,
            ),
            [(SET, "ownerReferences"), (PARENT, "annotation " + TRACKING)],
        ),
    ],
    ids=[
        "none", "applicationset", "tracking-id", "tracking-id-app-namespace", "tracking-id-other-object",
        "tracking-id-other-kind", "tracking-id-garbage", "instance-label", "argocd-instance-label", "self", "deduplicated",
    ],
)
def test_owner_claims(child, expected):
    assert [(claim.ref, claim.via) for claim in owner_claims(child)] == expected


def test_owner_references_to_other_kinds_are_not_sync_owners():
    child = application("ecoeco-auth")
    child["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "ConfigMap", "name": "x", "uid": "1"}]
    assert owner_claims(child) == []


FROZEN_TEMPLATE = {"syncOptions": ["CreateNamespace=true"]}
SELF_HEALING = {"automated": dict(AUTOMATED)}
RESPECTING = {"automated": dict(AUTOMATED), "syncOptions": ["RespectIgnoreDifferences=true"]}


def _ignoring(**entry):
    return application_set(SET.name, ignoreApplicationDifferences=[entry])


IGNORE_CHILD_POLICY = [{"group": "argoproj.io", "kind": "Application", "jsonPointers": ["/spec/syncPolicy"]}]


def _parent(policy, ignore_differences=None):
    parent = application("root", policy=policy)
    if ignore_differences:
        parent["spec"]["ignoreDifferences"] = ignore_differences
    return parent


@pytest.mark.parametrize(
    "owner, child_on_after, undoes, reason",
    [
        (application_set(SET.name), False, True, "whose automated sync is on"),
        (application_set(SET.name), True, False, "whose automated sync is on"),
        (application_set(SET.name, template_policy=FROZEN_TEMPLATE), False, False, "off (frozen)"),
        (application_set(SET.name, template_policy=None), False, False, "off (frozen)"),
        (application_set(SET.name, template_policy=FROZEN_TEMPLATE), True, True, "off (frozen)"),
        (application_set(SET.name, own_policy={"applicationsSync": "create-only"}), False, False, "applicationsSync is create-only"),
        (application_set(SET.name, own_policy={"applicationsSync": "create-delete"}), False, False, "applicationsSync is create-delete"),
        (application_set(SET.name, own_policy={"applicationsSync": "create-update"}), False, True, "whose automated sync is on"),
        (_ignoring(jsonPointers=["/spec/syncPolicy"]), False, False, "ignoreApplicationDifferences"),
        (_ignoring(jqPathExpressions=[".spec.syncPolicy.automated"]), False, False, "ignoreApplicationDifferences"),
        (_ignoring(name="ecoeco-auth", jsonPointers=["/spec"]), False, False, "ignoreApplicationDifferences"),
        (_ignoring(name="ecoeco-my", jsonPointers=["/spec/syncPolicy"]), False, True, "automated sync is on"),
        (_ignoring(jsonPointers=["/spec/source"]), False, True, "automated sync is on"),
        (application("root", policy=SELF_HEALING), False, True, "re-applies"),
        (application("root", policy=SELF_HEALING), True, False, "re-applies"),
        (application("root", policy={"automated": {"prune": True}}), False, False, "no selfHeal"),
        (application("root", policy={"automated": {"selfHeal": True, "enabled": False}}), False, False, "no automated sync"),
        (application("root", policy=None), False, False, "no automated sync"),
        (_parent(RESPECTING, IGNORE_CHILD_POLICY), False, False, "RespectIgnoreDifferences"),
        (_parent(SELF_HEALING, IGNORE_CHILD_POLICY), False, True, "re-applies"),
    ],
    ids=[
        "set-on-freeze", "set-on-enable", "set-frozen-freeze", "set-no-policy-freeze", "set-frozen-enable", "set-create-only",
        "set-create-delete", "set-create-update", "set-ignores-pointer", "set-ignores-jq", "set-ignores-this-app",
        "set-ignores-other-app", "set-ignores-other-field", "parent-selfheal-freeze", "parent-selfheal-enable",
        "parent-no-selfheal", "parent-automated-disabled", "parent-manual", "parent-respects-ignore", "parent-ignore-not-respected",
    ],
)
def test_judge_owner(owner, child_on_after, undoes, reason):
    ref = ObjectRef.of(owner)
    verdict = judge_owner(OwnerClaim(ref, "test"), owner, CHILD, child_on_after)
    assert (verdict.found, verdict.undoes) == (True, undoes)
    assert reason in verdict.reason


def test_an_owner_that_does_not_exist_is_reported_and_ignored():
    verdict = judge_owner(OwnerClaim(PARENT, "label app.kubernetes.io/instance"), None, CHILD, False)
    assert (verdict.found, verdict.undoes) == (False, False)
    assert verdict.to_dict() == {
        "kind": "Application", "namespace": "argocd", "name": "root", "via": "label app.kubernetes.io/instance",
        "found": False, "undoes": False, "reason": "Application argocd/root (named by label app.kubernetes.io/instance) does not exist; ignored",
    }


@pytest.mark.parametrize(
    "state, advice",
    [("disabled", "Freeze the owner first"), ("enabled", "Enable or restore the owner first"), ("restored", "Restore the owner first")],
)
def test_conflict_message_names_exactly_what_to_act_on(state, advice):
    verdict = judge_owner(OwnerClaim(SET, "ownerReferences"), application_set(SET.name), CHILD, state == "enabled")
    message = conflict_message(CHILD, state, [verdict])
    assert message.startswith("Application argocd/ecoeco-auth: ApplicationSet argocd/ecoeco-api-services-kustomize generated")
    assert advice in message
    assert "(kind: ApplicationSet, namespace: argocd, name: ecoeco-api-services-kustomize)" in message
    assert "owner_scope=owner" in message and message.endswith("Nothing was changed.")


@pytest.mark.parametrize(
    "appset, fragments",
    [
        (application_set(SET.name), []),
        (application_set(SET.name, own_policy={"applicationsSync": "create-only"}), ["applicationsSync=create-only"]),
        (_ignoring(jsonPointers=["/spec/syncPolicy"]), ["ignores spec.syncPolicy differences of its Applications"]),
        (_ignoring(name="ecoeco-auth", jsonPointers=["/spec/syncPolicy"]), ["of Application ecoeco-auth"]),
        (application_set(SET.name, templatePatch="spec:\n  syncPolicy:\n    automated: {}\n"), ["templatePatch that mentions syncPolicy"]),
    ],
    ids=["plain", "create-only", "ignores-all", "ignores-one", "template-patch"],
)
def test_template_reach_warnings(appset, fragments):
    warnings = template_reach_warnings(appset)
    assert len(warnings) == len(fragments)
    for warning, fragment in zip(warnings, fragments):
        assert fragment in warning
