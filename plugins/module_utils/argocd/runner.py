# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""argocd_sync_toggle end to end: check the parameters, read every target and owner, plan every change before
writing anything, write with compare-and-swap patches, optionally watch that a freeze holds, report."""

import getpass
import os
import socket
import time
from dataclasses import dataclass, field
from typing import Optional

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.freeze_record import ANNOTATION
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.objects import (
    APPLICATION_SET,
    ArgoObjects,
    ObjectRef,
    annotations,
    automated_active,
    policy_dotted_path,
    sync_policy,
)
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.ownership import (
    conflict_message,
    generator_of,
    judge_owner,
    owner_claims,
    template_reach_warnings,
)
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.plan import (
    DISABLED,
    ENABLED,
    RESTORED,
    Plan,
    freeze_problem,
    make_plan,
)
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.tracking import check_objects, tracking_applications
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import (
    BlueGreenError,
    InvalidInput,
    NotFound,
    VerificationFailed,
)
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.cluster import Cluster
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.timing import elapsed_seconds, poll_until
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client

MAX_VERIFY_SECONDS = 600
VERIFY_INTERVAL_SECONDS = 1.0
MAX_OWNER_DEPTH = 5
SETTLE_INTERVAL_SECONDS = 0.25
# The action of a generated Application whose policy is changed through its ApplicationSet's template.
THROUGH_TEMPLATE = {DISABLED: "frozen_by_template", RESTORED: "restored_by_template", ENABLED: "enabled_by_template"}
AUTOMATED_DEFAULTS = {"prune": True, "self_heal": True, "allow_empty": False}
FROZEN_ACTIONS = ("frozen", "refrozen", "already_frozen")


@dataclass
class Work:
    """One object to act on, its plan, what its owners would do, and the requested objects it stands in for.
    ``follows`` names the ApplicationSet whose template gives this object its policy: it is not written, the
    ApplicationSet controller rewrites it and the runner waits for that."""

    ref: ObjectRef
    obj: dict
    plan: Plan
    owners: list
    acted_for: list = field(default_factory=list)
    follows: Optional[ObjectRef] = None


def default_frozen_by():
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        # No passwd entry (some containers): the uid still says who.
        user = "uid{0}".format(os.getuid())
    return "{0}@{1}".format(user, socket.gethostname())


def check_params(params):
    """Reject every bad combination before the cluster is touched."""
    state = params["state"]
    for option in ("name", "label_selectors"):
        values = params.get(option)
        if values is not None and (not values or any(not value or not value.strip() for value in values)):
            raise InvalidInput(option, "a non-empty list of non-empty strings", values)
    if params.get("tracking") is not None:
        check_objects("tracking", params["tracking"])
        if params["kind"] != "Application":
            raise InvalidInput("kind", "Application with tracking (Applications deploy the objects)", params["kind"])
    if not (params.get("namespace") or "").strip():
        raise InvalidInput("namespace", "the namespace of the Argo CD objects (Argo CD's own is argocd)", params.get("namespace"))
    for option in AUTOMATED_DEFAULTS:
        if params.get(option) is not None and state != ENABLED:
            raise InvalidInput(option, "to be set only with state=enabled (it sets automated values)", "state={0}".format(state))
    if params.get("frozen_by") is not None and (state != DISABLED or not params["frozen_by"].strip()):
        raise InvalidInput("frozen_by", "a non-empty string, used only with state=disabled", params["frozen_by"])
    seconds = params.get("verify_seconds") or 0
    if not 0 <= seconds <= MAX_VERIFY_SECONDS:
        raise InvalidInput("verify_seconds", "between 0 and {0}".format(MAX_VERIFY_SECONDS), seconds)
    if seconds and state != DISABLED:
        raise InvalidInput("verify_seconds", "to be set only with state=disabled (it watches a freeze hold)", "state={0}".format(state))
    settle = params.get("settle_timeout")
    if settle is not None and not 0 < settle <= MAX_VERIFY_SECONDS:
        raise InvalidInput("settle_timeout", "between 1 and {0}".format(MAX_VERIFY_SECONDS), settle)


def read_targets(api, params, tracked_names=None):
    kind, namespace = params["kind"], params["namespace"]
    if tracked_names is not None or params.get("name"):
        names = list(dict.fromkeys(params["name"] if tracked_names is None else tracked_names))
        found = [api.get(ObjectRef(kind, namespace, name)) for name in names]
        if tracked_names is not None:
            # A tracking id left behind by a deleted Application: nothing deploys the object any more.
            return [obj for obj in found if obj is not None]
        missing = [name for name, obj in zip(names, found) if obj is None]
        if missing:
            raise NotFound(
                "{0} {1} not found in namespace {2}; nothing was changed".format(kind, ", ".join(missing), namespace),
                missing=missing,
            )
        return found
    found = api.list(kind, namespace, params["label_selectors"])
    if not found:
        raise NotFound(
            "label_selectors {0} matched no {1} in namespace {2}; nothing was changed".format(params["label_selectors"], kind, namespace)
        )
    return found


def _plan(obj, params, frozen_by):
    automated = tuple(
        AUTOMATED_DEFAULTS[option] if params.get(option) is None else params[option] for option in ("prune", "self_heal", "allow_empty")
    )
    return make_plan(obj, params["state"], frozen_by=frozen_by, automated=automated)


def plan_target(api, obj, params, frozen_by, chain=()):
    """Work items for ``obj``: itself, preceded (owner_scope=owner) by the owners that would undo its change.

    An Application generated by an ApplicationSet that keeps it equal to its template is changed only through that
    template: the ApplicationSet controller rewrites the Application's spec and annotations on every reconcile, so a
    patch of the Application races the controller and a record written on it disappears. Any other owner goes first
    and the target is then changed too, so that its own record is written (or consumed) like any other target's.
    """
    ref = ObjectRef.of(obj)
    plan = _plan(obj, params, frozen_by)
    state = params["state"]
    claims = owner_claims(obj)
    owners = {claim.ref: api.get(claim.ref) for claim in claims}
    verdicts = [judge_owner(claim, owners[claim.ref], ref, automated_active(plan.after)) for claim in claims]
    generator = generator_of(claims, owners, obj) if params["owner_scope"] == "owner" else None
    if generator is not None:
        return _through_template(api, obj, generator, verdicts, params, frozen_by, _longer_chain(chain, ref))
    if state == RESTORED and not plan.changed:
        # Nothing written: no owner can undo it.
        return [Work(ref, obj, plan, [])]
    undoing = [verdict for verdict in verdicts if verdict.undoes]
    if not undoing:
        return [Work(ref, obj, plan, verdicts)]
    if params["owner_scope"] == "fail":
        raise VerificationFailed(conflict_message(ref, state, undoing), owners=[verdict.to_dict() for verdict in verdicts])
    chain = _longer_chain(chain, ref)
    work = []
    for verdict in undoing:
        if verdict.claim.ref in chain:
            raise VerificationFailed("owners of {0} form a cycle through {1}; act on them by name".format(chain[0], verdict.claim.ref))
        for item in plan_target(api, owners[verdict.claim.ref], params, frozen_by, chain):
            item.acted_for = item.acted_for or [str(chain[0])]
            work.append(item)
    work.append(Work(ref, obj, plan, verdicts))
    return work


def _longer_chain(chain, ref):
    chain = chain + (ref,)
    if len(chain) > MAX_OWNER_DEPTH:
        raise VerificationFailed(
            "owners of {0} nest deeper than {1} levels ({2}); act on the top one by name".format(
                chain[0], MAX_OWNER_DEPTH, " <- ".join(str(link) for link in reversed(chain))
            )
        )
    return chain


def _through_template(api, obj, generator, verdicts, params, frozen_by, chain):
    """The generator's work, then ``obj`` as a follower whose policy becomes the template's."""
    ref, generator_ref = ObjectRef.of(obj), ObjectRef.of(generator)
    if generator_ref in chain:
        raise VerificationFailed("owners of {0} form a cycle through {1}; act on them by name".format(chain[0], generator_ref))
    work = plan_target(api, generator, params, frozen_by, chain)
    for item in work:
        item.acted_for = item.acted_for or [str(chain[0])]
    template_policy = work[-1].plan.after
    before = sync_policy(obj)
    if before == template_policy:
        msg = "{0} already has its template's syncPolicy ({1} generates it)".format(ref, generator_ref)
    else:
        msg = "{0} gets its syncPolicy from the template of {1}: its controller rewrites it".format(ref, generator_ref)
    # The record that governs it is the template's: what a later restore brings back.
    plan = Plan(THROUGH_TEMPLATE[params["state"]], msg, before, template_policy, work[-1].plan.record, ())
    return work + [Work(ref, obj, plan, verdicts, follows=generator_ref)]


def plan_all(api, targets, params, frozen_by):
    work = {}
    for obj in targets:
        for item in plan_target(api, obj, params, frozen_by):
            if item.ref in work:
                work[item.ref].acted_for.extend(name for name in item.acted_for if name not in work[item.ref].acted_for)
            else:
                work[item.ref] = item
    return list(work.values())


def _record_text_after(item, obj_after):
    if obj_after is not None:
        return annotations(obj_after).get(ANNOTATION)
    if item.plan.action == "frozen":
        return item.plan.record.encode()
    if item.plan.action in ("restored", "enabled"):
        return None
    return annotations(item.obj).get(ANNOTATION)


def apply_work(api, item, check_mode):
    """Write one plan (server-side dry run in check mode when the client supports it) and describe the outcome."""
    obj_after = item.obj
    if item.plan.ops:
        obj_after = None if check_mode and not api.server_dry_run else api.patch(item.ref, list(item.plan.ops))
    current = sync_policy(obj_after) if obj_after is not None and item.follows is None else item.plan.after
    result = dict(
        item.ref.to_dict(),
        policy_path=policy_dotted_path(item.ref.kind),
        action=item.plan.action,
        # A follower is not written by this task, but its policy changes because of it.
        changed=item.plan.changed or (item.follows is not None and item.plan.before != item.plan.after),
        msg=item.plan.msg,
        previous_policy=item.plan.before,
        current_policy=current,
        record=item.plan.record.to_dict() if item.plan.record else None,
        patch=list(item.plan.ops),
        owners=[verdict.to_dict() for verdict in item.owners],
        acted_for=item.acted_for,
    )
    record_key = "metadata.annotations[{0}]".format(ANNOTATION)
    diff = {
        "before_header": str(item.ref),
        "after_header": str(item.ref),
        "before": {result["policy_path"]: item.plan.before, record_key: annotations(item.obj).get(ANNOTATION)},
        "after": {result["policy_path"]: current, record_key: _record_text_after(item, obj_after)},
    }
    return result, diff


def wait_for_followers(api, work, seconds):
    """Wait until every Application changed through its template carries the template's syncPolicy (the
    ApplicationSet controller reconciles within a second or two); return the seconds waited."""
    followers = [item for item in work if item.follows is not None]
    if not followers:
        return 0.0

    lagging = []

    def all_settled():
        del lagging[:]
        for item in followers:
            live = api.get(item.ref)
            if live is None:
                lagging.append("{0} was deleted".format(item.ref))
            elif sync_policy(live) != item.plan.after:
                lagging.append("{0} still has syncPolicy {1}, not the template's {2}".format(item.ref, sync_policy(live), item.plan.after))
        return not lagging

    settled, waited = poll_until(all_settled, seconds, SETTLE_INTERVAL_SECONDS, sleep=time.sleep, clock=time.monotonic)
    if not settled:
        raise VerificationFailed(
            "the ApplicationSet controller did not apply the template within {0} s: {1}. Is argocd-applicationset-controller "
            "running? The ApplicationSet's template already carries the change (see objects).".format(seconds, "; ".join(lagging)),
            settled_seconds=round(waited, 1),
        )
    return round(waited, 1)


def watch_freeze(api, work, seconds):
    """Re-read the frozen objects for ``seconds``; fail as soon as one is no longer frozen. Returns seconds watched."""
    watched = [(item.ref, item.plan.action in FROZEN_ACTIONS) for item in work]

    def first_problem():
        for ref, expect_record in watched:
            problem = freeze_problem(api.get(ref), ref, expect_record)
            if problem:
                return problem
        return None

    # time.* looked up per call (not poll_until's bound defaults) so unit tests can run the watch on a fake clock.
    problem, waited = poll_until(first_problem, seconds, VERIFY_INTERVAL_SECONDS, sleep=time.sleep, clock=time.monotonic)
    if problem:
        raise VerificationFailed(
            "the freeze did not hold: {0} after {1:.1f} s of the {2} s watch (an owner or a GitOps controller reverted it); "
            "records still present keep state=restored working".format(problem, waited, seconds),
            watched_seconds=round(waited, 1),
        )
    return round(waited, 1)


def run_module(module):
    start = time.monotonic()
    params = module.params
    check_params(params)
    frozen_by = (params.get("frozen_by") or default_frozen_by()) if params["state"] == DISABLED else None
    client = get_api_client(module)
    api = ArgoObjects(client)
    tracked_names, untracked = None, []
    if params.get("tracking"):
        tracked_names, untracked = tracking_applications(Cluster(client), params["tracking"], params["namespace"])
    work = plan_all(api, read_targets(api, params, tracked_names), params, frozen_by)

    for item in work:
        for warning in item.plan.warnings:
            module.warn(warning)
        if item.ref.kind == APPLICATION_SET and item.plan.changed:
            for warning in template_reach_warnings(item.obj):
                module.warn(warning)

    objects, diffs = [], []
    watched_seconds = settled_seconds = 0.0
    try:
        for item in work:
            result, diff = apply_work(api, item, module.check_mode)
            objects.append(result)
            diffs.append(diff)
        if not module.check_mode:
            settled_seconds = wait_for_followers(api, work, params["settle_timeout"])
        if params["state"] == DISABLED and params["verify_seconds"] and work and not module.check_mode:
            watched_seconds = watch_freeze(api, work, params["verify_seconds"])
    except BlueGreenError as e:
        # Report what was already written so a partial run is never silent.
        e.details.update(changed=any(result["changed"] for result in objects) and not module.check_mode, objects=objects)
        raise

    result = dict(
        changed=any(result["changed"] for result in objects),
        msg="; ".join(result["msg"] for result in objects) or "no Argo CD Application in namespace {0} tracks {1}; nothing to do".format(
            params["namespace"], ", ".join(untracked)),
        untracked=untracked,
        objects=objects,
        watched_seconds=watched_seconds,
        settled_seconds=settled_seconds,
        duration=elapsed_seconds(start),
    )
    if module.check_mode:
        result["dry_run"] = "server" if api.server_dry_run else "none"
    if module._diff:
        result["diff"] = [diff for diff, item in zip(diffs, objects) if item["changed"]]
    module.exit_json(**result)
