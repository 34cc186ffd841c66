"""The moto patches (health decision, rule reorders), the moto server and the network seed."""

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.elbv2.models import FakeHealthStatus

from ecoeco_sandbox.aws import clients, moto_server
from ecoeco_sandbox.aws.seed import seed_network
from ecoeco_sandbox.aws.target_health import REGISTRY, Health, decide, set_health_override

MOTO_HEALTHY = FakeHealthStatus("i-1", 80, "traffic-port", "healthy")
MOTO_STOPPED = FakeHealthStatus("i-1", 80, "traffic-port", "unused", "Target.InvalidState", "Target is in the stopped state")


@pytest.mark.parametrize("status, tags, computed, expected", [
    (MOTO_HEALTHY, {}, None, ("healthy", None)),
    (MOTO_HEALTHY, {}, Health.of("initial"), ("initial", "Elb.InitialHealthChecking")),
    (MOTO_STOPPED, {}, Health.of("healthy"), ("unused", "Target.InvalidState")),
    (MOTO_HEALTHY, {"sandbox.ecoeco.io/health": "unhealthy"}, Health.of("healthy"), ("unhealthy", "Target.FailedHealthChecks")),
    (MOTO_HEALTHY, {"sandbox.ecoeco.io/health": "unhealthy", "sandbox.ecoeco.io/health.i-1": "draining"}, None,
     ("draining", "Target.DeregistrationInProgress")),
    (MOTO_STOPPED, {"sandbox.ecoeco.io/health.i-1": "healthy"}, None, ("healthy", None)),
    (MOTO_HEALTHY, {"sandbox.ecoeco.io/health.i-1": "bogus"}, Health.of("initial"), ("initial", "Elb.InitialHealthChecking")),
    (MOTO_HEALTHY, {"sandbox.ecoeco.io/health.i-2": "unhealthy"}, None, ("healthy", None)),
])
def test_decide(status, tags, computed, expected):
    decided = decide(status, tags, computed)
    assert (decided.status, decided.reason) == expected
    assert (decided.instance_id, decided.port) == ("i-1", 80)


def test_override_rejects_unknown_state():
    with pytest.raises(ValueError, match="expected one of healthy"):
        set_health_override(None, "arn", "i-1", "sick")


def listener_with_rules(elbv2, ec2, count):
    network = seed_network(ec2, [])
    lb = elbv2.create_load_balancer(Name="lb", Subnets=network["subnet_ids"])["LoadBalancers"][0]
    tg = elbv2.create_target_group(Name="tg", Protocol="HTTP", Port=80, VpcId=network["vpc_id"])["TargetGroups"][0]
    forward = [{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}]
    listener = elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=forward)["Listeners"][0]
    return [elbv2.create_rule(ListenerArn=listener["ListenerArn"], Priority=p, Actions=forward,
                              Conditions=[{"Field": "path-pattern", "Values": [f"/{p}"]}])["Rules"][0]["RuleArn"] for p in range(1, count + 1)]


def priorities(elbv2, arns):
    return [int(rule["Priority"]) for rule in sorted(elbv2.describe_rules(RuleArns=arns)["Rules"], key=lambda r: arns.index(r["RuleArn"]))]


def test_set_rule_priorities_swaps_like_aws(aws):
    elbv2, ec2, _calls = aws
    arns = listener_with_rules(elbv2, ec2, 3)
    elbv2.set_rule_priorities(RulePriorities=[{"RuleArn": arns[0], "Priority": 2}, {"RuleArn": arns[1], "Priority": 1}])
    assert priorities(elbv2, arns) == [2, 1, 3]


@pytest.mark.parametrize("moves, code", [
    ([(0, 3)], "PriorityInUse"),  # rule 3 keeps priority 3
    ([(0, 4), (1, 4)], "ValidationError"),
    ([(0, 50001)], "ValidationError"),
])
def test_set_rule_priorities_refuses_clashes_and_changes_nothing(aws, moves, code):
    elbv2, ec2, _calls = aws
    arns = listener_with_rules(elbv2, ec2, 3)
    with pytest.raises(ClientError) as error:
        elbv2.set_rule_priorities(RulePriorities=[{"RuleArn": arns[index], "Priority": priority} for index, priority in moves])
    assert error.value.response["Error"]["Code"] == code
    assert priorities(elbv2, arns) == [1, 2, 3]


def test_seed_network_is_idempotent(aws):
    _elbv2, ec2, _calls = aws
    first = seed_network(ec2, ["worker-1", "worker-2"])
    again = seed_network(ec2, ["worker-1", "worker-2"])
    assert again == first
    assert len(first["subnet_ids"]) == 2 and set(first["provider_ids"]) == {"worker-1", "worker-2"}
    subnets = ec2.describe_subnets(SubnetIds=first["subnet_ids"])["Subnets"]
    assert {s["AvailabilityZone"] for s in subnets} == {"ap-northeast-2a", "ap-northeast-2c"}
    # What the AWS Load Balancer Controller discovers: subnets for ELB shared with the cluster, instances whose id
    # the Nodes' providerID carries, in the nodes' security group that the cluster owns.
    assert all({"Key": "kubernetes.io/cluster/ecoeco-sandbox", "Value": "shared"} in s["Tags"] for s in subnets)
    instances = {i["InstanceId"]: i for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]}
    assert {p.rsplit("/", 1)[1] for p in first["provider_ids"].values()} == set(instances)
    assert all(p.startswith("aws:///ap-northeast-2") for p in first["provider_ids"].values())
    assert {i["State"]["Name"] for i in instances.values()} == {"running"}
    assert {g["GroupId"] for i in instances.values() for g in i["SecurityGroups"]} == {first["security_group_id"]}
    [group] = ec2.describe_security_groups(GroupIds=[first["security_group_id"]])["SecurityGroups"]
    assert {"Key": "kubernetes.io/cluster/ecoeco-sandbox", "Value": "owned"} in group["Tags"]
    assert len(ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["ecoeco-sandbox"]}])["Vpcs"]) == 1


def test_moto_server_serves_patched_health_over_http():
    server, endpoint_url = moto_server.start()
    try:
        session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=clients.REGION)
        elbv2, ec2 = session.client("elbv2", endpoint_url=endpoint_url), session.client("ec2", endpoint_url=endpoint_url)
        network = seed_network(ec2, ["worker-1"])
        tg = elbv2.create_target_group(Name="tg", Protocol="HTTP", Port=30001, VpcId=network["vpc_id"])["TargetGroups"][0]
        elbv2.register_targets(TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": network["provider_ids"]["worker-1"].rsplit("/", 1)[1]}])
        REGISTRY.set(tg["TargetGroupArn"], Health.of("initial"))
        [description] = elbv2.describe_target_health(TargetGroupArn=tg["TargetGroupArn"])["TargetHealthDescriptions"]
        assert description["TargetHealth"] == {"State": "initial", "Reason": "Elb.InitialHealthChecking", "Description": "Initial health checks in progress"}
    finally:
        REGISTRY.clear()
        server.stop()
