"""The sandbox's AWS network: one VPC, two subnets, the nodes' security group, one EC2 instance per Kubernetes node.

What the AWS Load Balancer Controller looks for is tagged as on EKS: the subnets for ELB discovery and as shared
with the cluster, the nodes' security group as owned by it (the controller admits its ALBs' traffic there).
Every resource carries a Name tag; a second call finds and reuses what the first one made.
"""

NAME = "ecoeco-sandbox"
# The Kubernetes cluster name the controller is started with (--cluster-name): its tags on AWS resources carry it.
CLUSTER_NAME = NAME
CLUSTER_TAG = "kubernetes.io/cluster/" + CLUSTER_NAME
VPC_CIDR = "10.0.0.0/16"
SUBNETS = (("ap-northeast-2a", "10.0.1.0/24"), ("ap-northeast-2c", "10.0.2.0/24"))
# Subnet discovery tags of the AWS Load Balancer Controller.
SUBNET_TAGS = {"kubernetes.io/role/internal-elb": "1", "kubernetes.io/role/elb": "1", CLUSTER_TAG: "shared"}
# Any id works with moto as long as AMI validation stays off (its default).
IMAGE_ID = "ami-0ecoeco0sandbox0"
INSTANCE_TYPE = "t3.medium"
LIVE_INSTANCE_STATES = ["pending", "running", "stopping", "stopped"]


def _tags(name, extra=None):
    """EC2 TagSpecification tags: Name plus ``extra``."""
    return [{"Key": "Name", "Value": name}] + [{"Key": key, "Value": value} for key, value in (extra or {}).items()]


def _by_name(items):
    """Map Name tag -> item for EC2 describe results."""
    found = {}
    for item in items:
        for tag in item.get("Tags", []):
            if tag["Key"] == "Name":
                found[tag["Value"]] = item
    return found


def _name_filter(names):
    return [{"Name": "tag:Name", "Values": list(names)}]


def _ensure_vpc(ec2):
    vpcs = ec2.describe_vpcs(Filters=_name_filter([NAME]))["Vpcs"]
    if vpcs:
        return vpcs[0]["VpcId"]
    return ec2.create_vpc(CidrBlock=VPC_CIDR, TagSpecifications=[{"ResourceType": "vpc", "Tags": _tags(NAME)}])["Vpc"]["VpcId"]


def _ensure_subnets(ec2, vpc_id):
    existing = _by_name(ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"])
    subnet_ids = []
    for zone, cidr in SUBNETS:
        name = f"{NAME}-{zone[-1]}"
        if name not in existing:
            existing[name] = ec2.create_subnet(
                VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone,
                TagSpecifications=[{"ResourceType": "subnet", "Tags": _tags(name, SUBNET_TAGS)}],
            )["Subnet"]
        subnet_ids.append(existing[name]["SubnetId"])
    return subnet_ids


def _ensure_security_group(ec2, vpc_id):
    """The nodes' security group; the controller adds the rules that admit its ALBs."""
    name = f"{NAME}-nodes"
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": [name]}])["SecurityGroups"]
    if groups:
        return groups[0]["GroupId"]
    return ec2.create_security_group(
        GroupName=name, Description="Kubernetes nodes of the ecoeco sandbox", VpcId=vpc_id,
        TagSpecifications=[{"ResourceType": "security-group", "Tags": _tags(name, {CLUSTER_TAG: "owned"})}],
    )["GroupId"]


def provider_id(instance):
    """The Node's ``spec.providerID`` for an EC2 instance, as the AWS cloud provider writes it."""
    return "aws:///{0}/{1}".format(instance["Placement"]["AvailabilityZone"], instance["InstanceId"])


def _find_instances(ec2, node_names):
    """Map node name -> providerID of the live (not terminated) EC2 instance tagged Name=<node name>."""
    if not node_names:
        return {}
    filters = _name_filter(node_names) + [{"Name": "instance-state-name", "Values": LIVE_INSTANCE_STATES}]
    instances = [instance for page in ec2.get_paginator("describe_instances").paginate(Filters=filters)
                 for reservation in page["Reservations"] for instance in reservation["Instances"]]
    return {name: provider_id(instance) for name, instance in _by_name(instances).items()}


def _ensure_instances(ec2, node_names, subnet_ids, security_group_id):
    instances = _find_instances(ec2, node_names)
    for index, node_name in enumerate(node_names):
        if node_name in instances:
            continue
        instance = ec2.run_instances(
            ImageId=IMAGE_ID, InstanceType=INSTANCE_TYPE, MinCount=1, MaxCount=1,
            SubnetId=subnet_ids[index % len(subnet_ids)], SecurityGroupIds=[security_group_id],
            TagSpecifications=[{"ResourceType": "instance", "Tags": _tags(node_name)}],
        )["Instances"][0]
        instances[node_name] = provider_id(instance)
    return instances


def seed_network(ec2, node_names):
    """Create (or find) the sandbox network and one EC2 instance per node; return their ids.

    Returns ``{'vpc_id', 'subnet_ids' (2a, 2c), 'security_group_id', 'provider_ids': {node name: providerID}}``.
    Instances left stopped by a test are reused as they are.
    """
    node_names = list(node_names)
    vpc_id = _ensure_vpc(ec2)
    subnet_ids = _ensure_subnets(ec2, vpc_id)
    security_group_id = _ensure_security_group(ec2, vpc_id)
    return {
        "vpc_id": vpc_id,
        "subnet_ids": subnet_ids,
        "security_group_id": security_group_id,
        "provider_ids": _ensure_instances(ec2, node_names, subnet_ids, security_group_id),
    }
