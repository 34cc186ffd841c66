# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Create an object or merge it into the live one, saying whether that changes what was asked for (labels, annotations, spec).

A strategic merge, not apply: after the switch, bluegreen_switch has moved the green Ingress's group.order with a JSON
patch, so apply's last-applied record would differ from the live order and every re-run would report a change. In check
mode the API server validates the write as a dry run and stores nothing.
"""


def _compared(obj):
    """What a copy sets: a status or resourceVersion moving on by itself between the read and the write is no change."""
    if obj is None:
        return None
    metadata = obj.get("metadata") or {}
    return {"labels": metadata.get("labels") or {}, "annotations": metadata.get("annotations") or {}, "spec": obj.get("spec") or {}}


def apply_object(cluster, body, dry_run):
    """``{"object": "<Kind> <namespace>/<name>", "changed", "created", "before", "after"}`` for one object."""
    kind, namespace, name = body["kind"], body["metadata"]["namespace"], body["metadata"]["name"]
    live = cluster.get(kind, namespace, name, api_version=body.get("apiVersion"))
    result = cluster.create(body, dry_run=dry_run) if live is None else cluster.merge_patch(body, dry_run=dry_run)
    before, after = _compared(live), _compared(result)
    return {"object": "{0} {1}/{2}".format(kind, namespace, name), "changed": before != after, "created": live is None,
            "before": before, "after": after}
