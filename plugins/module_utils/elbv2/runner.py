# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""alb_target_health from validated options to the returned result: pick the target groups, read, maybe wait."""

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Optional

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2 import api
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2.health import all_healthy
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2.health import describe_shortfall
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2.health import not_healthy_targets
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2.health import parse_expected_targets
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2.health import parse_min_healthy
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2.health import summarize_target_group
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2.waiter import wait_for_min_healthy
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import InvalidInput
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import NotFound
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import WaitTimeout

SELECTORS = ("target_group_arns", "target_group_names", "load_balancer_name", "load_balancer_arn", "load_balancer_dns_name")
LOAD_BALANCER_SELECTORS = ("load_balancer_name", "load_balancer_arn", "load_balancer_dns_name")
HEALTH_READS_AT_ONCE = 8


@dataclass(frozen=True)
class Settings:
    selector: str
    value: object
    wait: bool
    timeout: float
    poll_interval: float
    consecutive: int
    min_healthy: Optional[tuple]
    expected_targets: Optional[list]


ARN_SHAPES = {
    "target_group_arns": ("targetgroup", "a target group ARN (arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>)"),
    "load_balancer_arn": ("loadbalancer", "a load balancer ARN (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>)"),
}


def _check_arn(option, arn):
    # Catch a name pasted into an ARN option before AWS answers with a less helpful ValidationError.
    resource, expected = ARN_SHAPES[option]
    if not arn.startswith("arn:") or ":elasticloadbalancing:" not in arn or ":{0}/".format(resource) not in arn:
        raise InvalidInput(option, expected, arn)


def parse_settings(params):
    """Check every option before the first AWS call; raises InvalidInput naming the option."""
    for option in ("timeout", "poll_interval"):
        if params[option] <= 0:
            raise InvalidInput(option, "a number of seconds greater than 0", params[option])
    if params["consecutive"] < 1:
        raise InvalidInput("consecutive", "a number of polls of at least 1", params["consecutive"])
    selector = next(option for option in SELECTORS if params.get(option) is not None)
    is_list = isinstance(params[selector], list)
    values = list(dict.fromkeys(item.strip() for item in (params[selector] if is_list else [params[selector]])))
    if not values or "" in values:
        raise InvalidInput(selector, "a non-empty list of non-empty strings" if is_list else "a non-empty string", params[selector])
    if selector in ARN_SHAPES:
        for arn in values:
            _check_arn(selector, arn)
    return Settings(
        selector=selector,
        value=values if is_list else values[0],
        wait=params["wait"],
        timeout=params["timeout"],
        poll_interval=params["poll_interval"],
        consecutive=params["consecutive"],
        min_healthy=parse_min_healthy(params["min_healthy"]),
        expected_targets=parse_expected_targets(params["expected_targets"]),
    )


def _normalize_dns_name(name):
    # Resolver-style trailing dots and the "dualstack." alias prefix still name the same load balancer.
    name = name.lower().rstrip(".")
    return name[len("dualstack."):] if name.startswith("dualstack.") else name


def find_load_balancer(client, selector, value):
    if selector == "load_balancer_name":
        found = api.describe_load_balancers(client, Names=[value])
        what = "no load balancer named {0!r}".format(value)
    elif selector == "load_balancer_arn":
        found = api.describe_load_balancers(client, LoadBalancerArns=[value])
        what = "no load balancer with ARN {0!r}".format(value)
    else:
        wanted = _normalize_dns_name(value)
        found = [lb for lb in api.describe_load_balancers(client) if _normalize_dns_name(lb["DNSName"]) == wanted]
        what = "no load balancer with DNS name {0!r}".format(value)
    if not found:
        raise NotFound("{0}: {1}".format(selector, what), field=selector)
    return found[0]


def _find_each(client, selector, values):
    """Look up target groups one value at a time, so that every unknown one is named in a single error."""
    search_key = "TargetGroupArns" if selector == "target_group_arns" else "Names"
    target_groups, missing = [], []
    for value in values:
        found = api.describe_target_groups(client, **{search_key: [value]})
        if found:
            target_groups.extend(found)
        else:
            missing.append(value)
    if missing:
        raise NotFound("{0}: no target group found for {1}".format(selector, ", ".join(repr(value) for value in missing)), field=selector, missing=missing)
    return target_groups


