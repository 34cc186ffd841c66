# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Why the AWS Load Balancer Controller did not apply the routes, in its own words: the Warning events on their Ingresses.

The controller records its failures (FailedBuildModel, FailedDeployModel) on every member Ingress of the IngressGroup,
so the route's own Ingresses carry the reason even when another member is the invalid one.
"""

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.sides import SIDES


def _when(event):
    return event.get("lastTimestamp") or event.get("eventTime") or (event.get("metadata") or {}).get("creationTimestamp") or ""


def ingress_warnings(events, routes):
    """``<namespace>/<name>: <reason>: <message>`` of the Warning events on the routes' Ingresses, newest first, one per
    Ingress and reason; ``routes`` as in Settings (name, {side: ObjectRef})."""
    wanted = {(refs[side].namespace, refs[side].name) for _name, refs in routes for side in SIDES}
    lines, seen = [], set()
    for event in sorted(events, key=_when, reverse=True):
        subject = event.get("involvedObject") or {}
        key = (subject.get("namespace"), subject.get("name"))
        if event.get("type") != "Warning" or subject.get("kind") != "Ingress" or key not in wanted or (key, event.get("reason")) in seen:
            continue
        seen.add((key, event.get("reason")))
        lines.append("{0}/{1}: {2}: {3}".format(key[0], key[1], event.get("reason"), (event.get("message") or "").strip()))
    return lines
