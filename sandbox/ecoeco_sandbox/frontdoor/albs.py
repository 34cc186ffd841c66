"""The listener rules of every ALB in moto, read in one poll loop (ELBv2 has no watch).

The list of ALBs changes seldom (an IngressGroup's first Ingress creates one), their rules change at every switch:
so the ALBs are listed every ``list_interval`` seconds and the rules of each read at every poll, each with a
paginated DescribeRules. Target groups are looked up once each (their port never changes).
"""

import logging
import time

from botocore.exceptions import ClientError

from ecoeco_sandbox.frontdoor.routing import rules_from_listener

LOG = logging.getLogger("ecoeco_sandbox.frontdoor.albs")
LISTENER_PORT = 80
TARGET_GROUPS_PER_CALL = 20


class AlbPoller:
    """``poll()`` refreshes ``load_balancers`` (name -> DNS name), ``rules`` (name -> [Rule]) and ``node_ports``
    (target group ARN -> port) of every ALB with an HTTP listener; each is replaced whole, so readers in other
    threads see one poll or the next, never a mix."""

    def __init__(self, elbv2, list_interval=1.0, clock=time.monotonic):
        self._elbv2 = elbv2
        self._list_interval = list_interval
        self._clock = clock
        self._listed_at = None
        self._listener_of = {}  # load balancer ARN -> its HTTP listener's ARN
        self._listed = {}  # name -> (load balancer ARN, DNS name)
        self.load_balancers = {}
        self.rules = {}
        self.node_ports = {}

    def poll(self):
        if self._listed_at is None or self._clock() - self._listed_at >= self._list_interval:
            self._list()
        rules = {}
        for name, (lb_arn, _dns_name) in self._listed.items():
            try:
                rules[name] = self._read_rules(self._listener_of[lb_arn])
            except ClientError as error:
                # Deleted since the listing, or a passing moto error: keep what was known until the next listing says.
                LOG.debug("rules of ALB %s unreadable: %s", name, error)
                rules[name] = self.rules.get(name, [])
                self._listener_of.pop(lb_arn, None)
                self._listed_at = None
        self._learn_target_groups(rules)
        self.rules = rules

    def _list(self):
        listed = {}
        for page in self._elbv2.get_paginator("describe_load_balancers").paginate():
            for balancer in page["LoadBalancers"]:
                if balancer.get("Type", "application") != "application":
                    continue
                lb_arn = balancer["LoadBalancerArn"]
                if lb_arn not in self._listener_of:
                    listener_arn = self._http_listener(lb_arn)
                    if listener_arn is None:
                        continue  # the controller adds the listener a moment after the ALB
                    self._listener_of[lb_arn] = listener_arn
                listed[balancer["LoadBalancerName"]] = (lb_arn, balancer.get("DNSName", ""))
        for gone in set(self._listener_of) - {lb_arn for lb_arn, _dns_name in listed.values()}:
            del self._listener_of[gone]
        self._listed = listed
        self.load_balancers = {name: dns_name for name, (_lb_arn, dns_name) in listed.items()}
        self._listed_at = self._clock()

    def _http_listener(self, lb_arn):
        for listener in self._elbv2.describe_listeners(LoadBalancerArn=lb_arn)["Listeners"]:
            if listener["Port"] == LISTENER_PORT:
                return listener["ListenerArn"]
        return None

    def _read_rules(self, listener_arn):
        pages = self._elbv2.get_paginator("describe_rules").paginate(ListenerArn=listener_arn)
        return rules_from_listener([rule for page in pages for rule in page["Rules"]])

    def _learn_target_groups(self, rules):
        unknown = sorted({rule.target_group_arn for alb_rules in rules.values() for rule in alb_rules
                          if rule.target_group_arn} - set(self.node_ports))
        learned = {}
        for start in range(0, len(unknown), TARGET_GROUPS_PER_CALL):
            groups = self._elbv2.describe_target_groups(TargetGroupArns=unknown[start:start + TARGET_GROUPS_PER_CALL])
            learned.update({group["TargetGroupArn"]: group["Port"] for group in groups["TargetGroups"]})
        if learned:
            self.node_ports = dict(self.node_ports, **learned)
