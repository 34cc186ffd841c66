"""alb_routes main() end to end against moto: the side each route is served from, the wait, bad input."""

import pytest

from module_runner import run_main

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2.routes import parse_settings, run
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import WaitTimeout
from ansible_collections.ecoeco.bluegreen.plugins.modules import alb_routes

REGION = "ap-northeast-2"  # the vpc fixture's region


@pytest.fixture
def aws(vpc):
    """moto with ALB ecoeco-alb: route /api/v1/auth on blue (NodePort 30001), green parked below it (30002)."""
    elbv2, vpc_id, subnets = vpc["elbv2"], vpc["vpc_id"], vpc["subnets"]
    alb = elbv2.create_load_balancer(Name="ecoeco-alb", Subnets=subnets)["LoadBalancers"][0]
    groups = {side: elbv2.create_target_group(Name="auth-" + side, Protocol="HTTP", Port=port, VpcId=vpc_id,
                                              TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
              for side, port in (("blue", 30001), ("green", 30002))}
    listener = elbv2.create_listener(LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                                     DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}])["Listeners"][0]
    rules = {}
    for priority, side in ((1, "blue"), (2, "green")):
        rules[side] = elbv2.create_rule(
            ListenerArn=listener["ListenerArn"], Priority=priority,
            Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/v1/auth", "/api/v1/auth/*"]}}],
            Actions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": groups[side], "Weight": 1}]}}],
        )["Rules"][0]["RuleArn"]
    yield {"elbv2": elbv2, "alb": alb, "rules": rules}


ROUTES = [{"name": "auth", "path": "/api/v1/auth", "ports": {"blue": 30001, "green": 30002}},
          {"name": "gone", "path": "/api/v1/gone", "ports": {"blue": 30005, "green": None}}]


def run_module(args):
    return run_main(alb_routes.main, dict({"region": REGION, "load_balancer_name": "ecoeco-alb", "routes": ROUTES}, **args))


def test_reads_which_side_serves_every_route(aws):
    outcome, result = run_module({})
    assert outcome == "exit"
    assert result["changed"] is False
    assert result["serving"] == {"auth": "blue", "gone": "none"}
    assert result["load_balancer"]["name"] == "ecoeco-alb"
    [auth_listener] = result["routes"][0]["listeners"]
    assert (auth_listener["port"], auth_listener["rule_priority"], auth_listener["serving"]) == (80, 1, "blue")
    assert result["polls"] == 1


def test_waits_until_the_rules_show_the_side_and_says_when_they_do_not(aws):
    aws["elbv2"].set_rule_priorities(RulePriorities=[{"RuleArn": aws["rules"]["blue"], "Priority": 3}])
    outcome, result = run_module({"routes": ROUTES[:1], "wait_for": "green", "timeout": 5})
    assert outcome == "exit" and result["serving"] == {"auth": "green"}

    outcome, result = run_module({"routes": ROUTES[:1], "wait_for": "blue", "timeout": 0.3, "poll_interval": 0.1})
    assert outcome == "fail"
    assert "still do not send 1 of 1 route(s) to blue: auth is served by green (HTTP 80: rule 2 forwards to the green target group)" in result["msg"]
    assert result["serving"] == {"auth": "green"}


def test_the_wait_reads_the_rules_again_until_its_deadline(aws):
    now, sleeps = [0.0], []

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    settings = parse_settings({"load_balancer_name": "ecoeco-alb", "routes": ROUTES[:1], "wait_for": "green", "timeout": 1.0, "poll_interval": 0.25})
    with pytest.raises(WaitTimeout) as raised:
        run(aws["elbv2"], settings, sleep=sleep, clock=lambda: now[0])
    assert raised.value.details["polls"] == 5 and sleeps == [0.25] * 4
    assert raised.value.details["serving"] == {"auth": "blue"}


@pytest.mark.parametrize("args, message", [
    ({"routes": [{"name": "auth", "path": "api/v1/auth", "ports": {"blue": 1}}]}, "routes[0].path: expected a request path starting with /"),
    ({"routes": [{"name": "auth", "path": "/a", "ports": {"purple": 1}}]}, "routes[0].ports: expected a dict from blue and/or green"),
    ({"routes": [{"name": "auth", "path": "/a", "ports": {"blue": 70000}}]}, "routes[0].ports.blue: expected a port number"),
    ({"routes": [ROUTES[0], ROUTES[0]]}, "routes: expected each route name once"),
    ({"timeout": 0}, "timeout: expected a number of seconds greater than 0"),
    ({"load_balancer_name": "no-such-alb"}, "load_balancer_name: no load balancer named 'no-such-alb'"),
])
def test_bad_input_is_refused_naming_the_field(aws, args, message):
    outcome, result = run_module(args)
    assert outcome == "fail"
    assert message in result["msg"]
