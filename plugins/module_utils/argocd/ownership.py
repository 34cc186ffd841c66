# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who else writes an Argo CD object's syncPolicy, and whether it would undo what this module is about to do.

Two owners rewrite a child's syncPolicy:

* the ApplicationSet that generated it (``ownerReferences``) keeps it equal to its template, unless its
  ``applicationsSync`` policy or ``ignoreApplicationDifferences`` leave the child's syncPolicy alone;
* a parent Application (app-of-apps) tracking it (``argocd.argoproj.io/tracking-id`` annotation or an
  instance label) with automated sync and selfHeal re-applies the child from Git, unless it ignores the
  child's syncPolicy with ``RespectIgnoreDifferences=true``.

Pure decisions over dicts; reading the owners is the runner's job.
"""

from dataclasses import dataclass

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.objects import (
    APPLICATION,
    APPLICATION_SET,
    ObjectRef,
    annotations,
    automated_active,
    labels,
    sync_policy,
)

TRACKING_ID_ANNOTATION = "argocd.argoproj.io/tracking-id"
# The field manager under which the ApplicationSet controller writes the Applications it generates.
GENERATOR_MANAGER = "argocd-applicationset-controller"
INSTANCE_LABELS = ("argocd.argoproj.io/instance", "app.kubernetes.io/instance")
_ARGO_GROUP = "argoproj.io"
# applicationsSync values under which the ApplicationSet controller never updates an existing Application.
_NON_UPDATING_POLICIES = ("create-only", "create-delete")
_SYNC_POLICY_POINTERS = ("", "/spec", "/spec/syncPolicy", "/spec/syncPolicy/automated")
_SYNC_POLICY_JQ = (".", ".spec", ".spec.syncPolicy", ".spec.syncPolicy.automated")


@dataclass(frozen=True)
class OwnerClaim:
    ref: ObjectRef
    via: str


@dataclass(frozen=True)
class OwnerVerdict:
    claim: OwnerClaim
    found: bool
    undoes: bool
    reason: str

    def to_dict(self):
        return dict(self.claim.ref.to_dict(), via=self.claim.via, found=self.found, undoes=self.undoes, reason=self.reason)


def _app_reference(value, default_namespace):
    """Argo CD names an Application ``name``, or ``namespace_name`` when apps live outside its namespace."""
    namespace, sep, name = value.partition("_")
    return (namespace, name) if sep else (default_namespace, value)


def api_group(obj):
    """The API group of ``obj`` (``apps`` for a Deployment, empty for core kinds); Argo CD's when it carries no apiVersion."""
    api_version = obj.get("apiVersion") or _ARGO_GROUP + "/"
    return api_version.rpartition("/")[0]


def _tracking_owner(tracking_id, ref, group, apps_namespace):
    """The Application named by a tracking id, when the id really describes ``ref`` of API ``group`` (copied ids do not
    count)."""
    parts = tracking_id.split(":")
    if len(parts) != 3:
        return None
    app, group_kind, namespace_name = parts
    tracked_group, _sep, kind = group_kind.rpartition("/")
    namespace, _sep, name = namespace_name.rpartition("/")
    if not app or tracked_group != group or kind != ref.kind or name != ref.name or namespace not in ("", ref.namespace):
        return None
    return _app_reference(app, apps_namespace)


def owner_claims(obj, argocd_namespace=None):
    """Every owner ``obj``'s metadata names, in the order: ownerReferences, tracking id, instance labels. An Application
    named without a namespace is in ``argocd_namespace`` (Argo CD's own), by default ``obj``'s (an Application's
    children live beside it)."""
    ref = ObjectRef.of(obj)
    apps_namespace = argocd_namespace or ref.namespace
    claims = []
    for owner in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if owner.get("kind") == APPLICATION_SET and str(owner.get("apiVersion", "")).startswith(_ARGO_GROUP + "/"):
            claims.append(OwnerClaim(ObjectRef(APPLICATION_SET, ref.namespace, owner.get("name")), "ownerReferences"))
    tracked = _tracking_owner(annotations(obj).get(TRACKING_ID_ANNOTATION) or "", ref, api_group(obj), apps_namespace)
    if tracked:
        claims.append(OwnerClaim(ObjectRef(APPLICATION, *tracked), "annotation " + TRACKING_ID_ANNOTATION))
    for label in INSTANCE_LABELS:
        if labels(obj).get(label):
            claims.append(OwnerClaim(ObjectRef(APPLICATION, *_app_reference(labels(obj)[label], apps_namespace)), "label " + label))
    unique = []
    for claim in claims:
        # An Application managing itself (Argo CD managing its own install) is not an owner.
        if claim.ref != ref and claim.ref not in [seen.ref for seen in unique]:
            unique.append(claim)
    return unique


def written_by_generator(obj):
    """Whether the ApplicationSet controller has written ``obj`` (its field manager in ``managedFields``): only then
    does a controller keep it equal to its template. An Application made by hand with an ownerReference, or one in a
    namespace no ApplicationSet controller watches, is rewritten by nobody."""
    return any(entry.get("manager") == GENERATOR_MANAGER for entry in (obj.get("metadata") or {}).get("managedFields") or [])


def generator_of(claims, owners, child_obj):
    """The ApplicationSet among ``claims`` whose controller generated ``child_obj`` and keeps its syncPolicy equal to its
    template (``owners`` maps a claim's ref to the object read, None when absent), or None."""
    if not written_by_generator(child_obj):
        return None
    child = ObjectRef.of(child_obj)
    for claim in claims:
        owner = owners.get(claim.ref)
        if claim.ref.kind == APPLICATION_SET and owner is not None and _appset_leaves_child_alone(owner, child) is None:
            return owner
    return None


