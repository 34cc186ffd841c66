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

import time

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.objects import APPLICATION, APPLICATION_SET, ObjectRef, annotations
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.ownership import owner_claims
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.timing import poll_until

REFRESH_ANNOTATION = "argocd.argoproj.io/refresh"
# A normal refresh may compare with the branch's cached commit; a hard one resolves the branch again.
REFRESH = "hard"


def declared_in(applications, namespace):
    """One sentence per object in ``namespace`` that Git still declares, over ``applications`` (dicts), sorted."""
    declared = []
    for app in applications:
        metadata, status = app.get("metadata") or {}, app.get("status") or {}
        revision = ((status.get("sync") or {}).get("revision") or "")[:8] or "unknown"
        for resource in status.get("resources") or []:
            if resource.get("namespace") == namespace and not resource.get("requiresPruning"):
                declared.append("Application {0}/{1} declares {2} {3}/{4} (revision {5})".format(
                    metadata.get("namespace"), metadata.get("name"), resource.get("kind"), namespace, resource.get("name"), revision))
    return sorted(declared)


def drifted(applications):
    """One sentence per live object that differs from what Git declares (``status: OutOfSync``), sorted; an object only
    live (``requiresPruning``) does not count: Git no longer declares it."""
    drift = []
    for app in applications:
        metadata, status = app.get("metadata") or {}, app.get("status") or {}
        revision = ((status.get("sync") or {}).get("revision") or "")[:8] or "unknown"
        for resource in status.get("resources") or []:
            if resource.get("status") == "OutOfSync" and not resource.get("requiresPruning"):
                drift.append("Application {0}/{1}: live {2} {3}/{4} differs from Git (revision {5})".format(
                    metadata.get("namespace"), metadata.get("name"), resource.get("kind"), resource.get("namespace"), resource.get("name"),
                    revision))
    return sorted(drift)


def generated_by(applications, application_set):
    """The Applications whose ownerReferences name the ApplicationSet ``application_set``."""
    return [app for app in applications
            if any(claim.ref.kind == APPLICATION_SET and claim.ref.name == application_set for claim in owner_claims(app))]


def wait_until_git_agrees(api, argocd_namespace, application_set, namespace, timeout, interval, refresh, check_mode):
    """Read the ApplicationSet's Applications until none declares anything in ``namespace`` and none has a live object
    that differs from Git, or ``timeout`` passes, asking each one that disagrees for a hard refresh whenever it carries no
    pending request (the ApplicationSet controller may drop one while it rewrites the Application).
    Returns (declared, drifted, seconds waited, refreshes requested)."""
    state = {"declared": [], "drifted": [], "refreshes": 0}

    def agrees():
        applications = generated_by(api.list(APPLICATION, argocd_namespace, []), application_set)
        state["declared"], state["drifted"] = declared_in(applications, namespace), drifted(applications)
        if (state["declared"] or state["drifted"]) and refresh and not check_mode:
            for app in applications:
                # A pending request still carries the annotation; one the controller dropped (or served) is asked again.
                if (declared_in([app], namespace) or drifted([app])) and REFRESH_ANNOTATION not in annotations(app):
                    api.annotate(ObjectRef.of(app), REFRESH_ANNOTATION, REFRESH)
                    state["refreshes"] += 1
        return not (state["declared"] or state["drifted"])

    _done, waited = poll_until(agrees, timeout, interval, sleep=time.sleep, clock=time.monotonic)
    return state["declared"], state["drifted"], round(waited, 1), state["refreshes"]
