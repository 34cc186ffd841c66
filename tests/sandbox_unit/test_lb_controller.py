"""The stand-in Load Balancer Controller against in-process moto and a fake API server."""

import logging
import threading

import pytest
from botocore.exceptions import ClientError

from ecoeco_sandbox.aws.desired import target_group_name
from ecoeco_sandbox.aws.lb_controller import LoadBalancerController
from ecoeco_sandbox.aws.seed import seed_network
from ecoeco_sandbox.aws.target_health import set_health_override

from kube_fakes import endpoint_slice, ingress, node, service

NODES = [
    node("control-plane", "node-role.kubernetes.io/control-plane"),
    node("worker-1"),
    node("worker-2"),
    node("edge", "node.kubernetes.io/exclude-from-external-load-balancers"),
]
BLUE = ("api", "auth-api")
GREEN = ("auth", "auth-api")
PATH = "/api/v1/auth"


class FakeClock:
    """Monotonic clock the test moves by hand."""

    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def blue_green(kube, blue_order=1, green_order=2, green=True):
    """Blue auth-api in ``api`` and (optionally) green auth-api in ``auth``, same path, same IngressGroup."""
    kube.put(*NODES)
    for (namespace, name), order, node_port in ((BLUE, blue_order, 30001), (GREEN, green_order, 30002))[:2 if green else 1]:
        kube.put(
            service(namespace, name, node_port=node_port),
            endpoint_slice(namespace, name, [True, True]),
            ingress(namespace, name, [(PATH, "Prefix", name, 8000)], group="ecoeco", order=order, lb_name="ecoeco-alb",
                    annotations={"alb.ingress.kubernetes.io/healthcheck-path": "/health"}),
        )


@pytest.fixture
def make_controller(aws, kube):
    """Build a controller on a seeded network (fake clock, resync on every pass unless told otherwise)."""
    elbv2, ec2, _calls = aws
    network = seed_network(ec2, [n["metadata"]["name"] for n in NODES])

    def make(**options):
        options.setdefault("resync_interval", 0.0)
        options.setdefault("clock", FakeClock())
        return LoadBalancerController(kube.api_client, elbv2, ec2, network, **options), network
    return make


def load_balancers(elbv2):
    return elbv2.describe_load_balancers()["LoadBalancers"]


def rules(elbv2):
    """[(priority, path values, target group name)] of the only ALB's :80 listener, by priority."""
    lb_arn = load_balancers(elbv2)[0]["LoadBalancerArn"]
    listener_arn = elbv2.describe_listeners(LoadBalancerArn=lb_arn)["Listeners"][0]["ListenerArn"]
    names = {tg["TargetGroupArn"]: tg["TargetGroupName"] for tg in elbv2.describe_target_groups()["TargetGroups"]}
    found = []
    for rule in [r for page in elbv2.get_paginator("describe_rules").paginate(ListenerArn=listener_arn) for r in page["Rules"]]:
        if not rule["IsDefault"]:
            [paths] = [c["PathPatternConfig"]["Values"] for c in rule["Conditions"] if c["Field"] == "path-pattern"]
            found.append((int(rule["Priority"]), paths, names[rule["Actions"][0]["TargetGroupArn"]]))
    return sorted(found)


def target_group(elbv2, namespace, service_name):
    """The target group of ``namespace/service_name`` (by the controller's resource tag)."""
    groups = elbv2.describe_target_groups()["TargetGroups"]
    tags = elbv2.describe_tags(ResourceArns=[tg["TargetGroupArn"] for tg in groups])["TagDescriptions"]
    wanted = f"{namespace}/{service_name}:8000"
    arns = [d["ResourceArn"] for d in tags if {"Key": "ingress.k8s.aws/resource", "Value": wanted} in d["Tags"]]
    return next(tg for tg in groups if tg["TargetGroupArn"] in arns)


def health(elbv2, target_group_arn):
    """{instance id: (State, Reason)} from describe_target_health."""
    return {d["Target"]["Id"]: (d["TargetHealth"]["State"], d["TargetHealth"].get("Reason"))
            for d in elbv2.describe_target_health(TargetGroupArn=target_group_arn)["TargetHealthDescriptions"]}