def _appset_leaves_child_alone(appset, child):
    """Why ``appset`` does not rewrite ``child``'s syncPolicy, or None when it does."""
    spec = appset.get("spec") or {}
    policy = (spec.get("syncPolicy") or {}).get("applicationsSync")
    if policy in _NON_UPDATING_POLICIES:
        return "its spec.syncPolicy.applicationsSync is {0}, so it never updates existing Applications".format(policy)
    for entry in spec.get("ignoreApplicationDifferences") or []:
        if entry.get("name") not in (None, child.name):
            continue
        if set(entry.get("jsonPointers") or []) & set(_SYNC_POLICY_POINTERS) or set(entry.get("jqPathExpressions") or []) & set(_SYNC_POLICY_JQ):
            return "its ignoreApplicationDifferences leaves spec.syncPolicy of {0} alone".format(child)
    return None


def _parent_leaves_child_alone(parent, child):
    """Why ``parent`` does not re-apply ``child``'s syncPolicy from Git, or None when it does."""
    policy = sync_policy(parent)
    if not automated_active(policy):
        return "it has no automated sync"
    if not policy["automated"].get("selfHeal"):
        return "its automated sync has no selfHeal, so it does not revert live changes"
    if "RespectIgnoreDifferences=true" in (policy.get("syncOptions") or []):
        for entry in (parent.get("spec") or {}).get("ignoreDifferences") or []:
            if (
                entry.get("group") == _ARGO_GROUP
                and entry.get("kind") == APPLICATION
                and entry.get("name") in (None, child.name)
                and entry.get("namespace") in (None, child.namespace)
                and (set(entry.get("jsonPointers") or []) & set(_SYNC_POLICY_POINTERS) or set(entry.get("jqPathExpressions") or []) & set(_SYNC_POLICY_JQ))
            ):
                return "it ignores spec.syncPolicy of {0} (ignoreDifferences with RespectIgnoreDifferences=true)".format(child)
    return None


def judge_owner(claim, owner, child, child_automated_after):
    """Would ``owner`` (the object ``claim`` names, None if absent) undo leaving ``child`` with automated sync
    ``child_automated_after`` (True = on)?"""
    if owner is None:
        return OwnerVerdict(claim, False, False, "{0} (named by {1}) does not exist; ignored".format(claim.ref, claim.via))
    if claim.ref.kind == APPLICATION_SET:
        alone = _appset_leaves_child_alone(owner, child)
        if alone:
            return OwnerVerdict(claim, True, False, "{0} generated {1} but {2}".format(claim.ref, child, alone))
        owner_on = automated_active(sync_policy(owner))
        reason = "{0} generated {1} and keeps it equal to its template, whose automated sync is {2}".format(
            claim.ref, child, "on" if owner_on else "off (frozen)"
        )
        return OwnerVerdict(claim, True, owner_on != child_automated_after, reason)
    alone = _parent_leaves_child_alone(owner, child)
    if alone:
        return OwnerVerdict(claim, True, False, "{0} manages {1} but {2}".format(claim.ref, child, alone))
    reason = "{0} manages {1} with automated sync and selfHeal, so it re-applies {1} from Git".format(claim.ref, child)
    # Re-applying Git brings back the declared (automated) policy: it fights a freeze, not a restore.
    return OwnerVerdict(claim, True, not child_automated_after, reason)


_ADVICE = {"disabled": "Freeze", "enabled": "Enable or restore", "restored": "Restore"}


def conflict_message(child, state, verdicts):
    """One message naming each owner that would undo the change and exactly what to act on first."""
    owners = " and ".join(
        "kind: {0}, namespace: {1}, name: {2}".format(v.claim.ref.kind, v.claim.ref.namespace, v.claim.ref.name) for v in verdicts
    )
    return "{0}: {1}; it would undo state={2} on {0}. {3} the owner first ({4}), or set owner_scope=owner to act on it instead. Nothing was changed.".format(
        child, "; ".join(v.reason for v in verdicts), state, _ADVICE[state], owners
    )


def template_reach_warnings(appset):
    """Reasons a change to ``appset``'s template will not reach (all of) its generated Applications."""
    ref = ObjectRef.of(appset)
    spec = appset.get("spec") or {}
    warnings = []
    policy = (spec.get("syncPolicy") or {}).get("applicationsSync")
    if policy in _NON_UPDATING_POLICIES:
        warnings.append(
            "{0} has spec.syncPolicy.applicationsSync={1}: its controller does not update existing Applications, so the "
            "template's syncPolicy does not reach them; act on those Applications by name".format(ref, policy)
        )
    for entry in spec.get("ignoreApplicationDifferences") or []:
        if set(entry.get("jsonPointers") or []) & set(_SYNC_POLICY_POINTERS) or set(entry.get("jqPathExpressions") or []) & set(_SYNC_POLICY_JQ):
            warnings.append(
                "{0} ignores spec.syncPolicy differences of {1}: the template's syncPolicy does not reach them; act on those "
                "Applications by name".format(ref, "Application " + entry["name"] if entry.get("name") else "its Applications")
            )
    if "syncPolicy" in str(spec.get("templatePatch") or ""):
        warnings.append(
            "{0} has a spec.templatePatch that mentions syncPolicy; it is applied on top of the template and may still set "
            "automated sync on the generated Applications".format(ref)
        )
    return warnings