def resolve_target_groups(client, settings):
    """Return ``(target_groups, load_balancer)``; ``load_balancer`` is None unless a load balancer option selected them."""
    if settings.selector not in LOAD_BALANCER_SELECTORS:
        return _find_each(client, settings.selector, settings.value), None
    load_balancer = find_load_balancer(client, settings.selector, settings.value)
    target_groups = api.describe_target_groups(client, LoadBalancerArn=load_balancer["LoadBalancerArn"])
    if settings.wait and not target_groups:
        raise NotFound(
            "{0}: load balancer {1!r} has no target groups to wait for".format(settings.selector, load_balancer["LoadBalancerName"]),
            field=settings.selector,
        )
    return target_groups, load_balancer


def run(client, settings, sleep=time.sleep, clock=time.monotonic):
    """Read (and with ``wait`` keep reading) target health; return the module result or raise WaitTimeout."""
    start = clock()
    target_groups, load_balancer = resolve_target_groups(client, settings)

    def read_all():
        # One DescribeTargetHealth per target group (the API takes one ARN): sent a few at a time, since one after
        # the other they took 18 s for the 400 target groups of a 200-domain migration.
        with ThreadPoolExecutor(max_workers=HEALTH_READS_AT_ONCE) as pool:
            healths = list(pool.map(lambda target_group: api.describe_target_health(client, target_group["TargetGroupArn"]), target_groups))
        gone = [target_group["TargetGroupArn"] for target_group, health in zip(target_groups, healths) if health is None]
        if gone and load_balancer is None:
            raise NotFound("{0}: target group deleted while its health was read: {1}".format(settings.selector, ", ".join(gone)),
                           field=settings.selector, missing=gone)
        # Listed through the load balancer, a group deleted since is no longer part of it.
        return [
            summarize_target_group(target_group, health, settings.min_healthy, settings.expected_targets)
            for target_group, health in zip(target_groups, healths) if health is not None
        ]

    result = {"changed": False}
    if load_balancer is not None:
        result["load_balancer"] = {
            "arn": load_balancer["LoadBalancerArn"],
            "name": load_balancer["LoadBalancerName"],
            "dns_name": load_balancer["DNSName"],
        }
    if not settings.wait:
        reports = read_all()
        result.update(all_healthy=all_healthy(reports), target_groups=reports, duration=round(clock() - start, 3))
        return result

    outcome = wait_for_min_healthy(read_all, settings.timeout, settings.poll_interval, settings.consecutive, sleep=sleep, clock=clock)
    reports = outcome["target_groups"]
    result.update(all_healthy=all_healthy(reports), target_groups=reports, history=outcome["history"], duration=round(clock() - start, 3))
    if not outcome["satisfied"]:
        shortfall = describe_shortfall(reports) or [
            "min_healthy held for fewer than {0} consecutive polls".format(settings.consecutive)
        ]
        raise WaitTimeout(
            "Timed out after {0}s (timeout {1}s) waiting for min_healthy in every target group. {2}. Every target that is not healthy is "
            "listed in not_healthy.".format(outcome["duration"], settings.timeout, ". ".join(shortfall)),
            not_healthy=not_healthy_targets(reports),
            **result
        )
    return result


def every_target_group(client, load_balancer_name):
    """One read, no wait, of every target group the load balancer uses (the reports of ``run``)."""
    settings = Settings(selector="load_balancer_name", value=load_balancer_name, wait=False, timeout=1, poll_interval=1, consecutive=1,
                        min_healthy=None, expected_targets=None)
    return run(client, settings)["target_groups"]


def wait_all_healthy(client, selector, value, timeout, poll_interval, consecutive, sleep=time.sleep, clock=time.monotonic):
    """``run`` waiting until every registered target of the selected groups is healthy for ``consecutive`` polls."""
    settings = Settings(selector=selector, value=value, wait=True, timeout=timeout, poll_interval=poll_interval, consecutive=consecutive,
                        min_healthy=None, expected_targets=None)
    return run(client, settings, sleep=sleep, clock=clock)
