"""bluegreen_switch loses the race for a Service selector on the real API server.

Someone else changes a Service's selector between the module's verification and its flip. The window is a few
milliseconds, so the test opens it on purpose: the module runs in-process against the sandbox and the write of the
other party is made, through the API server, right after verification returns. What is proven here is the API
server's part, which the unit tests (tests/unit/.../switch/test_flip.py) can only fake: the JSON patch's ``test``
operation makes the server refuse the stale flip, the flip already made is put back with the same
compare-and-swap, and the other party's write is left alone."""

import uuid
from unittest import mock

import pytest
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch import runner
from ansible_collections.ecoeco.bluegreen.plugins.modules import bluegreen_switch
from ansible_collections.ecoeco.bluegreen.tests.unit.plugins.modules.module_runner import run_main
from pod_template import blue_pod_template
from waiting import wait_for

APPS = ("one", "two")


@pytest.fixture
def release_namespace(kube):
    """Per app, blue and green Deployments (one pod each) and a Service selecting blue, in a scratch namespace."""
    from kubernetes import client

    core, apps = client.CoreV1Api(kube), client.AppsV1Api(kube)
    name = "race-" + uuid.uuid4().hex[:6]
    template = blue_pod_template()
    core.create_namespace({"metadata": {"name": name}})
    try:
        for app in APPS:
            for version in ("blue", "green"):
                labels = {"app": app, "version": version}
                apps.create_namespaced_deployment(name, {
                    "metadata": {"name": "{0}-{1}".format(app, version)},
                    "spec": {"replicas": 1, "selector": {"matchLabels": labels}, "template": dict(template, metadata={"labels": labels})},
                })
            core.create_namespaced_service(name, {"metadata": {"name": app}, "spec": {
                "selector": {"app": app, "version": "blue"}, "ports": [{"port": 8000, "targetPort": 8000}]}})
        for deployment in ["{0}-{1}".format(app, version) for app in APPS for version in ("blue", "green")]:
            wait_for(lambda: apps.read_namespaced_deployment(deployment, name).status.ready_replicas == 1, what=deployment + " ready")
        yield name
    finally:
        core.delete_namespace(name)


def selector_version(kube, namespace, service):
    from kubernetes import client

    return client.CoreV1Api(kube).read_namespaced_service(service, namespace).spec.selector["version"]


def endpoint_versions(kube, namespace, service):
    """The ``version`` label of the pods behind the Service's Ready endpoints."""
    from kubernetes import client

    core = client.CoreV1Api(kube)
    slices = client.DiscoveryV1Api(kube).list_namespaced_endpoint_slice(namespace, label_selector="kubernetes.io/service-name=" + service)
    pods = [endpoint.target_ref.name for item in slices.items for endpoint in item.endpoints or []
            if endpoint.conditions.ready and endpoint.target_ref]
    return {core.read_namespaced_pod(pod, namespace).metadata.labels["version"] for pod in pods}


def test_a_selector_changed_after_verification_stops_the_switch_and_the_earlier_flip_is_put_back(sandbox_env, kube, release_namespace):
    from kubernetes import client

    namespace = release_namespace
    verify_targets = runner.verify_targets

    def verify_then_someone_else_writes(*args, **kwargs):
        plans = verify_targets(*args, **kwargs)
        client.CoreV1Api(kube).patch_namespaced_service("two", namespace, {"spec": {"selector": {"version": "canary"}}})
        return plans

    targets = [{"kind": "service", "namespace": namespace, "name": app, "blue_value": "blue", "green_value": "green"} for app in APPS]
    with mock.patch.object(runner, "verify_targets", verify_then_someone_else_writes):
        how, result = run_main(bluegreen_switch.main, {"kubeconfig": sandbox_env["KUBECONFIG"], "targets": targets, "settle_grace": 0})

    assert how == "fail", result
    assert result["msg"] == (
        "Switch stopped at targets[1] (Service {0}/two): spec.selector.version is no longer 'blue': someone else changed it "
        "(compare-and-swap failed). Nothing was written to it. Rolled back targets[0]: traffic is where it was before this run."
    ).format(namespace)
    assert [(target["target"], target["outcome"]) for target in result["targets"]] == [("targets[0]", "rolled back"), ("targets[1]", "failed")]
    assert result["changed"] is False
    # What the API server holds: the first Service back on blue, the other party's selector untouched.
    assert selector_version(kube, namespace, "one") == "blue"
    assert selector_version(kube, namespace, "two") == "canary"
    assert wait_for(lambda: endpoint_versions(kube, namespace, "one") == {"blue"}, what="Service one served by blue")
