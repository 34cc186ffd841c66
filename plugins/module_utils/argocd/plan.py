# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure planning: from one Argo CD object and the desired state, the syncPolicy it should end with, the freeze
record, and the guarded JSON patch that gets there.

Every change in a patch is preceded by a `test` of the value it was computed from, so the apiserver applies
the patch only to the object this plan was made from (compare-and-swap). Two details of kube-apiserver's JSON
patch (evanphx/json-patch v4) shape the guards:

* ``test`` with ``value: null`` passes when the key is absent, which is how absence is guarded;
* scalars are compared by their JSON bytes, and Go writes some values differently from Python's ``json``
  (``<``, ``>``, ``&`` escaped, non-ASCII raw, floats in another format). Such a value cannot be tested
  reliably, so it is guarded by a test of the object's ``metadata.resourceVersion`` instead (a stricter swap).
"""

import copy
import re
from dataclasses import dataclass
from typing import Optional

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.freeze_record import (
    ANNOTATION,
    SHAPE,
    FreezeRecord,
    MalformedRecord,
    decode,
    new_record,
)
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.objects import (
    POLICY_PATH,
    ObjectRef,
    annotations,
    automated_active,
    policy_dotted_path,
    sync_policy,
)
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import InvalidInput

DISABLED = "disabled"
RESTORED = "restored"
ENABLED = "enabled"
# Text that Python's json and Go's encoding/json write with the same bytes: printable ASCII but <, > and &.
_SAME_BYTES_TEXT = re.compile(r"[\t\n\r\x20-\x25\x27-\x3b\x3d\x3f-\x7e]*\Z")


@dataclass(frozen=True)
class Plan:
    action: str
    msg: str
    before: Optional[dict]
    after: Optional[dict]
    record: Optional[FreezeRecord]  # the record this plan writes, keeps or removes
    ops: tuple
    warnings: tuple = ()

    @property
    def changed(self):
        return bool(self.ops)


def pointer(*keys):
    """RFC 6901 JSON pointer for ``keys``."""
    return "".join("/" + key.replace("~", "~0").replace("/", "~1") for key in keys)


def without_automated(policy):
    if policy is None:
        return None
    return {key: value for key, value in policy.items() if key != "automated"}


def _same_bytes(value):
    """Whether kube-apiserver's JSON encoding of ``value`` equals what the Python client sends."""
    if isinstance(value, dict):
        return all(_same_bytes(key) and _same_bytes(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_same_bytes(item) for item in value)
    if isinstance(value, str):
        return bool(_SAME_BYTES_TEXT.match(value))
    return value is None or isinstance(value, (bool, int))


def _guard(obj, path, value):
    """A `test` that ``path`` still holds ``value``, or of the resourceVersion when that cannot be tested exactly."""
    version = (obj.get("metadata") or {}).get("resourceVersion")
    if version is None or _same_bytes(value):
        return {"op": "test", "path": path, "value": value}
    return {"op": "test", "path": pointer("metadata", "resourceVersion"), "value": version}


def _policy_ops(obj, before, after):
    if before == after:
        return [], []
    path = pointer(*POLICY_PATH[obj["kind"]])
    guard = _guard(obj, path, before)
    if after is None:
        return [guard], [{"op": "remove", "path": path}]
    return [guard], [{"op": "add" if before is None else "replace", "path": path, "value": after}]


def _record_add_ops(obj, record):
    if (obj.get("metadata") or {}).get("annotations") is not None:
        path = pointer("metadata", "annotations", ANNOTATION)
        return [{"op": "test", "path": path, "value": None}], [{"op": "add", "path": path, "value": record.encode()}]
    path = pointer("metadata", "annotations")
    return [{"op": "test", "path": path, "value": None}], [{"op": "add", "path": path, "value": {ANNOTATION: record.encode()}}]


def _record_remove_ops(obj):
    present = annotations(obj)
    if present == {ANNOTATION: present[ANNOTATION]}:
        # The record was the only annotation: drop the map too, so a freeze and restore leave no trace.
        path = pointer("metadata", "annotations")
        return [_guard(obj, path, present)], [{"op": "remove", "path": path}]
    path = pointer("metadata", "annotations", ANNOTATION)
    return [_guard(obj, path, present[ANNOTATION])], [{"op": "remove", "path": path}]


def _patch(*parts):
    """Tests first, then changes: the apiserver applies all or nothing."""
    tests = []
    for guards, _changes in parts:
        tests.extend(guard for guard in guards if guard not in tests)
    changes = [op for _guards, changes in parts for op in changes]
    return tuple(tests + changes)


def _check_policy_parent(obj):
    parent = obj
    for key in POLICY_PATH[obj["kind"]][:-1]:
        parent = parent.get(key) if isinstance(parent, dict) else None
    if not isinstance(parent, dict):
        raise InvalidInput(
            "{0} of {1}".format(".".join(POLICY_PATH[obj["kind"]][:-1]), ObjectRef.of(obj)),
            "an object (Argo CD requires it)",
            parent,
        )


def read_record(obj):
    """The object's freeze record, None when it has none; InvalidInput naming the annotation when malformed."""
    raw = annotations(obj).get(ANNOTATION)
    if raw is None:
        return None
    try:
        return decode(raw)
    except MalformedRecord as e:
        raise InvalidInput(
            "annotation {0} on {1}".format(ANNOTATION, ObjectRef.of(obj)),
            "a freeze record {0} ({1}); nothing was changed".format(SHAPE, e),
            raw if len(raw) <= 200 else raw[:200] + "...",
        ) from e


def freeze_problem(obj, ref, expect_record=True):
    """Why a frozen object no longer is (None while it still is): used to watch a freeze hold."""
    if obj is None:
        return "{0} was deleted".format(ref)
    if automated_active(sync_policy(obj)):
        return "automated sync of {0} is on again ({1}.automated is {2})".format(
            ref, policy_dotted_path(ref.kind), sync_policy(obj)["automated"]
        )
    if expect_record and ANNOTATION not in annotations(obj):
        return "the freeze record (annotation {0}) was removed from {1}".format(ANNOTATION, ref)
    return None


def plan_disable(obj, frozen_by, now=None):
    ref, before, record = ObjectRef.of(obj), copy.deepcopy(sync_policy(obj)), read_record(obj)
    where = policy_dotted_path(ref.kind)
    if not automated_active(before):
        if record:
            msg = "{0} is already frozen (since {1}, by {2}); the original record is kept".format(ref, record.frozen_at, record.frozen_by)
            return Plan("already_frozen", msg, before, before, record, ())
        msg = "automated sync of {0} is already off ({1}); nothing to freeze, no record written".format(ref, where)
        return Plan("already_manual", msg, before, before, None, ())
    _check_policy_parent(obj)
    after = without_automated(before)
    if record:
        msg = "automated sync of {0} was on again; turned it off and kept the original record (since {1}, by {2})".format(
            ref, record.frozen_at, record.frozen_by
        )
        return Plan("refrozen", msg, before, after, record, _patch(_policy_ops(obj, before, after)))
    record = new_record(before, frozen_by, now)
    msg = "turned automated sync of {0} off ({1}.automated removed) and recorded the previous policy in annotation {2}".format(
        ref, where, ANNOTATION
    )
    return Plan("frozen", msg, before, after, record, _patch(_policy_ops(obj, before, after), _record_add_ops(obj, record)))


def plan_restore(obj):
    ref, before, record = ObjectRef.of(obj), copy.deepcopy(sync_policy(obj)), read_record(obj)
    if record is None:
        msg = "{0} has no freeze record (annotation {1}); nothing to restore".format(ref, ANNOTATION)
        return Plan("no_record", msg, before, before, None, ())
    _check_policy_parent(obj)
    after = copy.deepcopy(record.policy)
    warnings = ()
    if before != after and before != without_automated(record.policy):
        warnings = (
            "{1} of {0} changed while frozen (now {2!r}); restoring the recorded policy replaces that change".format(
                ref, policy_dotted_path(ref.kind), before
            ),
        )
    msg = "restored {1} of {0} to the policy recorded at {2} by {3} and removed the record".format(
        ref, policy_dotted_path(ref.kind), record.frozen_at, record.frozen_by
    )
    return Plan("restored", msg, before, after, record, _patch(_policy_ops(obj, before, after), _record_remove_ops(obj)), warnings)


def plan_enable(obj, prune, self_heal, allow_empty):
    ref, before = ObjectRef.of(obj), copy.deepcopy(sync_policy(obj))
    raw = annotations(obj).get(ANNOTATION)
    warnings = ()
    try:
        record = read_record(obj)
    except InvalidInput as e:
        # Enabling sets explicit values and discards any record, so a malformed one does not block it.
        record = None
        warnings = ("discarding a malformed freeze record: {0}".format(e),)
    wanted = {"prune": prune, "selfHeal": self_heal, "allowEmpty": allow_empty}
    current = (before or {}).get("automated") or {}
    in_effect = {"prune": current.get("prune", False), "selfHeal": current.get("selfHeal", False), "allowEmpty": current.get("allowEmpty", False)}
    after = before
    if not automated_active(before) or in_effect != wanted:
        _check_policy_parent(obj)
        after = dict(copy.deepcopy(before) or {}, automated=wanted)
    parts = [_policy_ops(obj, before, after)]
    if raw is not None:
        parts.append(_record_remove_ops(obj))
    ops = _patch(*parts)
    if not ops:
        msg = "automated sync of {0} is already on with {1}".format(ref, wanted)
        return Plan("already_enabled", msg, before, after, None, (), warnings)
    msg = "automated sync of {0} is on with {1}{2}".format(ref, wanted, "; freeze record removed" if raw is not None else "")
    return Plan("enabled", msg, before, after, record, ops, warnings)


def make_plan(obj, state, frozen_by=None, automated=None, now=None):
    """Plan ``state`` for ``obj``; ``automated`` is ``(prune, self_heal, allow_empty)`` for ``enabled``."""
    if state == DISABLED:
        return plan_disable(obj, frozen_by, now)
    if state == RESTORED:
        return plan_restore(obj)
    return plan_enable(obj, *automated)
