"""traffic_gate main() end to end: a fake Kubernetes API for the Ingresses, Services and events, moto for the ALB.

The route auth: blue api/auth-api (group.order 10, NodePort 30001) first, green auth/auth-api parked behind it (20,
NodePort 30002); the ALB's listener sends /api/v1/auth to blue's target group by rule 1, to green's by rule 2.
"""

from unittest.mock import patch

import pytest

from module_runner import run_main

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.cluster import Cluster
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.traffic_gate.runner import run
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.traffic_gate.settings import parse_settings
from ansible_collections.ecoeco.bluegreen.plugins.module_utils import kube_and_aws
from ansible_collections.ecoeco.bluegreen.plugins.modules import traffic_gate
from ansible_collections.ecoeco.bluegreen.tests.unit.plugins.module_utils.switch import fake_k8s as k8s

REGION = "ap-northeast-2"  # the vpc fixture's region
ROUTE = {"name": "auth", "blue": {"namespace": "api", "name": "auth-api"}, "green": {"namespace": "auth", "name": "auth-api"}}
PORTS = {"blue": 30001, "green": 30002}


def node_port_service(ns, node_port):
    return {"kind": "Service", "metadata": {"namespace": ns, "name": "auth-api"},
            "spec": {"type": "NodePort", "ports": [{"name": "http", "port": 8000, "nodePort": node_port}]}}


