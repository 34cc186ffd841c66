"""The sandbox is the real thing: a real API server, controllers and scheduler, pods that answer HTTP,
namespaces that finalize, and a moto ALB whose health reads back through boto3."""

import json
import time
import urllib.request
import uuid

from kubernetes.client import AppsV1Api, CoreV1Api, DiscoveryV1Api, VersionApi
from kubernetes.client.rest import ApiException
from waiting import wait_for

from ecoeco_sandbox.aws.target_health import set_health_override
from ecoeco_sandbox.topology import loopback_address


def http_get(pod_ip, port, path):
    try:
        with urllib.request.urlopen("http://{0}:{1}{2}".format(loopback_address(pod_ip), port, path), timeout=3) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
    except urllib.error.URLError:
        return None, None  # the pod's app is not listening (yet)


def app_deployment(name, annotations=None, replicas=2):
    labels = {"app": name, "version": "green"}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": labels},
        "spec": {
            "replicas": replicas, "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels, "annotations": annotations or {}},
                "spec": {"nodeSelector": {"workload": "application"},
                         "containers": [{"name": "api", "image": "ecoeco/test:1", "ports": [{"containerPort": 8000}]}]},
            },
        },
    }


def test_api_server_reports_kubernetes_1_35(kube):
    assert VersionApi(kube).get_code().git_version.startswith("v1.35.")


def test_nodes_mirror_the_seed_cluster(kube):
    nodes = {n.metadata.name: n for n in CoreV1Api(kube).list_node().items}
    assert set(nodes) == {"k8s-master", "k8s-worker-1", "k8s-worker-2", "k8s-rabbitmq", "k8s-postgresql", "k8s-redis", "k8s-monitoring"}
    assert {n for n, node in nodes.items() if (node.metadata.labels or {}).get("workload") == "application"} == {"k8s-worker-1", "k8s-worker-2"}
    assert all(node.spec.taints for name, node in nodes.items() if name not in ("k8s-worker-1", "k8s-worker-2"))


def test_deployment_becomes_available_on_application_nodes_and_pods_answer(kube, namespace):
    AppsV1Api(kube).create_namespaced_deployment(namespace, app_deployment("web", replicas=3))
    CoreV1Api(kube).create_namespaced_service(namespace, {
        "metadata": {"name": "web"}, "spec": {"selector": {"app": "web"}, "ports": [{"port": 8000, "targetPort": 8000}]}})

    started = time.monotonic()
    wait_for(lambda: (AppsV1Api(kube).read_namespaced_deployment(
        "web", namespace).status.available_replicas or 0) == 3)
    # Readiness is simulated with a delay (about 1-4 s), never instant.
    assert time.monotonic() - started > 0.5

    pods = CoreV1Api(kube).list_namespaced_pod(namespace).items
    assert {p.spec.node_name for p in pods} <= {"k8s-worker-1", "k8s-worker-2"}

    def ready_endpoints():
        slices = DiscoveryV1Api(kube).list_namespaced_endpoint_slice(namespace, label_selector="kubernetes.io/service-name=web").items
        return [a for s in slices for e in s.endpoints or [] if e.conditions.ready for a in e.addresses]
    assert sorted(wait_for(lambda: len(ready_endpoints()) == 3 and ready_endpoints())) == sorted(p.status.pod_ip for p in pods)

    pod = pods[0]
    code, body = wait_for(lambda: http_get(pod.status.pod_ip, 8000, "/api/v1/whoami")[0] and http_get(pod.status.pod_ip, 8000, "/api/v1/whoami"))
    assert code == 200
    assert body["pod"] == pod.metadata.name and body["namespace"] == namespace and body["version"] == "green"
    assert http_get(pod.status.pod_ip, 8000, "/health") == (200, {"status": "healthy"})
    # The app learns readiness from its own watch of the pod, a moment after the API server knows it.
    assert wait_for(lambda: http_get(pod.status.pod_ip, 8000, "/ready")[0] == 200)


