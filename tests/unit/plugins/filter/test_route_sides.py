"""The side each route serves, as the gates and the report read it: the switch's own rule on the Ingresses."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ecoeco.bluegreen.plugins.filter.route_sides import route_sides

ORDER = "alb.ingress.kubernetes.io/group.order"
GROUP = "alb.ingress.kubernetes.io/group.name"


def ingress(namespace, name, order=None, hostname="alb.example", backends=(("auth-api", 80),)):
    annotations = {GROUP: "ecoeco"}
    if order is not None:
        annotations[ORDER] = order
    paths = [{"path": "/" + service, "backend": {"service": {"name": service, "port": {"number": port}}}} for service, port in backends]
    return {"metadata": {"namespace": namespace, "name": name, "annotations": annotations},
            "spec": {"rules": [{"http": {"paths": paths}}]},
            "status": {"loadBalancer": {"ingress": [{"hostname": hostname}] if hostname else []}}}


def route(name="auth", source="api"):
    return {"name": name, "blue": {"namespace": source, "name": name + "-api"}, "green": {"namespace": name, "name": name + "-api"}}


@pytest.mark.parametrize("source, blue_order, green_order, served", [
    ("api", "10", "20", "blue"),    # green parked behind blue
    ("api", "10", "5", "green"),    # switched
    ("api", None, "-1", "green"),   # unset is 0
    ("api", "10", "10", "blue"),    # a tie: "api/auth-api" < "auth/auth-api"
    ("zz", "10", "10", "green"),    # a tie: "auth/auth-api" < "zz/auth-api"
])
def test_the_lower_order_serves_and_ties_go_to_the_smaller_namespace_name(source, blue_order, green_order, served):
    result = route_sides([ingress(source, "auth-api", blue_order), ingress("auth", "auth-api", green_order)], [route(source=source)])
    assert result["served"] == {"auth": served}


def test_one_ingress_serves_alone_and_none_when_both_are_absent():
    routes = [route("auth"), route("chat")]
    result = route_sides([ingress("auth", "auth-api", "20")], routes)
    assert result["served"] == {"auth": "green", "chat": "none"}
    assert result["ingresses"]["chat/blue"] == {"namespace": "api", "name": "chat-api", "exists": False, "order": None,
                                                "invalid": "", "group": "", "hostname": "", "backends": []}


def test_the_index_carries_order_group_hostname_and_service_backends_without_action_backends():
    action = ingress("api", "auth-api", "10", backends=(("auth-api", 80),))
    action["spec"]["rules"][0]["http"]["paths"].append(
        {"path": "/redirect", "backend": {"service": {"name": "ssl-redirect", "port": {"name": "use-annotation"}}}})
    entry = route_sides([action], [route()])["ingresses"]["auth/blue"]
    assert entry == {"namespace": "api", "name": "auth-api", "exists": True, "order": 10, "invalid": "", "group": "ecoeco",
                     "hostname": "alb.example", "backends": [{"name": "auth-api", "port": {"number": 80}}]}


@pytest.mark.parametrize("bad", ["ten", "1001", "1.5", ""])
def test_an_order_the_controller_refuses_makes_the_route_unknown_and_says_why(bad):
    result = route_sides([ingress("api", "auth-api", "10"), ingress("auth", "auth-api", bad)], [route()])
    assert result["served"] == {"auth": "unknown"}
    assert result["ingresses"]["auth/green"]["order"] is None
    assert "group.order" in result["ingresses"]["auth/green"]["invalid"]


def test_ingresses_of_other_routes_are_ignored():
    result = route_sides([ingress("other", "auth-api", "-5"), ingress("api", "auth-api", "10")], [route()])
    assert result["served"] == {"auth": "blue"}


@pytest.mark.parametrize("routes", [[{"name": "auth", "blue": {"namespace": "api"}}], ["auth"]])
def test_a_route_without_both_refs_is_refused_naming_it(routes):
    with pytest.raises(AnsibleFilterError, match="needs blue.namespace and blue.name|needs green"):
        route_sides([], routes)
