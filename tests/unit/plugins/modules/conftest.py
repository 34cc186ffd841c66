"""What every module test against moto's in-process mock shares."""

import boto3
import pytest
from moto import mock_aws

MOTO_AMI_ID = "ami-12c6146b"  # an AMI moto knows without its catalogue


@pytest.fixture
def aws_env(monkeypatch):
    """Credentials for moto and nothing from the real environment (no sandbox endpoint, no profile)."""
    for name in ("AWS_ENDPOINT_URL", "AWS_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    # moto's catalogue of public AMIs costs seconds per test and nothing here needs it
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


@pytest.fixture
def vpc(aws_env):
    """Inside moto: an EC2 and an ELBv2 client, a VPC and two subnets in two zones of the region."""
    region = "ap-northeast-2"
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=region)
        elbv2 = boto3.client("elbv2", region_name=region)
        vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.{0}.0/24".format(index), AvailabilityZone=region + zone)["Subnet"]["SubnetId"]
                   for index, zone in enumerate(("a", "c"))]
        yield {"ec2": ec2, "elbv2": elbv2, "vpc_id": vpc_id, "subnets": subnets}


@pytest.fixture
def alb(vpc):
    """Inside moto: the VPC's clients and ids, two running instances, the ALB ecoeco-alb and its HTTP:80 listener (404 by default)."""
    ec2, elbv2 = vpc["ec2"], vpc["elbv2"]
    instances = [i["InstanceId"] for i in ec2.run_instances(ImageId=MOTO_AMI_ID, MinCount=2, MaxCount=2, SubnetId=vpc["subnets"][0])["Instances"]]
    load_balancer = elbv2.create_load_balancer(Name="ecoeco-alb", Subnets=vpc["subnets"])["LoadBalancers"][0]
    listener = elbv2.create_listener(LoadBalancerArn=load_balancer["LoadBalancerArn"], Protocol="HTTP", Port=80,
                                     DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}])["Listeners"][0]
    return dict(vpc, instances=instances, alb=load_balancer, listener_arn=listener["ListenerArn"])
