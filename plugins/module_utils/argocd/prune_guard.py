# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Keep Argo CD from pruning blue when the manifests change lands.

The change moves the overlays out of blue's namespace, so every object an Application tracks there becomes
extraneous, and automated sync with ``prune: true`` deletes it before green is up: the outage of seed 000. Argo CD
skips the prune of an object whose live annotation ``argocd.argoproj.io/sync-options`` holds ``Prune=false`` (its
sync result says ``ignored (no prune)``), and with ``argocd.argoproj.io/compare-options: IgnoreExtraneous`` the
Application is Synced with it still there, so the phases can wait for Synced. Both are written on the live objects
only: Git never declared them, so a three-way apply leaves them alone. Blue's removal (phase 60) deletes them.

After a rollback blue stays: once Git declares it again, the guard is taken off (``release``), or a later removal of a
blue object from Git would silently never be pruned. The values each annotation had before the guard are recorded on the
object (``RECORD``), so only what the guard wrote is taken back and an option the team set itself stays.
"""

import json

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.declared import generated_by
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.objects import APPLICATION, annotations
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import NotFound, VerificationFailed

SYNC_OPTIONS = "argocd.argoproj.io/sync-options"
COMPARE_OPTIONS = "argocd.argoproj.io/compare-options"
# Annotation -> (the option it must hold, the prefix of options it replaces).
GUARD = {SYNC_OPTIONS: ("Prune=false", "Prune="), COMPARE_OPTIONS: ("IgnoreExtraneous", "IgnoreExtraneous")}
# JSON {annotation: its value before the guard, null when absent}: what releasing the guard puts back.
RECORD = "bluegreen.ecoeco.io/prune-guard"


def with_option(value, option, replaces):
    """The comma-separated option list ``value`` holding ``option`` instead of any option starting with ``replaces``
    (``Prune=confirm`` gives way to ``Prune=false``); the others keep their order."""
    options = [part.strip() for part in (value or "").split(",") if part.strip()]
    return ",".join([part for part in options if not part.startswith(replaces)] + [option])


def guarded(obj):
    """The annotations ``obj`` must carry to be kept from prune, only those that differ from its own."""
    current = annotations(obj)
    wanted = {key: with_option(current.get(key), option, replaces) for key, (option, replaces) in GUARD.items()}
    return {key: value for key, value in wanted.items() if current.get(key) != value}


def record_of(obj):
    """The values the guard replaced on ``obj`` ({} when it carries no record)."""
    text = annotations(obj).get(RECORD)
    try:
        record = json.loads(text) if text else {}
    except ValueError:
        record = None
    if not isinstance(record, dict):
        raise VerificationFailed("{0} {1}/{2}: annotation {3} is not the JSON object the prune guard writes ({4!r}); remove or fix it".format(
            obj.get("kind"), (obj.get("metadata") or {}).get("namespace"), (obj.get("metadata") or {}).get("name"), RECORD, text))
    return record


def guard_patch(obj):
    """The annotations to write to guard ``obj``: the missing options, and the record of what they replace (an earlier
    record's values are kept: they are the ones from before the first guard). Empty when it is guarded."""
    missing = guarded(obj)
    if not missing:
        return {}
    record = dict({key: annotations(obj).get(key) for key in missing}, **record_of(obj))
    return dict(missing, **{RECORD: json.dumps(record, sort_keys=True)})


def release_patch(obj):
    """The annotations to write to take the guard off ``obj``: each recorded value back (None deletes), and the record
    removed. Empty when the guard left no record."""
    record = record_of(obj)
    if not record:
        return {}
    return dict(record, **{RECORD: None})


def tracked_in(applications, namespace):
    """(apiVersion, kind, name) of every object the ``applications`` track in ``namespace``, declared or awaiting prune,
    each once, sorted."""
    found = set()
    for app in applications:
        for resource in (app.get("status") or {}).get("resources") or []:
            if resource.get("namespace") == namespace:
                group, version = resource.get("group") or "", resource.get("version") or "v1"
                found.add(("{0}/{1}".format(group, version) if group else version, resource.get("kind"), resource.get("name")))
    return sorted(found)


def _uncompared(applications):
    """Applications Argo CD has not compared with Git (no ``status.resources`` and no known sync status): what they
    track is unknown, so nothing can be guarded."""
    return ["{0} (sync status {1})".format(app["metadata"]["name"], ((app.get("status") or {}).get("sync") or {}).get("status") or "none")
            for app in applications
            if not (app.get("status") or {}).get("resources")
            and ((app.get("status") or {}).get("sync") or {}).get("status") in (None, "", "Unknown")]


def protect(argo, cluster, argocd_namespace, application_set, namespace, check_mode, state="present"):
    """Write the guard on every object the ApplicationSet's Applications track in ``namespace`` (``state=present``), or
    take it off (``absent``, which refuses nothing: an Application not compared is a warning). Returns the module result:
    ``protected`` (one line per object tracked there), ``changed``, a ``diff`` of the annotations written and ``warnings``."""
    applications = generated_by(argo.list(APPLICATION, argocd_namespace, []), application_set)
    uncompared = _uncompared(applications)
    warnings = []
    if state == "absent":
        # Taking the guard off follows a restore that must not fail for it: what cannot be known is said, not refused.
        if uncompared:
            warnings.append("Argo CD has not compared Applications {0} with Git, so what they track in namespace {1} is unknown: "
                            "a prune guard there (annotation {2}) is left on".format(", ".join(uncompared), namespace, RECORD))
            applications = [app for app in applications if not _uncompared([app])]
    elif not applications:
        raise NotFound("ApplicationSet {0}/{1} owns no Application (by ownerReferences): check application_set and namespace, "
                       "and that the ApplicationSet controller runs".format(argocd_namespace, application_set))
    elif uncompared:
        raise VerificationFailed("Argo CD has not compared Applications {0} with Git yet (repo-server unreachable, or the "
                                 "controller is down), so what they track in namespace {1} is unknown; nothing was "
                                 "changed. Check the Applications' conditions and retry".format(", ".join(uncompared), namespace),
                                 uncompared=uncompared)
    patch_of = guard_patch if state == "present" else release_patch
    protected, before, after = [], {}, {}
    for api_version, kind, name in tracked_in(applications, namespace):
        live = cluster.get(kind, namespace, name, api_version=api_version)
        if live is None:
            continue
        label = "{0} {1}/{2}".format(kind, namespace, name)
        protected.append(label)
        patch = patch_of(live)
        if not patch:
            continue
        before[label] = {key: annotations(live).get(key) for key in patch}
        after[label] = patch
        cluster.merge_patch({"apiVersion": api_version, "kind": kind, "metadata": {"namespace": namespace, "name": name,
                                                                                   "annotations": patch}}, dry_run=check_mode)
    return {"changed": bool(after), "protected": protected, "diff": {"before": before, "after": after}, "warnings": warnings}
