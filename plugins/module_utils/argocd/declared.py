# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether Git agrees with the live state, as Argo CD's Applications last compared it (``status.resources``), and a
bounded wait, with hard refreshes, until it does: Git declares nothing in blue's namespace and no live object differs
from what Git declares.

An entry marked ``requiresPruning`` is live but no longer in Git; every other entry is declared by Git. Restoring
automated sync while Git declares objects in the blue namespace would make prune and self-heal recreate blue; while a
live object differs from Git (the switched ``group.order`` of a green Ingress Git still parks), self-heal would undo it
and move traffic back.
"""

import datetime
import time

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.objects import APPLICATION, APPLICATION_SET, ObjectRef, annotations
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.ownership import owner_claims
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.timing import poll_until

REFRESH_ANNOTATION = "argocd.argoproj.io/refresh"
# A normal refresh may compare with the branch's cached commit; a hard one resolves the branch again.
REFRESH = "hard"


def declared_in(applications, namespace):
    """One sentence per object in ``namespace`` that Git still declares, over ``applications`` (dicts), sorted; none
    when no namespace is asked about."""
    declared = []
    if not namespace:
        return declared
    for app in applications:
        metadata, status = app.get("metadata") or {}, app.get("status") or {}
        revision = ((status.get("sync") or {}).get("revision") or "")[:8] or "unknown"
        for resource in status.get("resources") or []:
            if resource.get("namespace") == namespace and not resource.get("requiresPruning"):
                declared.append("Application {0}/{1} declares {2} {3}/{4} (revision {5})".format(
                    metadata.get("namespace"), metadata.get("name"), resource.get("kind"), namespace, resource.get("name"), revision))
    return sorted(declared)


def drifted(applications, healed_namespace=None, healed_objects=()):
    """One sentence per live object that differs from what Git declares (``status: OutOfSync``), sorted; an object only
    live (``requiresPruning``) does not count: Git no longer declares it, nor does one in ``healed_namespace`` or among
    ``healed_objects`` (dicts with kind, namespace, name), where the caller wants self-heal to bring Git's objects back (a
    rollback's blue, a release's idle colour)."""
    healed = {(item["kind"], item["namespace"], item["name"]) for item in healed_objects}
    drift = []
    for app in applications:
        metadata, status = app.get("metadata") or {}, app.get("status") or {}
        revision = ((status.get("sync") or {}).get("revision") or "")[:8] or "unknown"
        for resource in status.get("resources") or []:
            if resource.get("status") == "OutOfSync" and not resource.get("requiresPruning") \
                    and (healed_namespace is None or resource.get("namespace") != healed_namespace) \
                    and (resource.get("kind"), resource.get("namespace"), resource.get("name")) not in healed:
                drift.append("Application {0}/{1}: live {2} {3}/{4} differs from Git (revision {5})".format(
                    metadata.get("namespace"), metadata.get("name"), resource.get("kind"), resource.get("namespace"), resource.get("name"),
                    revision))
    return sorted(drift)


def generated_by(applications, application_set):
    """The Applications whose ownerReferences name the ApplicationSet ``application_set``."""
    return [app for app in applications
            if any(claim.ref.kind == APPLICATION_SET and claim.ref.name == application_set for claim in owner_claims(app))]


def compared(app):
    """Whether Argo CD compares the Application with Git at all: one it never could (no ``status.resources``, sync status
    Unknown, e.g. an unreachable repository) deploys nothing, so it can neither recreate nor move anything."""
    status = app.get("status") or {}
    return bool(status.get("resources")) or ((status.get("sync") or {}).get("status") or "Unknown") != "Unknown"


def stale(applications, since):
    """One sentence per Application whose last comparison (``status.reconciledAt``, whole seconds) is not after ``since``
    (an RFC 3339 UTC time): what it reports may predate a change this run made, such as a deletion."""
    return ["Application {0}/{1}: not compared with Git since {2} (last at {3})".format(
        app["metadata"].get("namespace"), app["metadata"].get("name"), since, (app.get("status") or {}).get("reconciledAt") or "never")
        for app in applications if compared(app) and not ((app.get("status") or {}).get("reconciledAt") or "") > since]


def _utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def wait_until_git_agrees(api, argocd_namespace, application_set, namespace, timeout, interval, refresh, check_mode,
                          fresh_timeout=0, healed_namespace=None, healed_objects=(), applications=None, now=_utc_now):
    """Read the ApplicationSet's Applications (or the ``applications`` named, when given) until none declares anything
    in ``namespace`` and none has a live object that differs from Git, or ``timeout`` passes, asking each one that
    disagrees for a hard refresh whenever it carries no pending request (the ApplicationSet controller may drop one while
    it rewrites the Application).

    With ``fresh_timeout``, first waits (at most that long, requesting hard refreshes) until every Application has
    compared with Git after this call began, so a status from before a deletion this run made is not trusted; one still
    stale then counts as drift. Drift in ``healed_namespace`` or of ``healed_objects`` does not count (see ``drifted``).
    Check mode writes no request and trusts the status it reads.
    Returns (declared, drifted, seconds waited, refreshes requested, names of the Applications read)."""
    state = {"declared": [], "drifted": [], "stale": [], "refreshes": 0, "read": []}
    since = now()

    def ask_again(app):
        # A pending request still carries the annotation; one the controller dropped (or served) is asked again.
        if refresh and not check_mode and REFRESH_ANNOTATION not in annotations(app):
            api.annotate(ObjectRef.of(app), REFRESH_ANNOTATION, REFRESH)
            state["refreshes"] += 1

    def read():
        listed = api.list(APPLICATION, argocd_namespace, [])
        read_now = [app for app in listed if app["metadata"]["name"] in applications] if applications is not None \
            else generated_by(listed, application_set)
        state["read"] = sorted(app["metadata"]["name"] for app in read_now)
        return read_now

    def objections(applications):
        """Every reason not to trust or not to agree with ``applications``: objects Git declares in ``namespace`` (unless
        the caller wants them healed there), drift, and, once freshness is checked, stale comparisons."""
        declared = declared_in(applications, namespace) if namespace != healed_namespace else []
        return declared + drifted(applications, healed_namespace, healed_objects) + (stale(applications, since) if checks_fresh else [])

    def fresh():
        applications = read()
        state["stale"] = stale(applications, since)
        for app in applications:
            if stale([app], since):
                ask_again(app)
        return not state["stale"]

    def agrees():
        applications = read()
        state["declared"], state["drifted"] = declared_in(applications, namespace), drifted(applications, healed_namespace, healed_objects)
        if checks_fresh:
            state["stale"] = stale(applications, since)
        disagreeing = [app for app in applications if objections([app])]
        for app in disagreeing:
            ask_again(app)
        return not disagreeing

    waited = 0.0
    checks_fresh = bool(fresh_timeout) and not check_mode
    if checks_fresh:
        _done, waited = poll_until(fresh, fresh_timeout, interval, sleep=time.sleep, clock=time.monotonic)
    _done, waited_more = poll_until(agrees, timeout, interval, sleep=time.sleep, clock=time.monotonic)
    return state["declared"], sorted(state["drifted"] + state["stale"]), round(waited + waited_more, 1), state["refreshes"], state["read"]