def test_never_ready_pods_stay_unready_and_failing_pods_answer_500(kube, namespace):
    apps = AppsV1Api(kube)
    apps.create_namespaced_deployment(namespace, app_deployment("stuck", {"sandbox.ecoeco.io/never-ready": "true"}, replicas=1))
    apps.create_namespaced_deployment(namespace, app_deployment("broken", {"sandbox.ecoeco.io/health": "failing"}, replicas=1))
    core = CoreV1Api(kube)
    broken = wait_for(lambda: [p for p in core.list_namespaced_pod(namespace, label_selector="app=broken").items
                               if p.status.pod_ip and p.status.phase == "Running"])[0]
    assert wait_for(lambda: http_get(broken.status.pod_ip, 8000, "/health")[0] == 500)
    time.sleep(5)  # longer than the longest simulated readiness delay (1 s + 3 s jitter)
    stuck = core.list_namespaced_pod(namespace, label_selector="app=stuck").items[0]
    assert stuck.status.phase == "Running"
    assert [c.status for c in stuck.status.conditions if c.type == "Ready"] == ["False"]
    assert http_get(stuck.status.pod_ip, 8000, "/ready")[0] == 503
    assert (apps.read_namespaced_deployment("stuck", namespace).status.available_replicas or 0) == 0


def test_deleting_a_namespace_finalizes(kube):
    core = CoreV1Api(kube)
    name = "sandbox-finalize-" + uuid.uuid4().hex[:6]
    core.create_namespace({"metadata": {"name": name}})
    AppsV1Api(kube).create_namespaced_deployment(name, app_deployment("doomed", replicas=2))
    wait_for(lambda: len(core.list_namespaced_pod(name).items) == 2)
    core.delete_namespace(name)

    def gone():
        try:
            core.read_namespace(name)
        except ApiException as error:
            return error.status == 404
        return False
    wait_for(gone, timeout=90)


def test_blue_starting_state_serves_through_the_alb(blue_state, kube, aws):
    deployments = AppsV1Api(kube).list_namespaced_deployment("api").items
    assert sorted(d.metadata.name for d in deployments) == sorted(d + "-api" for d in
                                                                  ["auth", "my", "scan", "character", "location", "info", "chat"])
    assert all(d.spec.template.metadata.labels["version"] == "blue" and d.spec.replicas == 2 for d in deployments)
    elbv2 = aws("elbv2")
    alb = elbv2.describe_load_balancers(Names=["ecoeco-alb"])["LoadBalancers"][0]
    listener = elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"][0]
    rules = [r for r in elbv2.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"] if not r["IsDefault"]]
    assert len(rules) == 7
    for rule in rules:
        group_arn = rule["Actions"][0]["TargetGroupArn"] if "TargetGroupArn" in rule["Actions"][0] else \
            rule["Actions"][0]["ForwardConfig"]["TargetGroups"][0]["TargetGroupArn"]
        states = [t["TargetHealth"]["State"] for t in elbv2.describe_target_health(TargetGroupArn=group_arn)["TargetHealthDescriptions"]]
        assert states and set(states) == {"healthy"}


def test_target_set_unhealthy_reads_back_unhealthy_through_boto3(aws):
    elbv2 = aws("elbv2")
    group = elbv2.describe_target_groups()["TargetGroups"][0]
    arn = group["TargetGroupArn"]
    target = elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"][0]["Target"]["Id"]
    set_health_override(elbv2, arn, target, "unhealthy")
    try:
        states = {t["Target"]["Id"]: t["TargetHealth"] for t in elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]}
        assert states[target]["State"] == "unhealthy"
        assert states[target]["Reason"] == "Target.FailedHealthChecks"
    finally:
        set_health_override(elbv2, arn, target, None)
    states = {t["Target"]["Id"]: t["TargetHealth"]["State"] for t in elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]}
    assert states[target] == "healthy"
