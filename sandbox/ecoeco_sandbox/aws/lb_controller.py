"""Stand-in for the AWS Load Balancer Controller, keeping the sandbox's moto ELBv2 in step with Ingresses.

Each pass reads Ingresses (class ``alb``, all namespaces), Services, EndpointSlices and Nodes, works out
the desired ALBs, listener rules and target groups (``desired``), and, when that changed or a resync is
due, compares them with moto and writes only the differences:

* target groups (tagged ``elbv2.k8s.aws/cluster``, ``ingress.k8s.aws/stack``, ``ingress.k8s.aws/resource``)
  created, their instance targets (worker nodes on the NodePort) registered and deregistered;
* one ALB per IngressGroup with an HTTP :80 listener answering 404 by default, its rules created,
  re-prioritised in one ``set_rule_priorities`` call and deleted (``rule_plan``);
* ALBs of vanished groups, then target groups no rule uses any more, deleted.

Every pass also decides each target group's health from its Service's Ready endpoints
(``health_tracker``) for the ``describe_target_health`` patch, and writes the ALB's DNS name into the
members' ``status.loadBalancer``. moto objects are found by tags and names only: its
``describe_target_groups(LoadBalancerArn=...)`` is unreliable.
"""

import logging
import time

from botocore.exceptions import ClientError
from kubernetes.client.exceptions import ApiException

from .desired import build_desired
from .health_tracker import HealthTracker
from .kube_view import KubeView
from .rule_plan import RuleSpec, forward_actions, parse_rule, plan_rules, rule_conditions
from .seed import find_instances
from .target_health import REGISTRY

LOGGER = logging.getLogger("ecoeco_sandbox.lb_controller")