def test_group_members_in_two_namespaces_share_one_alb(aws, kube, make_controller):
    elbv2, _ec2, _calls = aws
    blue_green(kube)
    controller, network = make_controller()
    controller.reconcile_once()

    [lb] = load_balancers(elbv2)
    assert (lb["LoadBalancerName"], lb["Scheme"]) == ("ecoeco-alb", "internal")
    assert sorted(zone["SubnetId"] for zone in lb["AvailabilityZones"]) == sorted(network["subnet_ids"])
    [listener] = elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    assert (listener["Port"], listener["DefaultActions"][0]["FixedResponseConfig"]["StatusCode"]) == (80, "404")
    blue_tg, green_tg = target_group(elbv2, *BLUE), target_group(elbv2, *GREEN)
    assert rules(elbv2) == [(1, [PATH, PATH + "/*"], blue_tg["TargetGroupName"]), (2, [PATH, PATH + "/*"], green_tg["TargetGroupName"])]
    assert (blue_tg["Port"], blue_tg["HealthCheckPath"], blue_tg["TargetType"], blue_tg["Protocol"]) == (30001, "/health", "instance", "HTTP")
    assert blue_tg["TargetGroupName"].startswith("k8s-api-auth-api-") and len(blue_tg["TargetGroupName"]) <= 32
    workers = {network["instances"]["worker-1"], network["instances"]["worker-2"]}
    assert set(health(elbv2, blue_tg["TargetGroupArn"])) == workers  # no control-plane, no excluded node
    assert {kube.get("ingresses", *key)["status"]["loadBalancer"]["ingress"][0]["hostname"] for key in (BLUE, GREEN)} == {lb["DNSName"]}


def test_order_flip_swaps_priorities_in_one_call(aws, kube, make_controller):
    elbv2, _ec2, calls = aws
    blue_green(kube, blue_order=1, green_order=2)
    controller, _network = make_controller()
    controller.reconcile_once()
    blue_name, green_name = target_group(elbv2, *BLUE)["TargetGroupName"], target_group(elbv2, *GREEN)["TargetGroupName"]
    calls.clear()

    kube.get("ingresses", *GREEN)["metadata"]["annotations"]["alb.ingress.kubernetes.io/group.order"] = "0"
    controller.reconcile_once()

    assert [(priority, name) for priority, _paths, name in rules(elbv2)] == [(1, green_name), (2, blue_name)]
    assert calls.writes() == ["SetRulePriorities"]


def test_green_added_in_front_takes_over_with_one_reorder(aws, kube, make_controller):
    elbv2, _ec2, calls = aws
    blue_green(kube, green=False)
    controller, _network = make_controller()
    controller.reconcile_once()
    calls.clear()

    kube.put(service(*GREEN, node_port=30002), endpoint_slice(*GREEN, [True]),
             ingress(*GREEN, [(PATH, "Prefix", GREEN[1], 8000)], group="ecoeco", order=0))
    controller.reconcile_once()

    green_name = target_group(elbv2, *GREEN)["TargetGroupName"]
    assert rules(elbv2)[0][2] == green_name
    assert [op for op in calls.writes() if op != "RegisterTargets"] == ["CreateTargetGroup", "CreateRule", "SetRulePriorities"]


def test_rules_and_target_groups_go_with_their_ingress(aws, kube, make_controller):
    elbv2, _ec2, _calls = aws
    blue_green(kube, blue_order=1, green_order=2)
    controller, _network = make_controller()
    controller.reconcile_once()
    blue_arn, green_name = target_group(elbv2, *BLUE)["TargetGroupArn"], target_group(elbv2, *GREEN)["TargetGroupName"]

    kube.delete("ingresses", *BLUE)
    controller.reconcile_once()

    assert rules(elbv2) == [(1, [PATH, PATH + "/*"], green_name)]
    with pytest.raises(ClientError, match="TargetGroupNotFound"):
        elbv2.describe_target_groups(TargetGroupArns=[blue_arn])

    kube.delete("ingresses", *GREEN)
    controller.reconcile_once()

    assert load_balancers(elbv2) == []
    assert elbv2.describe_target_groups()["TargetGroups"] == []


def test_health_follows_ready_endpoints(aws, kube, make_controller):
    elbv2, _ec2, _calls = aws
    blue_green(kube, green=False)
    kube.put(endpoint_slice(*BLUE, [False, None]))  # an unset ready condition counts as ready
    controller, _network = make_controller(healthy_after=1.0)
    clock = controller._clock  # pylint: disable=protected-access
    controller.reconcile_once()
    arn = target_group(elbv2, *BLUE)["TargetGroupArn"]

    def states():
        controller.reconcile_once()
        return set(health(elbv2, arn).values())

    assert states() == {("initial", "Elb.InitialHealthChecking")}
    clock.now += 0.9
    assert states() == {("initial", "Elb.InitialHealthChecking")}
    clock.now += 0.1
    assert states() == {("healthy", None)}
    kube.put(endpoint_slice(*BLUE, [False]))
    assert states() == {("unhealthy", "Target.FailedHealthChecks")}
    kube.put(endpoint_slice(*BLUE, [True]))
    clock.now += 0.5
    assert states() == {("unhealthy", "Target.FailedHealthChecks")}
    clock.now += 1.0
    assert states() == {("healthy", None)}


