"""Which side an ALB's listener rules serve a route from: priorities, wildcards, weights, redirects."""

import pytest

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2.listener_rules import first_match, parse_rules, serving_side

BLUE_TG = "arn:aws:elasticloadbalancing:ap-northeast-2:1:targetgroup/k8s-api-authapi/aaa"
GREEN_TG = "arn:aws:elasticloadbalancing:ap-northeast-2:1:targetgroup/k8s-auth-authapi/bbb"
OTHER_TG = "arn:aws:elasticloadbalancing:ap-northeast-2:1:targetgroup/k8s-x/ccc"
PORTS = {"blue": 30001, "green": 30002}
PORT_OF = {BLUE_TG: 30001, GREEN_TG: 30002, OTHER_TG: 30009}


def forward(*weighted):
    """A forward action as the AWS Load Balancer Controller writes it (ForwardConfig with weights)."""
    return [{"Type": "forward", "Order": 1, "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": arn, "Weight": weight} for arn, weight in weighted]}}]


def rule(priority, paths=None, hosts=None, actions=None, extra=None):
    conditions = []
    if paths:
        conditions.append({"Field": "path-pattern", "PathPatternConfig": {"Values": paths}})
    if hosts:
        conditions.append({"Field": "host-header", "HostHeaderConfig": {"Values": hosts}})
    conditions.extend(extra or [])
    return {"Priority": str(priority), "IsDefault": False, "Conditions": conditions, "Actions": actions or forward((BLUE_TG, 1))}


DEFAULT = {"Priority": "default", "IsDefault": True, "Conditions": [],
           "Actions": [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}]}


def side_of(described, path, host=""):
    return serving_side(first_match(parse_rules(described), host, path), PORTS, PORT_OF)


def test_the_lowest_priority_that_matches_decides_whatever_the_listing_order():
    described = [DEFAULT, rule(2, ["/api/v1/auth", "/api/v1/auth/*"], actions=forward((BLUE_TG, 1))),
                 rule(1, ["/api/v1/auth", "/api/v1/auth/*"], actions=forward((GREEN_TG, 1)))]
    assert side_of(described, "/api/v1/auth") == ("green", "rule 1 forwards to the green target group")


@pytest.mark.parametrize("path, host, expected", [
    ("/api/v1/auth/login", "", "blue"),
    ("/api/v1/authx", "", "none"),  # "/api/v1/auth" and "/api/v1/auth/*" do not match it
    ("/API/v1/auth", "", "none"),  # paths are case-sensitive
    ("/api/v1/chat", "Api.Example.COM", "green"),  # hosts are not
    ("/api/v1/chat", "", "none"),  # a host condition needs the host
    ("/api/v1/scan/x", "", "green"),  # ? is one character
])
def test_conditions_match_as_on_an_alb(path, host, expected):
    described = [
        rule(1, ["/api/v1/auth", "/api/v1/auth/*"]),
        rule(2, ["/api/v1/chat"], hosts=["*.example.com"], actions=forward((GREEN_TG, 1))),
        rule(3, ["/api/v1/sca?/*"], actions=forward((GREEN_TG, 1))),
        DEFAULT,
    ]
    assert side_of(described, path, host)[0] == expected


def test_a_rule_needing_a_header_does_not_match_a_plain_request():
    header = {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-Canary", "Values": ["1"]}}
    described = [rule(1, ["/api/*"], actions=forward((GREEN_TG, 1)), extra=[header]), rule(2, ["/api/*"])]
    assert side_of(described, "/api/v1/auth")[0] == "blue"


def test_weights_decide_which_target_groups_serve():
    assert side_of([rule(1, ["/a"], actions=forward((BLUE_TG, 0), (GREEN_TG, 1)))], "/a")[0] == "green"
    assert side_of([rule(1, ["/a"], actions=forward((BLUE_TG, 5), (GREEN_TG, 95)))], "/a")[0] == "mixed"


def test_a_plain_target_group_arn_forward_counts_too():
    assert side_of([rule(1, ["/a"], actions=[{"Type": "forward", "TargetGroupArn": GREEN_TG}])], "/a")[0] == "green"


def test_a_target_group_of_neither_side_is_unknown_and_named():
    side, reason = side_of([rule(1, ["/a"], actions=forward((OTHER_TG, 1)))], "/a")
    assert side == "unknown"
    assert "k8s-x" in reason and "30009" in reason and "blue 30001" in reason


def test_no_match_and_non_forwarding_rules_serve_no_side():
    assert side_of([DEFAULT], "/a") == ("none", "rule default does not forward (fixed-response)")
    assert side_of([], "/a")[0] == "none"
    redirect = [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]
    assert side_of([rule(1, ["/a"], actions=redirect)], "/a") == ("none", "rule 1 does not forward (redirect)")
