"""A blue and a green Deployment behind one NodePort Service and one Ingress of the ALB group, in
namespace ``bench``: the seed 001 shape a selector switch moves traffic in, reset before every method."""

import copy

from kubernetes.client import AppsV1Api, CoreV1Api, DiscoveryV1Api

from ecoeco_sandbox import blue_state
from ecoeco_sandbox.kube import wait_for

NAMESPACE = "bench"
SERVICE = "bench-api"
PATH = "/api/v1/bench/whoami"
TRACKING = "argocd.argoproj.io/tracking-id"
REPLICAS = 2


def _untracked(obj):
    obj["metadata"].get("annotations", {}).pop(TRACKING, None)
    return obj


def deployment(version):
    obj = _untracked(blue_state.deployment("bench", NAMESPACE, version=version, replicas=REPLICAS))
    obj["metadata"]["name"] = "{0}-{1}".format(SERVICE, version)
    return obj


def manifests():
    return [blue_state.namespace(NAMESPACE), deployment("blue"), deployment("green"),
            _untracked(blue_state.service("bench", NAMESPACE)), _untracked(blue_state.ingress("bench", 5, NAMESPACE))]


def switch_target(state_value=None):
    target = {"kind": "service", "namespace": NAMESPACE, "name": SERVICE, "selector_key": "version", "blue_value": "blue", "green_value": "green"}
    return dict(target, **(state_value or {}))


def reset(sandbox, serving="blue"):
    """Both colours at full size, the Service on ``serving``, and the front door answering from it only."""
    for obj in manifests():
        sandbox.apply(copy.deepcopy(obj))
    core, apps, discovery = CoreV1Api(sandbox.api), AppsV1Api(sandbox.api), DiscoveryV1Api(sandbox.api)
    core.patch_namespaced_service(SERVICE, NAMESPACE, {"spec": {"selector": {"app": SERVICE, "version": serving}}})
    for version in ("blue", "green"):
        apps.patch_namespaced_deployment_scale("{0}-{1}".format(SERVICE, version), NAMESPACE, {"spec": {"replicas": REPLICAS}})

    def ready():
        deployments = apps.list_namespaced_deployment(NAMESPACE).items
        if len(deployments) != 2 or any((d.status.available_replicas or 0) < REPLICAS or (d.status.replicas or 0) != REPLICAS for d in deployments):
            return False
        pods = {p.status.pod_ip: p.metadata.labels.get("version") for p in core.list_namespaced_pod(NAMESPACE).items}
        endpoints = [e for s in discovery.list_namespaced_endpoint_slice(NAMESPACE, label_selector="kubernetes.io/service-name=" + SERVICE).items
                     for e in s.endpoints or [] if e.conditions.ready]
        return len(endpoints) == REPLICAS and all(pods.get(e.addresses[0]) == serving for e in endpoints)

    wait_for(ready, 120, "the bench Deployments and the Service on {0}".format(serving))
