"""The front door's routing decision: ALB rule order and wildcards, NodePort -> Ready endpoints, kube-proxy lag."""

import pytest

from ecoeco_sandbox.frontdoor.lagged import Lagged
from ecoeco_sandbox.frontdoor.routing import Endpoint, Rule, decide, endpoints_by_node_port, matching_rule, rules_from_listener

BLUE = Rule(2, (), ("/api/v1/auth", "/api/v1/auth/*"), "tg-blue")
GREEN = Rule(1, (), ("/api/v1/auth", "/api/v1/auth/*"), "tg-green")
HOSTED = Rule(3, ("*.ecoeco.example",), ("/api/v1/my/*",), "tg-my")
NODE_PORTS = {"tg-blue": 30001, "tg-green": 30002, "tg-my": 30003}
BLUE_POD = Endpoint("10.246.1.5", 8000, "auth-api-blue")
GREEN_POD = Endpoint("10.246.2.6", 8000, "auth-api-green")


@pytest.mark.parametrize("rules, host, path, expected", [
    pytest.param([BLUE, GREEN], "", "/api/v1/auth/login", GREEN, id="lowest priority first"),
    pytest.param([BLUE], "", "/api/v1/auth?x=1", BLUE, id="query string ignored"),
    pytest.param([BLUE], "", "/api/v1/authz", None, id="prefix is not a wildcard"),
    pytest.param([BLUE], "", "/API/v1/auth", None, id="paths are case-sensitive"),
    pytest.param([HOSTED], "API.EcoEco.Example:8080", "/api/v1/my/x", HOSTED, id="hosts: case-insensitive, port stripped"),
    pytest.param([HOSTED], "ecoeco.example", "/api/v1/my/x", None, id="host wildcard needs its dot"),
    pytest.param([HOSTED], "a.ecoeco.example", "/api/v1/auth", None, id="every condition must match"),
])
def test_matching_rule(rules, host, path, expected):
    assert matching_rule(rules, host, path) == expected


def test_decide_follows_rule_to_node_port_endpoints():
    endpoints = {30001: (BLUE_POD,), 30002: (GREEN_POD,)}
    assert decide([BLUE, GREEN], NODE_PORTS, endpoints, "", "/api/v1/auth/x").endpoint == GREEN_POD
    assert decide([BLUE], NODE_PORTS, endpoints, "", "/api/v1/auth/x").endpoint == BLUE_POD


@pytest.mark.parametrize("rules, node_ports, endpoints, status", [
    pytest.param([BLUE], NODE_PORTS, {30001: ()}, 503, id="no Ready endpoint"),
    pytest.param([BLUE], {}, {30001: (BLUE_POD,)}, 503, id="unknown target group"),
    pytest.param([Rule(1, (), ("/*",), None)], NODE_PORTS, {}, 503, id="not a single forward"),
    pytest.param([BLUE], NODE_PORTS, {30001: (BLUE_POD,)}, 404, id="no rule: default action"),
])
def test_decide_answers_like_the_alb_when_it_cannot_route(rules, node_ports, endpoints, status):
    path = "/elsewhere" if status == 404 else "/api/v1/auth"
    decision = decide(rules, node_ports, endpoints, "", path)
    assert (decision.status, decision.endpoint) == (status, None)


def test_rules_from_listener_skips_default_and_reads_both_forms():
    described = [
        {"Priority": "default", "IsDefault": True, "Conditions": [], "Actions": [{"Type": "fixed-response"}]},
        {"Priority": "4", "IsDefault": False,
         "Conditions": [{"Field": "host-header", "HostHeaderConfig": {"Values": ["a.example"]}},
                        {"Field": "path-pattern", "Values": ["/x/*"]}],
         "Actions": [{"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": "tg-x", "Weight": 1}]}}]},
    ]
    assert rules_from_listener(described) == [Rule(4, ("a.example",), ("/x/*",), "tg-x")]


def test_endpoints_by_node_port_keeps_ready_endpoints_of_the_named_port():
    service = {"metadata": {"namespace": "api", "name": "auth-api"},
               "spec": {"ports": [{"name": "http", "port": 8000, "nodePort": 30001}]}}
    endpoint_slice = {
        "metadata": {"namespace": "api", "labels": {"kubernetes.io/service-name": "auth-api"}},
        "ports": [{"name": "http", "port": 8000}],
        "endpoints": [
            {"addresses": ["10.246.1.5"], "conditions": {"ready": True}, "targetRef": {"name": "auth-api-blue"}},
            {"addresses": ["10.246.1.9"], "conditions": {"ready": False}},
            {"addresses": ["10.246.1.7"], "conditions": {}},
        ],
    }
    other = {"metadata": {"namespace": "auth", "labels": {"kubernetes.io/service-name": "auth-api"}},
             "ports": [{"name": "http", "port": 8000}], "endpoints": [{"addresses": ["10.246.2.6"]}]}
    table = endpoints_by_node_port([service], [endpoint_slice, other])
    assert table == {30001: (BLUE_POD, Endpoint("10.246.1.7", 8000, None))}


def test_lagged_value_shows_after_the_lag():
    now = [100.0]
    lagged = Lagged("old", 1.0, clock=lambda: now[0])
    lagged.set("new")
    now[0] = 100.9
    assert lagged.get() == "old"
    now[0] = 101.0
    assert lagged.get() == "new"
