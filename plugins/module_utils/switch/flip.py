# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Apply the flips in order; when one fails, put back the ones already flipped and say what happened.

Never leaves a half-switched state silently: every failure names, per target, whether it was
rolled back, failed, was not attempted, or (worst case) could not be rolled back and how to fix it.
"""

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import BlueGreenError, Conflict
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.patches import flip_patch, inverse


def apply_flips(cluster, plans, dry_run):
    """Patch each plan's object in order and return the objects the API server answered with.

    With ``dry_run`` the server validates every patch (the ``test`` included) and stores nothing.
    On the first failure the flips already applied are undone, newest first, and an error is raised.
    """
    patched = []
    for position, plan in enumerate(plans):
        try:
            patched.append(cluster.json_patch(plan.api_kind, plan.ref.namespace, plan.ref.name, flip_patch(plan.change), dry_run=dry_run))
        except BlueGreenError as error:
            undone = [] if dry_run else undo_flips(cluster, plans[:position])
            raise _stopped(plan, error, undone, plans[position + 1:], dry_run) from error
    return patched


def undo_flips(cluster, plans):
    """Put each flipped object back (newest first, same compare-and-swap); one outcome dict per plan."""
    outcomes = []
    for plan in reversed(plans):
        outcome = _outcome(plan, "rolled back")
        undo = inverse(plan.change)
        try:
            cluster.json_patch(plan.api_kind, plan.ref.namespace, plan.ref.name, flip_patch(undo))
        except BlueGreenError as error:
            outcome.update(outcome="rollback failed", error=_cause(plan.field, undo, error), restore=_restore_by_hand(plan))
        outcomes.append(outcome)
    return outcomes


def rollback_summary(outcomes):
    """One sentence per kind of outcome; a failed rollback is spelled out with the manual fix."""
    rolled_back = [outcome["target"] for outcome in outcomes if outcome["outcome"] == "rolled back"]
    sentences = []
    if rolled_back:
        sentences.append("Rolled back {0}: traffic is where it was before this run.".format(", ".join(rolled_back)))
    for outcome in outcomes:
        if outcome["outcome"] == "rollback failed":
            sentences.append("ROLLBACK FAILED for {0}: {1}; {2}.".format(outcome["target"], outcome["error"], outcome["restore"]))
    return " ".join(sentences)


def rollback_failed(outcomes):
    return any(outcome["outcome"] == "rollback failed" for outcome in outcomes)


def _stopped(plan, error, undone, skipped, dry_run):
    cause = _cause(plan.field, plan.change, error)
    failed = dict(_outcome(plan, "failed"), error=cause)
    not_attempted = [_outcome(later, "not attempted") for later in skipped]
    if dry_run:
        msg = "Check mode: the API server refused the dry run for {0}: {1}. Nothing was written.".format(plan.describe(), cause)
    else:
        msg = " ".join(part for part in (
            "Switch stopped at {0}: {1}. Nothing was written to it.".format(plan.describe(), cause),
            rollback_summary(undone),
            "Not attempted: {0}.".format(", ".join(later.target.label for later in skipped)) if skipped else "",
        ) if part)
    # Keep the error's class (Conflict, NotFound, BlueGreenError) so callers can tell a lost race from a refusal.
    return type(error)(msg, targets=undone + [failed] + not_attempted, changed=rollback_failed(undone))


def _cause(field, change, error):
    """The error in words naming the field; a lost compare-and-swap says which value was expected."""
    if not isinstance(error, Conflict):
        return str(error)
    if change.before is None:
        return "{0} was unset when read, but the object's annotations changed since (compare-and-swap failed)".format(field)
    return "{0} is no longer {1!r}: someone else changed it (compare-and-swap failed)".format(field, change.before)


def _restore_by_hand(plan):
    subject = "{0} {1}".format(plan.api_kind, plan.ref)
    if plan.change.before is None:
        return "restore by hand: remove {0} from {1}".format(plan.field, subject)
    return "restore by hand: set {0} of {1} back to {2!r}".format(plan.field, subject, plan.change.before)


def _outcome(plan, outcome):
    return {"target": plan.target.label, "kind": plan.target.kind, "namespace": plan.ref.namespace, "name": plan.ref.name, "outcome": outcome}
