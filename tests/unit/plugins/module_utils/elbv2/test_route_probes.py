"""What the gate asks the ALB about each route: the green Ingress's first host and path, each side's NodePort."""

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2.route_probes import route_probes


def ingress(namespace, name, path="/api/v1/auth", host=None, service="auth-api", port=None):
    rule = {"http": {"paths": [{"path": path, "backend": {"service": {"name": service, "port": port or {"number": 8000}}}}]}}
    if host:
        rule["host"] = host
    return {"metadata": {"namespace": namespace, "name": name}, "spec": {"rules": [rule]}}


def service(namespace, name, node_port):
    return {"metadata": {"namespace": namespace, "name": name}, "spec": {"ports": [{"name": "http", "port": 8000, "nodePort": node_port}]}}


ROUTE = {"name": "auth", "blue": {"namespace": "api", "name": "auth-api"}, "green": {"namespace": "auth", "name": "auth-api"}}


def test_each_side_gets_its_backend_node_port_and_the_green_ingress_gives_the_request():
    ingresses = [ingress("api", "auth-api", path="/old"), ingress("auth", "auth-api", host="api.example.com", port={"name": "http"})]
    services = [service("api", "auth-api", 30001), service("auth", "auth-api", 30002)]
    assert route_probes(ingresses, services, [ROUTE]) == [
        {"name": "auth", "host": "api.example.com", "path": "/api/v1/auth", "ports": {"blue": 30001, "green": 30002}}]


def test_a_missing_side_has_no_port_and_the_blue_ingress_gives_the_request():
    probes = route_probes([ingress("api", "auth-api", path="/api/v1/auth/*")], [service("api", "auth-api", 30001)], [ROUTE])
    assert probes == [{"name": "auth", "host": "", "path": "/api/v1/auth/probe", "ports": {"blue": 30001, "green": None}}]


def test_a_missing_service_or_port_has_no_port():
    ingresses = [ingress("api", "auth-api", port={"number": 9999}), ingress("auth", "auth-api")]
    assert route_probes(ingresses, [service("api", "auth-api", 30001)], [ROUTE])[0]["ports"] == {"blue": None, "green": None}