def test_new_target_group_without_endpoints_turns_unhealthy(aws, kube, make_controller):
    elbv2, _ec2, _calls = aws
    blue_green(kube, green=False)
    kube.put(endpoint_slice(*BLUE, []))
    controller, _network = make_controller(healthy_after=1.0)
    controller.reconcile_once()
    arn = target_group(elbv2, *BLUE)["TargetGroupArn"]
    assert set(health(elbv2, arn).values()) == {("initial", "Elb.InitialHealthChecking")}
    controller._clock.now += 1.0  # pylint: disable=protected-access
    controller.reconcile_once()
    assert set(health(elbv2, arn).values()) == {("unhealthy", "Target.FailedHealthChecks")}


def test_override_tag_beats_computed_health(aws, kube, make_controller):
    elbv2, _ec2, _calls = aws
    blue_green(kube, green=False)
    controller, network = make_controller(healthy_after=0.0)
    controller.reconcile_once()
    arn = target_group(elbv2, *BLUE)["TargetGroupArn"]
    worker_1, worker_2 = network["instances"]["worker-1"], network["instances"]["worker-2"]
    assert set(health(elbv2, arn).values()) == {("healthy", None)}

    set_health_override(elbv2, arn, worker_1, "draining")
    assert health(elbv2, arn) == {worker_1: ("draining", "Target.DeregistrationInProgress"), worker_2: ("healthy", None)}
    set_health_override(elbv2, arn, None, "unhealthy")
    assert health(elbv2, arn) == {worker_1: ("draining", "Target.DeregistrationInProgress"), worker_2: ("unhealthy", "Target.FailedHealthChecks")}
    set_health_override(elbv2, arn, worker_1, None)
    set_health_override(elbv2, arn, None, None)
    controller.reconcile_once()  # the override tags must not make the controller rewrite anything
    assert set(health(elbv2, arn).values()) == {("healthy", None)}


def test_second_pass_writes_nothing(aws, kube, make_controller):
    elbv2, _ec2, calls = aws
    blue_green(kube)
    controller, _network = make_controller()
    controller.reconcile_once()
    patches = len(kube.status_patches)
    calls.clear()

    controller.reconcile_once()

    assert calls.writes() == []
    assert calls.operations  # resync_interval=0: it did compare with moto
    assert len(kube.status_patches) == patches == 2


def test_unchanged_cluster_skips_aws_until_resync(aws, kube, make_controller):
    _elbv2, _ec2, calls = aws
    blue_green(kube)
    controller, _network = make_controller(resync_interval=10.0)
    controller.reconcile_once()
    calls.clear()
    controller.reconcile_once()
    assert calls.operations == []
    controller._clock.now += 10.0  # pylint: disable=protected-access
    controller.reconcile_once()
    assert calls.operations and calls.writes() == []


@pytest.mark.parametrize("broken, reason", [
    (lambda kube: kube.delete("services", *GREEN), "service auth/auth-api not found"),
    (lambda kube: kube.put(service(*GREEN, service_type="ClusterIP")), "is ClusterIP, instance targets need NodePort"),
    (lambda kube: kube.get("ingresses", *GREEN)["metadata"]["annotations"].update({"alb.ingress.kubernetes.io/group.order": "x"}), "group.order"),
])
def test_broken_ingress_is_skipped_and_others_go_on(aws, kube, make_controller, caplog, broken, reason):
    elbv2, _ec2, _calls = aws
    blue_green(kube)
    broken(kube)
    controller, _network = make_controller()
    with caplog.at_level(logging.WARNING, logger="ecoeco_sandbox.lb_controller"):
        controller.reconcile_once()
        controller.reconcile_once()
    assert rules(elbv2) == [(1, [PATH, PATH + "/*"], target_group(elbv2, *BLUE)["TargetGroupName"])]
    [record] = [r for r in caplog.records if "auth/auth-api skipped" in r.getMessage()]  # logged once, not per pass
    assert reason in record.getMessage()


def test_node_changes_register_and_deregister_targets(aws, kube, make_controller):
    elbv2, ec2, _calls = aws
    blue_green(kube, green=False)
    controller, network = make_controller()
    controller.reconcile_once()
    arn = target_group(elbv2, *BLUE)["TargetGroupArn"]

    seed_network(ec2, ["worker-3"])  # found later by its Name tag
    kube.put(node("worker-3"))
    kube.delete("nodes", None, "worker-1")
    controller.reconcile_once()

    worker_3 = ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": ["worker-3"]}])["Reservations"][0]["Instances"][0]["InstanceId"]
    assert set(health(elbv2, arn)) == {network["instances"]["worker-2"], worker_3}


