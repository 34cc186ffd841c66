"""What the smoke test sends, by mode, from EndpointSlices as the API server returns them."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ecoeco.bluegreen.plugins.filter.smoke_test_plan import smoke_test_plan

SERVICES = [["auth", "auth", "auth-api"], ["chat", "chat", "chat-api"]]
HEALTH = {"path": "/health", "json_contains": {"status": "healthy"}}


def endpoint(ip, pod=None, ready=True):
    found = {"addresses": [ip], "conditions": {"ready": ready}}
    if pod:
        found["targetRef"] = {"kind": "Pod", "namespace": "auth", "name": pod}
    return found


def endpoint_slice(namespace, service, endpoints, ports=({"name": "http", "port": 8000},)):
    return {"metadata": {"namespace": namespace, "labels": {"kubernetes.io/service-name": service}},
            "ports": list(ports), "endpoints": endpoints}


SLICES = [
    endpoint_slice("auth", "auth-api", [endpoint("10.244.1.7", "auth-api-1"), endpoint("10.244.1.8", "auth-api-2"),
                                        endpoint("10.244.1.9", "auth-api-3", ready=False)]),
    endpoint_slice("api", "auth-api", [endpoint("10.244.9.9", "blue-pod")]),  # blue's Service of the same name
]


def test_port_forward_reaches_every_ready_pod_and_names_the_service_without_one():
    plan = smoke_test_plan(SLICES, SERVICES, [HEALTH, {"path": "/whoami", "domain": "auth", "status": "201"}], "port_forward")
    assert [request["pod"] for request in plan["requests"]] == [{"namespace": "auth", "name": "auth-api-1", "port": 8000}] * 2 + [
        {"namespace": "auth", "name": "auth-api-2", "port": 8000}] * 2
    assert [(request["path"], request["status"]) for request in plan["requests"]][:2] == [("/health", 200), ("/whoami", 201)]
    assert plan["requests"][0]["endpoint"] == "pod auth-api-1:8000 (port-forward)" and "url" not in plan["requests"][0]
    assert plan["unreachable"] == [{"domain": "chat", "endpoint": "chat/chat-api",
                                    "problem": "no Ready endpoint (is the Service there, are its pods Ready?)"}]


def test_endpoints_mode_calls_every_ready_address_where_this_host_reaches_it():
    plan = smoke_test_plan(SLICES, SERVICES[:1], [HEALTH], "endpoints", endpoint_rewrite={"pattern": r"^10\.", "replacement": "127."})
    assert [request["url"] for request in plan["requests"]] == ["http://127.244.1.7:8000/health", "http://127.244.1.8:8000/health"]
    assert plan["requests"][0]["endpoint"] == "10.244.1.7:8000 (pod auth-api-1)"
    assert plan["requests"][0]["json_contains"] == {"status": "healthy"}


def test_an_endpoint_that_is_not_a_pod_cannot_be_port_forwarded():
    plan = smoke_test_plan([endpoint_slice("auth", "auth-api", [endpoint("192.0.2.10")])], SERVICES[:1], [HEALTH], "port_forward")
    assert plan["requests"] == []
    assert [miss["problem"] for miss in plan["unreachable"]] == [
        "a Ready endpoint that is not a pod cannot be port-forwarded to", "no Ready endpoint (is the Service there, are its pods Ready?)"]


def test_a_named_port_and_a_read_error_are_named_in_the_miss():
    plan = smoke_test_plan(SLICES, SERVICES[:1], [HEALTH], "endpoints", port_name="metrics", read_error="Forbidden")
    assert plan["unreachable"][0]["problem"] == "no Ready endpoint with port metrics: Forbidden"


def test_url_mode_calls_each_base_url_and_sends_the_body():
    plan = smoke_test_plan([], SERVICES, [{"path": "/echo", "method": "POST", "body": {"a": 1}}], "url",
                           base_urls={"auth": "https://auth.example/", "chat": "https://chat.example"})
    assert [(request["url"], request["method"], request["body"]) for request in plan["requests"]] == [
        ("https://auth.example/echo", "POST", {"a": 1}), ("https://chat.example/echo", "POST", {"a": 1})]


def test_an_ipv6_address_is_bracketed():
    slices = [endpoint_slice("auth", "auth-api", [endpoint("fd00::7", "auth-api-1")])]
    plan = smoke_test_plan(slices, SERVICES[:1], [HEALTH], "endpoints")
    assert plan["requests"][0]["url"] == "http://[fd00::7]:8000/health"


def test_an_unknown_mode_is_refused():
    with pytest.raises(AnsibleFilterError, match="mode must be one of url, endpoints, port_forward, got 'telnet'"):
        smoke_test_plan([], SERVICES, [HEALTH], "telnet")
