# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Green copies of blue's Deployment, Service and Ingress of every workload: the one place blue is cleaned for copying.

Green differs from blue in: the namespace (the domain); the green labels on the metadata, the selector and the pod
template; no cluster IP or node port (the API server assigns new ones); the Ingress's group.order, parked behind blue
for a new Ingress while an existing one keeps the order the switch gave it (re-applying the parked order would silently
move traffic back to blue); Argo CD's tracking annotation, removed or pointed at the green namespace; and none of the
annotations that describe the blue object itself.
"""

import copy
import re

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import VerificationFailed

GROUP_ORDER = "alb.ingress.kubernetes.io/group.order"
DROPPED_ANNOTATIONS = ("deployment.kubernetes.io/revision", "kubectl.kubernetes.io/last-applied-configuration")
SERVICE_FIELDS_ASSIGNED = ("clusterIP", "clusterIPs", "healthCheckNodePort")


def _annotations(blue, domain, settings):
    kept = {}
    for key, value in ((blue.get("metadata") or {}).get("annotations") or {}).items():
        if key in DROPPED_ANNOTATIONS:
            continue
        if key != settings.tracking_annotation:
            kept[key] = value
        elif settings.tracking == "rewrite":
            # Argo CD's tracking id is <app>:<group>/<kind>:<namespace>/<name>.
            kept[key] = re.sub(":{0}/([^/]+)$".format(re.escape(settings.source_namespace)), ":{0}/\\1".format(domain), value)
    return kept


def _metadata(blue, domain, name, settings):
    labels = dict((blue.get("metadata") or {}).get("labels") or {})
    labels.update(settings.labels)
    return {"name": name, "namespace": domain, "labels": labels, "annotations": _annotations(blue, domain, settings)}


def _deployment(blue, domain, name, settings):
    spec = copy.deepcopy(blue.get("spec") or {})
    selector = spec.setdefault("selector", {})
    selector["matchLabels"] = dict(selector.get("matchLabels") or {}, **settings.labels)
    template_metadata = spec.setdefault("template", {}).setdefault("metadata", {})
    template_metadata["labels"] = dict(template_metadata.get("labels") or {}, **settings.labels)
    if settings.pod_annotations:
        template_metadata["annotations"] = dict(template_metadata.get("annotations") or {}, **settings.pod_annotations)
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": _metadata(blue, domain, name, settings), "spec": spec}


def _service(blue, domain, name, settings):
    spec = {key: copy.deepcopy(value) for key, value in (blue.get("spec") or {}).items() if key not in SERVICE_FIELDS_ASSIGNED}
    spec["ports"] = [{key: value for key, value in port.items() if key != "nodePort"} for port in spec.get("ports") or []]
    spec["selector"] = dict(spec.get("selector") or {}, **settings.labels)
    return {"apiVersion": "v1", "kind": "Service", "metadata": _metadata(blue, domain, name, settings), "spec": spec}


def _ingress(blue, domain, name, settings, existing_order):
    metadata = _metadata(blue, domain, name, settings)
    metadata["annotations"][GROUP_ORDER] = existing_order if existing_order is not None else str(settings.parked_order)
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": metadata, "spec": copy.deepcopy(blue.get("spec") or {})}


def green_copies(settings, blue, existing_orders):
    """Every green object, in workload order (Deployment, Service, Ingress).

    ``blue`` maps a kind to {name: object} of the source namespace; ``existing_orders`` maps ``namespace/name`` of a green
    Ingress that exists already to its group.order. Raises VerificationFailed naming every blue object that is missing.
    """
    kinds = ("Deployment", "Service") + (("Ingress",) if settings.ingress else ())
    missing = ["{0} {1}".format(kind, name) for _domain, name in settings.workloads for kind in kinds if name not in blue.get(kind, {})]
    if missing:
        raise VerificationFailed("cannot clone blue: {0} not found in namespace {1}".format(", ".join(missing), settings.source_namespace))
    objects = []
    for domain, name in settings.workloads:
        objects.append(_deployment(blue["Deployment"][name], domain, name, settings))
        objects.append(_service(blue["Service"][name], domain, name, settings))
        if settings.ingress:
            objects.append(_ingress(blue["Ingress"][name], domain, name, settings, existing_orders.get("{0}/{1}".format(domain, name))))
    return objects
