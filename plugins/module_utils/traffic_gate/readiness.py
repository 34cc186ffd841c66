# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What serves behind the routes, as Kubernetes knows it: the named Deployments rolled out, and every admitted backend
Service with a Ready endpoint (a pod is Ready only while its readiness probe passes: the runbook's /health, reduced to
what the API server can tell).

Pure functions over one list of Deployments and one of EndpointSlices, whatever the number of routes.
"""

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.sides import index_by_ref
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.workloads.rollout import rollout_pending

SERVICE_NAME_LABEL = "kubernetes.io/service-name"


def _ref_text(ref):
    return "{0}/{1}".format(ref.namespace, ref.name)


def deployment_problems(deployments, wanted):
    """``(missing, not rolled out)``: sentences naming each Deployment of ``wanted`` (ObjectRefs) that does not exist,
    and each that exists but is not rolled out (rollout_pending's reason)."""
    found = index_by_ref(deployments)
    missing, pending = [], []
    for ref in wanted:
        deployment = found.get(ref)
        if deployment is None:
            missing.append("Deployment {0} does not exist".format(_ref_text(ref)))
            continue
        reason = rollout_pending(deployment)
        if reason:
            pending.append("Deployment {0} is not fully available: {1}".format(_ref_text(ref), reason))
    return missing, pending


def backend_services(backends):
    """``{"namespace/name": [<route>/<side>, ...]}`` of the admitted backends (the gate's backends report), in order."""
    services = {}
    for backend in backends:
        keys = services.setdefault(backend["service"], [])
        if backend["key"] not in keys:
            keys.append(backend["key"])
    return services


def service_name_selector(services):
    """The label selector of the EndpointSlices of ``services`` (``namespace/name``): one list for all of them."""
    names = sorted({service.split("/", 1)[1] for service in services})
    return "{0} in ({1})".format(SERVICE_NAME_LABEL, ",".join(names))


def ready_endpoints(slices, services):
    """``{"namespace/name": number of Ready endpoints}`` of ``services``; an endpoint counts only when its
    ``conditions.ready`` is true (unset is not proof that it serves)."""
    counts = dict.fromkeys(services, 0)
    for endpoint_slice in slices:
        metadata = endpoint_slice.get("metadata") or {}
        key = "{0}/{1}".format(metadata.get("namespace"), (metadata.get("labels") or {}).get(SERVICE_NAME_LABEL))
        if key in counts:
            counts[key] += sum(1 for endpoint in endpoint_slice.get("endpoints") or []
                               if ((endpoint or {}).get("conditions") or {}).get("ready") is True)
    return counts


def endpoint_problems(counts, services):
    """A sentence per Service without a Ready endpoint, naming the sides (``<route>/<side>``) it is the backend of."""
    problems = []
    for service, keys in services.items():
        if not counts.get(service):
            sides = list(dict.fromkeys(key.rsplit("/", 1)[1] for key in keys))
            problems.append("{0} Service {1} has no Ready endpoint (backend of {2})".format("/".join(sides), service, ", ".join(keys)))
    return problems