@pytest.fixture
def aws(alb):
    """moto with ALB ecoeco-alb: /api/v1/auth to blue's target group by rule 1, to green's by rule 2, two running instances in each."""
    elbv2 = alb["elbv2"]
    rules = {}
    for priority, side in ((1, "blue"), (2, "green")):
        group = elbv2.create_target_group(Name="k8s-auth-" + side, Protocol="HTTP", Port=PORTS[side], VpcId=alb["vpc_id"],
                                          TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
        elbv2.register_targets(TargetGroupArn=group, Targets=[{"Id": i, "Port": PORTS[side]} for i in alb["instances"]])
        rules[side] = elbv2.create_rule(
            ListenerArn=alb["listener_arn"], Priority=priority,
            Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/v1/auth", "/api/v1/auth/*"]}}],
            Actions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": group, "Weight": 1}]}}],
        )["Rules"][0]["RuleArn"]
    return dict(alb, rules=rules)


@pytest.fixture
def cluster(aws):
    """The route's Ingresses in the ALB (their status hostname is its DNS name) and their NodePort Services."""
    hostname = aws["alb"]["DNSName"]
    return k8s.FakeK8s(k8s.ingress("api", "auth-api", order=10, hostname=hostname), k8s.ingress("auth", "auth-api", order=20, hostname=hostname),
                       node_port_service("api", PORTS["blue"]), node_port_service("auth", PORTS["green"]))


def run_module(cluster, args):
    with patch.object(kube_and_aws, "get_api_client", return_value=cluster):
        return run_main(traffic_gate.main, dict({"region": REGION, "load_balancer_name": "ecoeco-alb", "routes": [ROUTE],
                                                 "poll_interval": 0.05, "consecutive": 1}, **args))


def test_before_the_switch_both_sides_are_in_the_alb_and_healthy_and_blue_serves(cluster):
    outcome, result = run_module(cluster, {})
    assert outcome == "exit", result
    report = result["report"]
    assert result["changed"] is False
    assert (report["served"], report["alb_serving"], report["healthy"]) == ({"auth": "blue"}, {"auth": "blue"}, True)
    assert report["orders"] == {"auth/blue": 10, "auth/green": 20}
    assert report["groups"] == ["ecoeco"]
    assert [(b["key"], b["service"], b["node_port"]) for b in report["backends"]] == [
        ("auth/blue", "api/auth-api", 30001), ("auth/green", "auth/auth-api", 30002)]
    assert sorted(group["name"] for group in report["target_groups"]) == ["k8s-auth-blue", "k8s-auth-green"]


def test_green_expected_while_the_alb_still_serves_blue_fails_quoting_the_controller(aws, cluster):
    # The annotations already put green first, but the controller has not applied them: the ALB's rules still say blue.
    cluster.obj("Ingress", "auth", "auth-api")["metadata"]["annotations"][k8s.GROUP_ORDER] = "5"
    cluster.add({"kind": "Event", "metadata": {"namespace": "auth", "name": "auth-api.1"}, "type": "Warning", "reason": "FailedBuildModel",
                 "message": "Failed build model due to unknown targetType: bogus", "lastTimestamp": "2026-12-07T03:00:00Z",
                 "involvedObject": {"kind": "Ingress", "namespace": "auth", "name": "auth-api"}})
    outcome, result = run_module(cluster, {"serving": "green", "timeout": 0.3})
    assert outcome == "fail"
    assert "its rules still do not send 1 of 1 route(s) to green: auth is served by blue" in result["msg"]
    assert "The AWS Load Balancer Controller says: auth/auth-api: FailedBuildModel: Failed build model due to unknown targetType: bogus" in result["msg"]
    assert result["serving"] == {"auth": "blue"}

    aws["elbv2"].set_rule_priorities(RulePriorities=[{"RuleArn": aws["rules"]["blue"], "Priority": 3}])
    outcome, result = run_module(cluster, {"serving": "green", "timeout": 5})
    assert outcome == "exit" and result["report"]["alb_serving"] == {"auth": "green"}


def test_a_route_whose_annotations_put_the_other_side_first_is_refused_naming_both_orders(cluster):
    outcome, result = run_module(cluster, {"serving": "green"})
    assert outcome == "fail"
    assert result["msg"] == ("route auth: expected the green Ingress to be evaluated first, but the blue one is "
                             "(blue api/auth-api: group.order 10; green auth/auth-api: group.order 20)")


def test_a_group_order_the_controller_refuses_is_named(cluster):
    cluster.obj("Ingress", "auth", "auth-api")["metadata"]["annotations"][k8s.GROUP_ORDER] = "first"
    outcome, result = run_module(cluster, {})
    assert outcome == "fail"
    assert result["msg"].startswith("Ingress auth/auth-api: ")
    assert "stops reconciling the whole group" in result["msg"]


def test_an_ingress_to_admit_that_is_missing_or_outside_the_alb_is_named(cluster):
    del cluster.store[("Ingress", "auth", "auth-api")]
    cluster.obj("Ingress", "api", "auth-api")["status"]["loadBalancer"]["ingress"] = [{"hostname": "other-alb.example"}]
    outcome, result = run_module(cluster, {"timeout": 0.2})
    assert outcome == "fail"
    assert "route auth: the blue Ingress api/auth-api is not in ALB ecoeco-alb after 0.2 s (status hostname 'other-alb.example'" in result["msg"]
    assert "route auth: the green Ingress auth/auth-api does not exist" in result["msg"]


def test_a_missing_backend_service_is_named(cluster):
    del cluster.store[("Service", "auth", "auth-api")]
    outcome, result = run_module(cluster, {})
    assert outcome == "fail"
    assert result["msg"] == "backend Services missing: auth/auth-api (an Ingress whose Service is missing gets no target group)"


def test_a_backend_without_a_target_group_is_named_after_the_wait(cluster):
    cluster.obj("Service", "auth", "auth-api")["spec"]["ports"][0]["nodePort"] = 31999
    outcome, result = run_module(cluster, {"timeout": 0.2})
    assert outcome == "fail"
    assert "has no target group for some admitted backends after 0.2 s: auth/green (NodePort 31999 of Service auth/auth-api)" in result["msg"]


def test_unhealthy_targets_are_each_named_with_port_state_and_reason(aws, cluster):
    stopped = aws["instances"][0]
    aws["ec2"].stop_instances(InstanceIds=[stopped])
    outcome, result = run_module(cluster, {"timeout": 0.3})
    assert outcome == "fail"
    assert "ALB ecoeco-alb: target groups not all healthy within 0.3 s (every target group of the ALB)" in result["msg"]
    assert "k8s-auth-blue (auth/blue): 1 target(s) not healthy: {0} port 30001 unused (Target.InvalidState)".format(stopped) in result["msg"]
    assert "k8s-auth-green (auth/green): 1 target(s) not healthy: {0} port 30002 unused".format(stopped) in result["msg"]
    assert {target["port"] for target in result["not_healthy"]} == {30001, 30002}


def test_a_rollback_gate_waits_only_for_the_admitted_side(aws, cluster):
    # Green is the broken side: its targets' health does not hold a gate that admits blue only.
    aws["ec2"].stop_instances(InstanceIds=aws["instances"])
    outcome, result = run_module(cluster, {"serving": "blue", "admitted": ["blue"], "all_target_groups": False, "timeout": 0.3})
    assert outcome == "fail"
    assert "(the target groups of the blue side)" in result["msg"] and "k8s-auth-green" not in result["msg"]


@pytest.mark.parametrize("routes, field", [
    ([dict(ROUTE, green={"namespace": "auth"})], "routes[0].green: expected the namespace and name of the route's green Ingress"),
    ([ROUTE, ROUTE], "routes: expected each route name once, got ['auth']"),
    ([], "routes: expected a non-empty list of"),
])
def test_bad_routes_are_refused_naming_the_field_before_any_read(routes, field):
    with patch.object(kube_and_aws, "get_api_client", side_effect=AssertionError("no read before the input is checked")):
        outcome, result = run_main(traffic_gate.main, {"region": REGION, "load_balancer_name": "ecoeco-alb", "routes": routes})
    assert outcome == "fail"
    assert result["msg"].startswith(field)


def test_every_wait_shares_one_deadline_counted_on_the_clock(aws, cluster):
    now, sleeps = [0.0], []

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    cluster.obj("Ingress", "api", "auth-api")["status"]["loadBalancer"]["ingress"] = [{"hostname": "other-alb.example"}]
    settings = parse_settings({"load_balancer_name": "ecoeco-alb", "routes": [ROUTE], "serving": "any", "admitted": ["blue", "green"],
                               "all_target_groups": True, "timeout": 10, "poll_interval": 2, "consecutive": 1})
    with pytest.raises(Exception, match="is not in ALB ecoeco-alb after 10 s"):
        run(Cluster(cluster), aws["elbv2"], settings, sleep=sleep, clock=lambda: now[0])
    assert sleeps == [2, 2, 2, 2, 2]


# -- what serves behind the routes: Deployments rolled out, Services with Ready endpoints -------------------------------

GREEN_DEPLOYMENT = {"namespace": "auth", "name": "auth-api"}
LABELS = {"app": "auth-api"}


@pytest.fixture
def workloads(cluster):
    """Both Services select their pods, two Ready pods and a rolled-out Deployment behind each."""
    for ns, subnet in (("api", "10.1.0"), ("auth", "10.2.0")):
        cluster.obj("Service", ns, "auth-api")["spec"]["selector"] = dict(LABELS)
        cluster.add(k8s.deployment(ns, "auth-api", LABELS, 2), k8s.pods(ns, "auth-api", LABELS, 2, subnet=subnet))
    return cluster


def set_available(cluster, ns, available):
    cluster.obj("Deployment", ns, "auth-api")["status"]["availableReplicas"] = available


def set_pods_ready(cluster, ns, ready):
    for index in range(2):
        cluster.obj("Pod", ns, "auth-api-{0}".format(index))["status"]["conditions"] = [{"type": "Ready", "status": "True" if ready else "False"}]


def test_deployments_rolled_out_and_ready_endpoints_pass_and_are_reported(workloads):
    outcome, result = run_module(workloads, {"deployments": [GREEN_DEPLOYMENT, {"namespace": "api", "name": "auth-api", "extra": 1}],
                                             "ready_endpoints": True})
    assert outcome == "exit", result
    assert result["report"]["deployments"] == ["auth/auth-api", "api/auth-api"]
    assert result["report"]["ready_endpoints"] == {"api/auth-api": 2, "auth/auth-api": 2}


def test_without_the_new_options_the_gate_reads_neither_deployments_nor_endpoint_slices(cluster):
    # phase 50's and the rollback's gates: a cluster that would refuse both kinds does not matter to them
    cluster.served -= {"Deployment", "EndpointSlice"}
    outcome, result = run_module(cluster, {})
    assert outcome == "exit", result
    assert (result["report"]["deployments"], result["report"]["ready_endpoints"]) == ([], {})


def test_every_deployment_not_rolled_out_and_every_service_without_ready_endpoints_is_named_after_the_wait(workloads):
    set_available(workloads, "auth", 1)
    set_pods_ready(workloads, "auth", False)
    outcome, result = run_module(workloads, {"deployments": [GREEN_DEPLOYMENT], "ready_endpoints": True, "admitted": ["green"],
                                             "timeout": 0.3})
    assert outcome == "fail"
    assert result["msg"].startswith("not ready after 0.3 s (the gate allows 0.3 s): ")
    assert result["not_ready"] == [
        "Deployment auth/auth-api is not fully available: 1 of 2 replicas available, 2 updated, 2 running, generation 1 of 1 observed",
        "green Service auth/auth-api has no Ready endpoint (backend of auth/green)"]
    assert "api/auth-api" not in result["msg"]  # blue is not admitted: its endpoints are not this gate's business


def test_a_missing_deployment_ends_the_wait_at_once_naming_the_others_too(workloads):
    set_pods_ready(workloads, "auth", False)
    outcome, result = run_module(workloads, {"deployments": [GREEN_DEPLOYMENT, {"namespace": "chat", "name": "chat-api"}],
                                             "ready_endpoints": True, "timeout": 60})
    assert outcome == "fail"
    assert result["msg"].startswith("not ready after 0 s (the gate allows 60 s): ")
    assert result["not_ready"] == ["Deployment chat/chat-api does not exist",
                                   "green Service auth/auth-api has no Ready endpoint (backend of auth/green)"]


def fake_time():
    now, sleeps = [0.0], []

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    return now, sleeps, sleep


def gate_settings(**overrides):
    return parse_settings(dict({"load_balancer_name": "ecoeco-alb", "routes": [ROUTE], "serving": "any", "admitted": ["blue", "green"],
                                "all_target_groups": True, "timeout": 10, "poll_interval": 2, "consecutive": 1,
                                "deployments": [GREEN_DEPLOYMENT], "ready_endpoints": True}, **overrides))


def test_a_deployment_and_endpoints_becoming_ready_during_the_gate_pass(aws, workloads):
    now, sleeps, sleep = fake_time()
    set_available(workloads, "auth", 0)
    set_pods_ready(workloads, "auth", False)

    def progress(seconds):
        sleep(seconds)
        if len(sleeps) == 1:
            set_available(workloads, "auth", 2)
        if len(sleeps) == 2:
            set_pods_ready(workloads, "auth", True)

    result = run(Cluster(workloads), aws["elbv2"], gate_settings(), sleep=progress, clock=lambda: now[0])
    assert sleeps == [2, 2]
    assert result["report"]["ready_endpoints"] == {"api/auth-api": 2, "auth/auth-api": 2}


def test_the_workloads_wait_shares_the_gates_one_deadline(aws, workloads):
    now, sleeps, sleep = fake_time()
    set_available(workloads, "auth", 1)
    with pytest.raises(Exception, match=r"not ready after 10 s \(the gate allows 10 s\): Deployment auth/auth-api is not fully available"):
        run(Cluster(workloads), aws["elbv2"], gate_settings(), sleep=sleep, clock=lambda: now[0])
    assert sleeps == [2, 2, 2, 2, 2]


@pytest.mark.parametrize("deployments, field", [
    ([{"namespace": "auth"}], "deployments[0]: expected {namespace, name} of a Deployment"),
    ([GREEN_DEPLOYMENT, {"namespace": "", "name": "x"}], "deployments[1]: expected {namespace, name} of a Deployment"),
])
def test_bad_deployments_are_refused_naming_the_field_before_any_read(deployments, field):
    with patch.object(kube_and_aws, "get_api_client", side_effect=AssertionError("no read before the input is checked")):
        outcome, result = run_main(traffic_gate.main, {"region": REGION, "load_balancer_name": "ecoeco-alb", "routes": [ROUTE],
                                                       "deployments": deployments})
    assert outcome == "fail"
    assert result["msg"].startswith(field)