def test_run_survives_a_failing_pass(make_controller, caplog):
    controller, _network = make_controller()
    stop = threading.Event()
    passes = []

    def reconcile_once():
        passes.append(1)
        if len(passes) == 3:
            stop.set()
        if len(passes) == 1:
            raise RuntimeError("apiserver away")
    controller.reconcile_once = reconcile_once
    with caplog.at_level(logging.WARNING, logger="ecoeco_sandbox.lb_controller"):
        controller.run(stop, interval=0.0)
    assert len(passes) == 3
    assert any("apiserver away" in r.getMessage() for r in caplog.records)


def test_host_rule_gets_host_header_condition(aws, kube, make_controller):
    elbv2, _ec2, _calls = aws
    kube.put(*NODES, service("web", "site"), ingress("web", "site", [("/", "Prefix", "site", 8000)], host="site.example"))
    controller, _network = make_controller()
    controller.reconcile_once()
    [lb] = load_balancers(elbv2)
    assert lb["LoadBalancerName"] == "k8s-web-site"
    listener_arn = elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"][0]["ListenerArn"]
    [rule] = [r for r in elbv2.describe_rules(ListenerArn=listener_arn)["Rules"] if not r["IsDefault"]]
    assert rule["Conditions"] == [{"Field": "host-header", "HostHeaderConfig": {"Values": ["site.example"]}},
                                  {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/*"]}}]


def test_failed_group_does_not_block_others_and_is_retried_later(aws, kube, make_controller, caplog):
    elbv2, _ec2, calls = aws
    blue_green(kube, green=False)
    kube.put(service("web", "site"), ingress("web", "site", [("/", "Prefix", "site", 8000)]))
    controller, network = make_controller(resync_interval=10.0)
    # Someone else's target group holds the name the blue backend needs.
    taken = target_group_name(controller.cluster_name, "ecoeco", *BLUE, 8000, 30001)
    elbv2.create_target_group(Name=taken, Protocol="HTTP", Port=80, VpcId=network["vpc_id"])
    with caplog.at_level(logging.WARNING, logger="ecoeco_sandbox.lb_controller"):
        controller.reconcile_once()
        assert sorted(lb["LoadBalancerName"] for lb in load_balancers(elbv2)) == ["ecoeco-alb", "k8s-web-site"]
        calls.clear()
        controller._clock.now += 0.5  # pylint: disable=protected-access
        controller.reconcile_once()
        assert calls.operations == []  # no hammering while the trouble lasts
        controller._clock.now += 0.5  # pylint: disable=protected-access
        controller.reconcile_once()
        assert "CreateTargetGroup" in calls.writes()
    failures = [r.getMessage() for r in caplog.records if "DuplicateTargetGroupName" in r.getMessage()]
    assert len(failures) == 1 and taken in failures[0]
    assert any(f"{taken} is not ready" in r.getMessage() for r in caplog.records)


def test_stopped_instance_is_skipped_not_blocking(aws, kube, make_controller):
    elbv2, ec2, _calls = aws
    blue_green(kube, green=False)
    controller, network = make_controller()
    ec2.stop_instances(InstanceIds=[network["instances"]["worker-1"]])
    controller.reconcile_once()
    assert set(health(elbv2, target_group(elbv2, *BLUE)["TargetGroupArn"])) == {network["instances"]["worker-2"]}
    assert len(rules(elbv2)) == 1


def test_a_listener_past_one_page_of_rules_is_read_whole(aws, kube, make_controller):
    """moto answers DescribeRules 50 rules a page: read as one page, rule 51 on looked free and creating there failed."""
    elbv2, _ec2, _calls = aws
    kube.put(*NODES)
    for index in range(60):
        name = "svc-{0:02d}".format(index)
        kube.put(service("api", name, node_port=30100 + index), endpoint_slice("api", name, [True]),
                 ingress("api", name, [("/" + name, "Prefix", name, 8000)], group="ecoeco", order=index + 1, lb_name="ecoeco-alb"))
    controller, _network = make_controller()
    controller.reconcile_once()
    # One more, in front of all the others: every priority moves, none may be taken twice.
    kube.put(service("api", "front", node_port=30099), endpoint_slice("api", "front", [True]),
             ingress("api", "front", [("/front", "Prefix", "front", 8000)], group="ecoeco", order=0, lb_name="ecoeco-alb"))
    controller.reconcile_once()

    found = rules(elbv2)
    assert [priority for priority, _paths, _name in found] == list(range(1, 62))
    assert found[0][1][0] == "/front" and found[-1][1][0] == "/svc-59"
