"""Ingresses -> desired ALBs, rules and target groups."""

import re

import pytest

from ecoeco_sandbox.aws.desired import aws_name, build_desired, path_patterns, target_group_name

from kube_fakes import ingress, service


@pytest.mark.parametrize("path, path_type, expected", [
    ("/api/v1/auth", "Prefix", ("/api/v1/auth", "/api/v1/auth/*")),
    ("/api/v1/auth/", "Prefix", ("/api/v1/auth", "/api/v1/auth/*")),
    ("/", "Prefix", ("/*",)),
    ("/health", "Exact", ("/health",)),
    ("/img/*.png", "ImplementationSpecific", ("/img/*.png",)),
    (None, "ImplementationSpecific", ("/*",)),
])
def test_path_patterns(path, path_type, expected):
    assert path_patterns(path, path_type) == expected


@pytest.mark.parametrize("parts, expected", [
    (("k8s", "ecoeco"), "k8s-ecoeco"),
    (("k8s", "team/app"), "k8s-team-app"),
    (("k8s", "a" * 40), "k8s-" + "a" * 28),
    (("k8s", "abcdefghijklmnopqrstuvwxyz12-", "x"), "k8s-abcdefghijklmnopqrstuvwxyz12"),
])
def test_aws_name(parts, expected):
    assert aws_name(*parts) == expected


@pytest.mark.parametrize("namespace, service_name", [("api", "auth-api"), ("a-very-long-namespace", "character-api"), ("ns-", "-svc")])
def test_target_group_name_is_valid_and_stable(namespace, service_name):
    name = target_group_name("c", "ecoeco", namespace, service_name, 8000, 30001)
    assert re.fullmatch(r"(?!.*--)[A-Za-z0-9][A-Za-z0-9-]{0,30}[A-Za-z0-9]", name)
    assert name == target_group_name("c", "ecoeco", namespace, service_name, 8000, 30001)
    assert name != target_group_name("c", "ecoeco", namespace, service_name, 8000, 30002)


def services(*objects):
    return {(s["metadata"]["namespace"], s["metadata"]["name"]): s for s in objects}


def test_members_ordered_by_group_order_then_namespace_then_name():
    ingresses = [
        ingress("b", "x", [("/b", "Prefix", "s", 8000)], group="g", order=5),
        ingress("a", "y", [("/ay", "Exact", "s", 8000), ("/ay2", "Exact", "s", 8000)], group="g"),
        ingress("a", "x", [("/ax", "Exact", "s", 8000)], group="g"),
        ingress("c", "z", [("/c", "Exact", "s", 8000)], group="g", order=-1),
    ]
    known = services(*(service(ns, "s") for ns in "abc"))
    [group] = build_desired(ingresses, known, "c").groups
    assert [route.paths[0] for route in group.routes] == ["/c", "/ax", "/ay", "/ay2", "/b"]
    assert group.members == (("c", "z"), ("a", "x"), ("a", "y"), ("b", "x"))
    assert (group.load_balancer_name, group.scheme) == ("k8s-g", "internal")


def test_implicit_groups_and_class_selection():
    ingresses = [
        ingress("a", "one", [("/1", "Exact", "s", 8000)], annotations={"alb.ingress.kubernetes.io/scheme": "internet-facing"}),
        ingress("a", "two", [("/2", "Exact", "s", 8000)], class_name=None, annotations={"kubernetes.io/ingress.class": "alb"}),
        ingress("a", "nginx", [("/3", "Exact", "s", 8000)], class_name="nginx"),
    ]
    desired = build_desired(ingresses, services(service("a", "s")), "c")
    assert [(g.stack, g.load_balancer_name, g.scheme) for g in desired.groups] == [
        ("a/one", "k8s-a-one", "internet-facing"), ("a/two", "k8s-a-two", "internal")]


def test_group_keeps_its_alb_name_while_every_member_is_broken():
    ingresses = [ingress("a", "x", [("/x", "Exact", "missing", 8000)], group="g", lb_name="ecoeco-alb")]
    desired = build_desired(ingresses, {}, "c")
    [group] = desired.groups
    assert (group.load_balancer_name, group.members, group.routes, desired.backends) == ("ecoeco-alb", (), (), ())
    assert desired.problems == {("a", "x"): "service a/missing not found"}


def test_backend_port_by_name_and_service_health_check_path():
    svc = service("a", "s", node_port=31000)
    svc["metadata"]["annotations"] = {"alb.ingress.kubernetes.io/healthcheck-path": "/ready"}
    ing = ingress("a", "x", [("/x", "Exact", "s", 8000)])
    ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["port"] = {"name": "http"}
    [backend] = build_desired([ing], services(svc), "c").backends
    assert (backend.port, backend.node_port, backend.health_check_path, backend.resource) == (8000, 31000, "/ready", "a/s:8000")
