"""green_rollout main() end to end: a fake Kubernetes API (with a rollout and an admission controller), moto for the ALB.

Blue: namespace api with auth-api and orders-api (Deployment of 2 replicas, NodePort Service, Ingress at group.order 10).
Green's namespaces auth and orders exist. The fake API server assigns the green Services the NodePorts 30100 (auth) and
30101 (orders), and the ALB has one target group on each, two running instances in both.
"""

from unittest.mock import patch

import pytest

from module_runner import run_main

from ansible_collections.ecoeco.bluegreen.plugins.module_utils import kube_and_aws
from ansible_collections.ecoeco.bluegreen.plugins.modules import green_rollout
from ansible_collections.ecoeco.bluegreen.tests.unit.plugins.module_utils.switch import fake_k8s as k8s

REGION = "ap-northeast-2"  # the vpc fixture's region
DOMAINS = ("auth", "orders")
GREEN_PORTS = {"auth": k8s.FIRST_NODE_PORT, "orders": k8s.FIRST_NODE_PORT + 1}
TRACKING = "argocd.argoproj.io/tracking-id"


def blue(domain, index):
    name = domain + "-api"
    labels = {"app": name, "version": "blue"}
    deployment = k8s.deployment("api", name, labels, 2)
    deployment["metadata"].update(uid="blue-" + domain, generation=3, labels={"app": name},
                                  annotations={"deployment.kubernetes.io/revision": "3", TRACKING: "{0}:apps/Deployment:api/{1}".format(domain, name)})
    service = {"kind": "Service", "metadata": {"namespace": "api", "name": name, "labels": {"app": name}},
               "spec": {"type": "NodePort", "clusterIP": "10.96.0.{0}".format(index), "clusterIPs": ["10.96.0.{0}".format(index)],
                        "selector": dict(labels), "ports": [{"name": "http", "port": 8000, "targetPort": 8000, "nodePort": 30001 + index}]}}
    ingress = k8s.ingress("api", name, order=10, backend=name, paths=(("", "/api/v1/" + domain),),
                          annotations={TRACKING: "{0}:networking.k8s.io/Ingress:api/{1}".format(domain, name)})
    return [deployment, service, ingress]


def rolled_out(deployment):
    replicas = deployment["spec"]["replicas"]
    deployment["status"] = {"observedGeneration": deployment["metadata"]["generation"], "replicas": replicas, "updatedReplicas": replicas,
                            "availableReplicas": replicas}


