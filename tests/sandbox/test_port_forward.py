"""``kubectl port-forward`` works on the sandbox as on a real cluster: through kube-apiserver's ``pods/portforward``
to the kubelet endpoint of the pod's node (the kwok controller), which forwards to the pod's stand-in app."""

import json
import re
import subprocess
import urllib.request

from kubernetes.client import AppsV1Api, CoreV1Api, CustomObjectsApi
from kubernetes.client.rest import ApiException
from waiting import wait_for

FORWARDING = re.compile(r"Forwarding from 127\.0\.0\.1:(\d+) ->")


class PortForward:
    """``kubectl port-forward <target> :<port>`` in the background; ``local_port`` is the one kubectl picked."""

    def __init__(self, env, namespace, target, port):
        self.process = subprocess.Popen(
            ["kubectl", "port-forward", "--namespace", namespace, "--address", "127.0.0.1", target, ":{0}".format(port)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.local_port = None

    def __enter__(self):
        line = self.process.stdout.readline()  # kubectl prints the forwarding line once the tunnel listens
        match = FORWARDING.search(line)
        if not match:
            self.process.kill()
            raise AssertionError("kubectl port-forward did not start: " + line + self.process.stdout.read())
        self.local_port = int(match.group(1))
        return self

    def __exit__(self, *_exc):
        self.process.terminate()
        self.process.wait(timeout=10)

    def get(self, path):
        with urllib.request.urlopen("http://127.0.0.1:{0}{1}".format(self.local_port, path), timeout=5) as response:
            return response.status, json.loads(response.read())


def test_kubectl_port_forward_reaches_the_pod_through_the_api_server(kube, sandbox_env, namespace):
    core, apps = CoreV1Api(kube), AppsV1Api(kube)
    labels = {"app": "web", "version": "green"}
    apps.create_namespaced_deployment(namespace, {
        "metadata": {"name": "web", "labels": labels},
        "spec": {"replicas": 2, "selector": {"matchLabels": labels}, "template": {
            "metadata": {"labels": labels},
            "spec": {"nodeSelector": {"workload": "application"},
                     "containers": [{"name": "api", "image": "ecoeco/test:1", "ports": [{"containerPort": 8000}]}]}}},
    })
    # Service port 80 in front of container port 8000: kubectl maps one to the other, as it does in production.
    core.create_namespaced_service(namespace, {
        "metadata": {"name": "web"}, "spec": {"selector": labels, "ports": [{"port": 80, "targetPort": 8000}]}})
    wait_for(lambda: (apps.read_namespaced_deployment("web", namespace).status.available_replicas or 0) == 2)
    pods = core.list_namespaced_pod(namespace).items

    # kube-apiserver reaches a node's kubelet at its InternalIP and kubelet port: loopback, where kwok serves.
    for node in {pod.spec.node_name for pod in pods}:
        status = core.read_node(node).status
        assert [a.address for a in status.addresses if a.type == "InternalIP"] == ["127.0.0.1"]
        assert status.daemon_endpoints.kubelet_endpoint.port > 0

    # Each pod's tunnel ends at that pod's app, which names itself.
    for pod in pods:
        with PortForward(sandbox_env, namespace, "pod/" + pod.metadata.name, 8000) as tunnel:
            assert tunnel.get("/api/v1/whoami")[1]["pod"] == pod.metadata.name
    with PortForward(sandbox_env, namespace, "service/web", 80) as tunnel:
        assert tunnel.get("/health") == (200, {"status": "healthy"})
        assert tunnel.get("/api/v1/whoami")[1]["pod"] in {pod.metadata.name for pod in pods}

    # kwok's PortForward of a pod belongs to the pod: it goes with it.
    custom = CustomObjectsApi(kube)
    doomed = pods[0].metadata.name
    core.delete_namespaced_pod(doomed, namespace, grace_period_seconds=0)

    def port_forward_gone():
        try:
            custom.get_namespaced_custom_object("kwok.x-k8s.io", "v1alpha1", namespace, "portforwards", doomed)
        except ApiException as error:
            return error.status == 404
        return False
    wait_for(port_forward_gone, timeout=30)