CLUSTER_TAG = "elbv2.k8s.aws/cluster"
STACK_TAG = "ingress.k8s.aws/stack"
RESOURCE_TAG = "ingress.k8s.aws/resource"
LISTENER_PORT = 80
NOT_FOUND = [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain", "MessageBody": "Not Found"}}]
# The real controller's target group health check defaults.
HEALTH_CHECK = {
    "HealthCheckProtocol": "HTTP",
    "HealthCheckIntervalSeconds": 15,
    "HealthCheckTimeoutSeconds": 5,
    "HealthyThresholdCount": 2,
    "UnhealthyThresholdCount": 2,
    "Matcher": {"HttpCode": "200"},
}
TAGS_PER_CALL = 20
RETRY_INTERVAL = 1.0  # seconds before a sync that left something undone is tried again


class SyncError(Exception):
    """A group that cannot be brought in step this pass (it is left as it is)."""


class LoadBalancerController:
    """Reconciles moto's ELBv2 with the cluster; ``run`` loops, ``reconcile_once`` does one pass.

    ``network`` is what ``seed.seed_network`` returns (vpc_id, subnet_ids, security_group_id,
    instances); nodes missing from ``instances`` are looked up by their EC2 Name tag.
    moto is read only when the cluster's desired state changed, every ``resync_interval`` seconds
    (to undo changes made behind the controller's back), and ``RETRY_INTERVAL`` after a failed write.
    ``healthy_after``: seconds of continuous Ready endpoints before a target group turns healthy.
    ``clock`` and ``registry`` are for tests.
    """

    def __init__(self, api_client, elbv2, ec2, network, *, cluster_name="ecoeco-sandbox", healthy_after=1.0,
                 resync_interval=10.0, clock=time.monotonic, registry=REGISTRY):
        self.cluster_name = cluster_name
        self.resync_interval = resync_interval
        self._kube = KubeView(api_client)
        self._elbv2 = elbv2
        self._ec2 = ec2
        self._network = network
        self._clock = clock
        self._registry = registry
        self._tracker = HealthTracker(healthy_after)
        self._instances = dict(network.get("instances") or {})
        self._nodes_without_instance = set()
        self._applied = None  # (desired, targets) of the last sync
        self._next_sync_at = None
        self._target_group_arns = {}  # target group name -> ARN, as of the last sync
        self._dns_names = {}  # stack -> ALB DNS name
        self._health = {}  # target group ARN -> Health last published
        self._notes = {}  # topic -> message last logged, to log repeating trouble once
        self._problems = {}  # (namespace, name) -> why the Ingress is skipped

    def run(self, stop_event, interval=0.25):
        """Reconcile every ``interval`` seconds until ``stop_event`` is set; a failed pass is logged and retried."""
        LOGGER.info("started for cluster %s", self.cluster_name)
        while not stop_event.is_set():
            try:
                self.reconcile_once()
                self._clear_note("pass")
            except Exception as error:  # pylint: disable=broad-exception-caught  # the loop must outlive any bad pass
                self._note("pass", f"pass failed: {error.__class__.__name__}: {error}")
                LOGGER.debug("pass failed", exc_info=True)
            stop_event.wait(interval)
        LOGGER.info("stopped")

    def reconcile_once(self):
        """One pass: read the cluster, bring moto in step if needed, publish health and Ingress status."""
        snapshot = self._kube.snapshot()
        now = self._clock()
        resync_due = self._next_sync_at is None or now >= self._next_sync_at
        if resync_due:
            self._nodes_without_instance.clear()
        desired = build_desired(snapshot.ingresses, snapshot.services, self.cluster_name)
        self._report_problems(desired.problems)
        targets = self._target_instances(snapshot.target_node_names())
        if resync_due or (desired, targets) != self._applied:
            in_step = self._sync(desired, targets)
            self._applied = (desired, targets)
            self._next_sync_at = now + (self.resync_interval if in_step else min(self.resync_interval, RETRY_INTERVAL))
        self._publish_health(desired, snapshot, now)
        self._publish_ingress_status(desired, snapshot)

    # -- AWS side -------------------------------------------------------------------------------------

    def _sync(self, desired, targets):
        """Write the differences between moto and ``desired``; False when some part could not be done."""
        in_step = True
        target_groups = {tg["TargetGroupName"]: tg for tg in self._owned("describe_target_groups", "TargetGroups", "TargetGroupArn")}
        arns = {}
        for backend in desired.backends:
            done, arn = self._attempt(f"target group {backend.target_group_name}", self._ensure_target_group,
                                      backend, target_groups.get(backend.target_group_name), targets)
            in_step &= done
            if done:
                arns[backend.target_group_name] = arn
        self._target_group_arns = arns
        load_balancers = {}
        for lb in self._owned("describe_load_balancers", "LoadBalancers", "LoadBalancerArn"):
            load_balancers.setdefault(lb["Tags"].get(STACK_TAG), []).append(lb)
        for group in desired.groups:
            done, dns_name = self._attempt(f"ALB of {group.stack}", self._ensure_group, group, load_balancers.pop(group.stack, []), arns)
            in_step &= done
            if done:
                self._dns_names[group.stack] = dns_name
        for stack, stale in load_balancers.items():
            self._dns_names.pop(stack, None)
            for lb in stale:
                in_step &= self._attempt(f"ALB {lb['LoadBalancerName']}", self._delete_load_balancer, lb, "its IngressGroup is gone")[0]
        for name, target_group in target_groups.items():
            if name not in arns:
                in_step &= self._attempt(f"target group {name}", self._delete_target_group, target_group)[0]
        return in_step

    def _owned(self, describe, key, arn_key):
        """Resources of this cluster (by tag) from a paginated describe call, each with a ``Tags`` dict added."""
        items = [item for page in self._elbv2.get_paginator(describe).paginate() for item in page[key]]
        tags = {}
        arns = [item[arn_key] for item in items]
        for start in range(0, len(arns), TAGS_PER_CALL):
            for description in self._elbv2.describe_tags(ResourceArns=arns[start:start + TAGS_PER_CALL])["TagDescriptions"]:
                tags[description["ResourceArn"]] = {tag["Key"]: tag["Value"] for tag in description["Tags"]}
        return [dict(item, Tags=tags.get(item[arn_key], {})) for item in items if tags.get(item[arn_key], {}).get(CLUSTER_TAG) == self.cluster_name]

    def _tags(self, stack, resource):
        return [{"Key": CLUSTER_TAG, "Value": self.cluster_name}, {"Key": STACK_TAG, "Value": stack}, {"Key": RESOURCE_TAG, "Value": resource}]

    def _ensure_target_group(self, backend, existing, targets):
        """Create or adjust the target group of ``backend`` and its targets; return its ARN."""
        if existing is None:
            existing = self._elbv2.create_target_group(
                Name=backend.target_group_name, Protocol="HTTP", Port=backend.node_port, VpcId=self._network["vpc_id"],
                TargetType="instance", HealthCheckPath=backend.health_check_path, Tags=self._tags(backend.stack, backend.resource), **HEALTH_CHECK,
            )["TargetGroups"][0]
            LOGGER.info("created target group %s for %s (NodePort %d)", backend.target_group_name, backend.resource, backend.node_port)
        elif existing.get("HealthCheckPath") != backend.health_check_path:
            self._elbv2.modify_target_group(TargetGroupArn=existing["TargetGroupArn"], HealthCheckPath=backend.health_check_path)
            LOGGER.info("target group %s: health check path %s", backend.target_group_name, backend.health_check_path)
        arn = existing["TargetGroupArn"]
        registered = {(d["Target"]["Id"], d["Target"].get("Port")) for d in self._elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]}
        wanted = {(instance_id, backend.node_port) for instance_id in targets}
        if wanted - registered:
            self._register(backend.target_group_name, arn, sorted(wanted - registered))
        if registered - wanted:
            self._elbv2.deregister_targets(TargetGroupArn=arn, Targets=[{"Id": i, "Port": p} for i, p in sorted(registered - wanted)])
            LOGGER.info("target group %s: deregistered %s", backend.target_group_name, ", ".join(sorted(i for i, _p in registered - wanted)))
        return arn

    def _register(self, name, arn, targets):
        """Register (instance id, port) ``targets``; instances that are not running are skipped, as AWS refuses them."""
        try:
            self._elbv2.register_targets(TargetGroupArn=arn, Targets=[{"Id": i, "Port": p} for i, p in targets])
        except ClientError as error:
            if error.response["Error"]["Code"] != "InvalidTarget":
                raise
            targets = [target for target in targets if self._register_one(name, arn, target)]
        if targets:
            LOGGER.info("target group %s: registered %s", name, ", ".join(i for i, _p in targets))

    def _register_one(self, name, arn, target):
        instance_id, port = target
        try:
            self._elbv2.register_targets(TargetGroupArn=arn, Targets=[{"Id": instance_id, "Port": port}])
        except ClientError as error:
            if error.response["Error"]["Code"] != "InvalidTarget":
                raise
            self._note(f"target {name} {instance_id}", f"target group {name}: {instance_id} not registered: {error}")
            return False
        self._clear_note(f"target {name} {instance_id}")
        return True

    def _ensure_group(self, group, existing, target_group_arns):
        """Bring the ALB of ``group`` (``existing``: this stack's ALBs) in step; return its DNS name."""
        lb = None
        for candidate in existing:
            if lb is None and (candidate["LoadBalancerName"], candidate["Scheme"]) == (group.load_balancer_name, group.scheme):
                lb = candidate
            else:
                self._delete_load_balancer(candidate, "name or scheme changed")
        if lb is None:
            security_group = self._network.get("security_group_id")
            lb = self._elbv2.create_load_balancer(
                Name=group.load_balancer_name, Subnets=list(self._network["subnet_ids"]), SecurityGroups=[security_group] if security_group else [],
                Scheme=group.scheme, Type="application", IpAddressType="ipv4", Tags=self._tags(group.stack, "LoadBalancer"),
            )["LoadBalancers"][0]
            LOGGER.info("created ALB %s (%s) for %s: %s", group.load_balancer_name, group.scheme, group.stack, lb["DNSName"])
        self._sync_rules(group, self._ensure_listener(lb["LoadBalancerArn"]), target_group_arns)
        return lb["DNSName"]

    def _ensure_listener(self, load_balancer_arn):
        for listener in self._elbv2.describe_listeners(LoadBalancerArn=load_balancer_arn)["Listeners"]:
            if (listener["Protocol"], listener["Port"]) == ("HTTP", LISTENER_PORT):
                return listener["ListenerArn"]
        listener = self._elbv2.create_listener(LoadBalancerArn=load_balancer_arn, Protocol="HTTP", Port=LISTENER_PORT, DefaultActions=NOT_FOUND)
        return listener["Listeners"][0]["ListenerArn"]

    def _sync_rules(self, group, listener_arn, target_group_arns):
        """Create, re-prioritise (one call) and delete rules so the listener matches ``group.routes``."""
        desired = []
        for route in group.routes:
            if route.target_group_name not in target_group_arns:
                raise SyncError(f"target group {route.target_group_name} is not ready; rules left as they are")
            desired.append(RuleSpec(route.hosts, route.paths, target_group_arns[route.target_group_name]))
        # Paginated: a listener past one page (moto's is 50 rules) would otherwise look as if it had free priorities.
        pages = self._elbv2.get_paginator("describe_rules").paginate(ListenerArn=listener_arn)
        actual = [rule for rule in map(parse_rule, (item for page in pages for item in page["Rules"])) if rule]
        plan = plan_rules(desired, actual)
        if not plan:
            return
        moves = dict(plan.priorities)
        for final, priority, spec in plan.creates:
            rule = self._elbv2.create_rule(
                ListenerArn=listener_arn, Priority=priority, Conditions=rule_conditions(spec), Actions=forward_actions(spec.target_group_arn),
            )["Rules"][0]
            if priority != final:
                moves[rule["RuleArn"]] = final
        if moves:
            self._elbv2.set_rule_priorities(RulePriorities=[{"RuleArn": arn, "Priority": priority} for arn, priority in moves.items()])
        for arn in plan.deletes:
            self._elbv2.delete_rule(RuleArn=arn)
        order = ", ".join(f"{priority}:{','.join(route.hosts)}{route.paths[0]}->{route.target_group_name}" for priority, route in enumerate(group.routes, 1))
        LOGGER.info("ALB %s rules: %d created, %d re-prioritised, %d deleted; now %s",
                    group.load_balancer_name, len(plan.creates), len(plan.priorities), len(plan.deletes), order)

    def _delete_load_balancer(self, lb, why):
        self._elbv2.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
        LOGGER.info("deleted ALB %s: %s", lb["LoadBalancerName"], why)

    def _delete_target_group(self, target_group):
        arn = target_group["TargetGroupArn"]
        registered = [d["Target"] for d in self._elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]]
        if registered:
            self._elbv2.deregister_targets(TargetGroupArn=arn, Targets=[{"Id": t["Id"], "Port": t["Port"]} for t in registered])
        self._elbv2.delete_target_group(TargetGroupArn=arn)
        self._registry.forget(arn)
        self._tracker.forget(arn)
        self._health.pop(arn, None)
        LOGGER.info("deleted target group %s (%s): no rule uses it", target_group["TargetGroupName"], target_group["Tags"].get(RESOURCE_TAG))

    def _target_instances(self, node_names):
        """Sorted instance ids of ``node_names``; unknown nodes are looked up by Name tag once per resync."""
        missing = [name for name in node_names if name not in self._instances and name not in self._nodes_without_instance]
        if missing:
            self._instances.update(find_instances(self._ec2, missing))
            for name in missing:
                if name not in self._instances:
                    self._nodes_without_instance.add(name)
                    LOGGER.warning("node %s has no EC2 instance tagged Name=%s; it is not a target", name, name)
        return tuple(sorted(self._instances[name] for name in node_names if name in self._instances))

    # -- Kubernetes side and health -------------------------------------------------------------------

    def _publish_health(self, desired, snapshot, now):
        for backend in desired.backends:
            arn = self._target_group_arns.get(backend.target_group_name)
            if arn is None:
                continue
            health = self._tracker.observe(arn, snapshot.has_ready_endpoint(backend.namespace, backend.service), now)
            if self._health.get(arn) != health:
                self._health[arn] = health
                self._registry.set(arn, health)
                LOGGER.info("target group %s (%s): %s", backend.target_group_name, backend.resource, health.state)

    def _publish_ingress_status(self, desired, snapshot):
        for group in desired.groups:
            dns_name = self._dns_names.get(group.stack)
            if dns_name is None:
                continue
            for namespace, name in group.members:
                if snapshot.ingress_hostname(namespace, name) == dns_name:
                    continue
                try:
                    self._kube.set_ingress_hostname(namespace, name, dns_name)
                except ApiException as error:
                    self._note(f"status {namespace}/{name}", f"ingress {namespace}/{name}: status update failed: {error.status} {error.reason}")
                    continue
                self._clear_note(f"status {namespace}/{name}")
                LOGGER.info("ingress %s/%s: hostname %s", namespace, name, dns_name)

    def _report_problems(self, problems):
        """Log each skipped Ingress when its reason changes, and when it becomes usable again."""
        for (namespace, name), reason in problems.items():
            if self._problems.get((namespace, name)) != reason:
                LOGGER.warning("ingress %s/%s skipped: %s", namespace, name, reason)
        for namespace, name in self._problems.keys() - problems.keys():
            LOGGER.info("ingress %s/%s: no longer skipped", namespace, name)
        self._problems = dict(problems)

    # -- logging helpers ------------------------------------------------------------------------------

    def _attempt(self, topic, action, *args):
        """(True, action(*args)), or (False, None) after logging an AWS error (once while it repeats)."""
        try:
            result = action(*args)
        except (ClientError, SyncError) as error:
            self._note(topic, f"{topic}: {error}")
            return False, None
        self._clear_note(topic)
        return True, result

    def _note(self, topic, message):
        if self._notes.get(topic) != message:
            self._notes[topic] = message
            LOGGER.warning("%s", message)

    def _clear_note(self, topic):
        self._notes.pop(topic, None)