@pytest.fixture
def aws(alb):
    """The ALB with one target group per green NodePort, the two instances registered on it, each used by a rule."""
    elbv2 = alb["elbv2"]
    for priority, (domain, port) in enumerate(GREEN_PORTS.items(), start=1):
        group = elbv2.create_target_group(Name="k8s-{0}-green".format(domain), Protocol="HTTP", Port=port, VpcId=alb["vpc_id"],
                                          TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
        elbv2.register_targets(TargetGroupArn=group, Targets=[{"Id": i, "Port": port} for i in alb["instances"]])
        # Parked: the controller gives green's rule a priority behind blue's; what counts here is that the ALB uses the group.
        elbv2.create_rule(ListenerArn=alb["listener_arn"], Priority=priority,
                          Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/v1/" + domain]}}],
                          Actions=[{"Type": "forward", "TargetGroupArn": group}])
    return alb


@pytest.fixture
def cluster(aws):
    world = k8s.FakeK8s(k8s.namespace("api"), *[k8s.namespace(domain) for domain in DOMAINS],
                        *[blue(domain, index) for index, domain in enumerate(DOMAINS)])
    hostname = aws["alb"]["DNSName"]
    world.controllers = {"Deployment": rolled_out,
                         "Ingress": lambda ingress: ingress.update(status={"loadBalancer": {"ingress": [{"hostname": hostname}]}})}
    return world


def run_module(cluster, args=None, check_mode=False):
    params = {"region": REGION, "domains": list(DOMAINS), "name_suffix": "-api", "source_namespace": "api",
              "load_balancer_name": "ecoeco-alb", "poll_interval": 0.05, "consecutive": 1, "timeout": 5}
    if check_mode:
        params["_ansible_check_mode"] = True
    with patch.object(kube_and_aws, "get_api_client", return_value=cluster):
        return run_main(green_rollout.main, dict(params, **(args or {})))


def test_clones_blue_beside_it_parked_and_waits_until_green_serves(cluster):
    outcome, result = run_module(cluster)
    assert outcome == "exit", result
    assert result["changed"] is True
    assert [entry["object"] for entry in result["objects"]] == [
        "Deployment auth/auth-api", "Service auth/auth-api", "Ingress auth/auth-api",
        "Deployment orders/orders-api", "Service orders/orders-api", "Ingress orders/orders-api"]
    report = result["report"]
    assert (report["objects_changed"], report["awaited"], sorted(report["target_groups"])) == (6, True, ["k8s-auth-green", "k8s-orders-green"])
    assert set(report["blue_resource_versions"]) == set(DOMAINS)

    deployment = cluster.obj("Deployment", "auth", "auth-api")
    assert deployment["spec"]["selector"]["matchLabels"] == {"app": "auth-api", "version": "green"}
    assert deployment["spec"]["template"]["metadata"]["labels"] == {"app": "auth-api", "version": "green"}
    assert deployment["metadata"]["labels"] == {"app": "auth-api", "version": "green"}
    # Neither the blue revision nor Argo CD's tracking of the blue object is copied.
    assert deployment["metadata"]["annotations"] == {}
    service = cluster.obj("Service", "auth", "auth-api")
    assert "clusterIP" not in service["spec"] and "clusterIPs" not in service["spec"]
    assert service["spec"]["ports"] == [{"name": "http", "port": 8000, "targetPort": 8000, "nodePort": GREEN_PORTS["auth"]}]
    assert service["spec"]["selector"] == {"app": "auth-api", "version": "green"}
    ingress = cluster.obj("Ingress", "auth", "auth-api")
    assert ingress["metadata"]["annotations"][k8s.GROUP_ORDER] == "20"
    assert TRACKING not in ingress["metadata"]["annotations"]
    assert ingress["spec"] == cluster.obj("Ingress", "api", "auth-api")["spec"]


def test_a_rerun_changes_nothing_and_keeps_the_order_the_switch_gave(cluster):
    assert run_module(cluster)[0] == "exit"
    # The switch moved auth's green Ingress in front of blue.
    cluster.obj("Ingress", "auth", "auth-api")["metadata"]["annotations"][k8s.GROUP_ORDER] = "5"
    writes = len(cluster.writes())
    outcome, result = run_module(cluster)
    assert outcome == "exit", result
    assert (result["changed"], result["objects"], result["report"]["objects_changed"]) == (False, [], 0)
    assert cluster.obj("Ingress", "auth", "auth-api")["metadata"]["annotations"][k8s.GROUP_ORDER] == "5"
    # The merges were sent and changed nothing: the API server stored nothing new.
    assert all(call["content_type"] == k8s.STRATEGIC_MERGE for call in cluster.writes()[writes:])
    assert cluster.obj("Deployment", "auth", "auth-api")["metadata"]["generation"] == 1


def test_check_mode_dry_runs_every_write_stores_nothing_and_does_not_wait(cluster):
    outcome, result = run_module(cluster, check_mode=True)
    assert outcome == "exit", result
    assert (result["changed"], result["report"]["objects_changed"], result["report"]["awaited"]) == (True, 6, False)
    assert cluster.writes() == []
    assert all(call["dry_run"] for call in cluster.patches)
    assert ("Deployment", "auth", "auth-api") not in cluster.store
    assert result["diff"][0]["before"] == {} and result["diff"][0]["after"]["spec"]["replicas"] == 2


def test_tracking_rewrite_points_argo_cd_at_the_green_namespace(cluster):
    outcome, result = run_module(cluster, {"tracking": "rewrite"})
    assert outcome == "exit", result
    assert cluster.obj("Ingress", "orders", "orders-api")["metadata"]["annotations"][TRACKING] == \
        "orders:networking.k8s.io/Ingress:orders/orders-api"


def test_green_that_never_becomes_ready_fails_naming_only_its_domain(cluster):
    def stuck_orders(deployment):
        if deployment["metadata"]["namespace"] == "orders":
            deployment["status"] = {"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 0,
                                    "conditions": [{"type": "Available", "status": "False", "message": "Deployment does not have minimum availability."}]}
        else:
            rolled_out(deployment)

    cluster.controllers["Deployment"] = stuck_orders
    outcome, result = run_module(cluster, {"timeout": 0.3})
    assert outcome == "fail"
    assert result["msg"] == (
        "green of domain orders never became ready within the green deploy timeout (0.3 s): Deployment orders/orders-api has 0 of 2 replicas "
        "available, 2 updated, 2 running, generation 1 of 1 observed (Deployment does not have minimum availability.)")
    assert list(result["pending"]) == ["orders"]


def test_an_ingress_the_controller_does_not_admit_is_named(cluster):
    del cluster.controllers["Ingress"]
    outcome, result = run_module(cluster, {"timeout": 0.3})
    assert outcome == "fail"
    assert "green of domain auth never became ready" in result["msg"] and "green of domain orders never became ready" in result["msg"]
    assert "Ingress auth/auth-api has no load balancer hostname (not admitted by the load balancer controller)" in result["msg"]


def test_unhealthy_target_groups_are_named_with_their_domain_and_states(aws, cluster):
    aws["ec2"].stop_instances(InstanceIds=aws["instances"][:1])
    outcome, result = run_module(cluster, {"timeout": 0.5})
    assert outcome == "fail"
    assert "target groups not healthy: " in result["msg"]
    assert "k8s-auth-green (domain auth, 1 of 2 targets healthy, unused Target.InvalidState)" in result["msg"]
    assert "k8s-orders-green (domain orders, 1 of 2 targets healthy" in result["msg"]
    assert len(result["not_healthy"]) == 2


def test_a_green_nodeport_without_a_target_group_is_named(aws, cluster):
    # The controller has not registered the nodes on orders' NodePort yet.
    group = aws["elbv2"].describe_target_groups(Names=["k8s-orders-green"])["TargetGroups"][0]["TargetGroupArn"]
    aws["elbv2"].deregister_targets(TargetGroupArn=group, Targets=[{"Id": i, "Port": GREEN_PORTS["orders"]} for i in aws["instances"]])
    outcome, result = run_module(cluster, {"timeout": 0.3})
    assert outcome == "fail"
    assert "no target group of load balancer ecoeco-alb has targets on the green NodePort of domain(s) orders (NodePorts 30101)" in result["msg"]


def test_blue_changed_while_green_was_deployed_fails_naming_it(cluster):
    def touch_blue(deployment):
        rolled_out(deployment)
        if deployment["metadata"]["namespace"] == "orders":
            cluster.obj("Deployment", "api", "orders-api")["spec"]["replicas"] = 1

    cluster.controllers["Deployment"] = touch_blue
    outcome, result = run_module(cluster)
    assert outcome == "fail"
    assert result["msg"].startswith("blue Deployment api/orders-api (domain orders) changed while green was deployed: spec differ")


def test_a_missing_blue_object_is_named_and_nothing_is_written(cluster):
    del cluster.store[("Service", "api", "orders-api")]
    outcome, result = run_module(cluster)
    assert outcome == "fail"
    assert result["msg"] == "cannot clone blue: Service orders-api not found in namespace api"
    assert cluster.writes() == []


def test_a_missing_green_namespace_fails_but_check_mode_says_it_is_only_planned(cluster):
    del cluster.store[("Namespace", None, "orders")]
    outcome, result = run_module(cluster)
    assert outcome == "fail"
    assert result["msg"].startswith("domains: namespaces orders not found (create them first")
    outcome, result = run_module(cluster, check_mode=True)
    assert outcome == "exit", result
    assert (result["changed"], result["report"]["awaited"]) == (True, False)
    assert cluster.writes() == []


def test_source_argocd_writes_nothing_and_waits_for_green(cluster):
    outcome, result = run_module(cluster, {"source": "argocd", "timeout": 0.3})
    assert outcome == "fail"
    assert "Deployment auth/auth-api with labels version=green not found" in result["msg"]
    assert cluster.writes() == []


@pytest.mark.parametrize("args, field", [
    ({"domains": ["Auth"]}, "domains: expected a non-empty list of distinct domains"),
    ({"domains": ["auth", "auth"]}, "domains: expected"),
    ({"source_namespace": "auth"}, "source_namespace: expected the namespace blue runs in"),
    ({"name_suffix": "_api"}, "name_suffix: expected a suffix"),
    ({"labels": {}}, "labels: expected a non-empty dict"),
    ({"timeout": 0}, "timeout: expected a number of seconds greater than 0"),
    ({"load_balancer_name": ""}, "load_balancer_name: expected the name of the ALB"),
])
def test_bad_input_is_refused_naming_the_field_before_any_read(cluster, args, field):
    outcome, result = run_module(cluster, args)
    assert outcome == "fail"
    assert result["msg"].startswith(field)
    assert cluster.patches == []


def test_source_manifests_writes_the_definitions_and_waits_for_them(cluster):
    green = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"namespace": "auth", "name": "auth-api", "labels": {"version": "green"}},
             "spec": {"replicas": 1, "selector": {"matchLabels": {"version": "green"}}, "template": {"metadata": {"labels": {"version": "green"}}}}}
    args = {"domains": ["auth"], "source": "manifests", "definitions": [green], "ingress": False, "target_health": False}
    outcome, result = run_module(cluster, args)
    assert outcome == "exit", result
    assert [entry["object"] for entry in result["objects"]] == ["Deployment auth/auth-api"]
    assert cluster.obj("Deployment", "auth", "auth-api")["spec"]["replicas"] == 1
    unknown = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"namespace": "auth", "name": "w"}}
    outcome, result = run_module(cluster, dict(args, definitions=[green, unknown]))
    assert outcome == "fail"
    assert result["msg"] == "the API server serves no kind Widget in apiVersion example.com/v1"


@pytest.mark.parametrize("args, message", [
    ({"source": "manifests"}, "definitions: expected the green objects to apply"),
    ({"source": "manifests", "definitions": [{"kind": "Deployment", "metadata": {"name": "x"}}]}, "definitions[0]: expected a Kubernetes object"),
    ({"definitions": [{"kind": "Deployment"}]}, "definitions: expected nothing unless source=manifests"),
])
def test_definitions_are_checked_before_any_read(cluster, args, message):
    outcome, result = run_module(cluster, args)
    assert outcome == "fail"
    assert result["msg"].startswith(message)
    assert cluster.patches == []
