"""access_review's input: every permission expanded to one request per verb and namespace, bad input named."""

import pytest

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.access.permissions import Request, parse_permissions
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import InvalidInput


def test_one_request_per_verb_and_namespace_in_order_without_repeats():
    requests = parse_permissions([
        {"group": "apps", "resource": "deployments", "verbs": ["get", "patch"], "namespaces": ["auth", "my"]},
        {"group": "apps", "resource": "deployments", "verbs": ["get"], "namespace": "auth", "why": "again"},
        {"resource": "nodes", "verbs": ["list"]},
    ])
    assert [request.text for request in requests] == [
        "get deployments.apps in namespace auth", "get deployments.apps in namespace my",
        "patch deployments.apps in namespace auth", "patch deployments.apps in namespace my",
        "list nodes in all namespaces",
    ]


@pytest.mark.parametrize("permission, text, attributes", [
    ({"resource": "pods/portforward", "verbs": ["create"], "namespace": "auth"}, "create pods/portforward in namespace auth",
     {"verb": "create", "group": "", "resource": "pods", "subresource": "portforward", "namespace": "auth"}),
    ({"resource": "namespaces", "verbs": ["delete"], "namespace": "api", "name": "api"}, "delete namespaces api in namespace api",
     {"verb": "delete", "group": "", "resource": "namespaces", "namespace": "api", "name": "api"}),
    ({"group": "networking.k8s.io", "resource": "ingresses", "verbs": ["list"], "namespace": ""}, "list ingresses.networking.k8s.io in all namespaces",
     {"verb": "list", "group": "networking.k8s.io", "resource": "ingresses"}),
    ({"group": None, "resource": "namespaces", "verbs": ["create"], "namespace": None}, "create namespaces in all namespaces",
     {"verb": "create", "group": "", "resource": "namespaces"}),
])
def test_a_request_is_named_as_kubectl_auth_can_i_names_it(permission, text, attributes):
    (request,) = parse_permissions([permission])
    assert request.text == text
    assert request.attributes() == attributes


def test_the_question_for_every_namespace_drops_namespace_and_name_only():
    request = Request("delete", "", "namespaces", namespace="api", name="api", why="blue removal")
    assert request.everywhere() == Request("delete", "", "namespaces")
    assert request.everywhere().why == "blue removal"


@pytest.mark.parametrize("permissions, message", [
    ([], "permissions: expected a non-empty list"),
    ("deployments", "permissions: expected a non-empty list"),
    (["deployments"], "permissions[0]: expected a mapping with resource, verbs"),
    ([{"verbs": ["get"]}], "permissions[0].resource: expected the plural lowercase resource"),
    ([{"resource": "", "verbs": ["get"]}], "permissions[0].resource: expected the plural lowercase resource"),
    ([{"resource": "Deployment", "verbs": ["get"]}],
     "permissions[0].resource: expected the plural lowercase resource, for example deployments or pods/portforward (not the kind), got 'Deployment'"),
    ([{"resource": "pods", "verbs": []}], "permissions[0].verbs: expected a non-empty list of verbs, for example [get, list], got []"),
    ([{"resource": "pods"}], "permissions[0].verbs: expected a non-empty list of verbs"),
    ([{"resource": "pods", "verbs": "get"}], "permissions[0].verbs: expected a non-empty list of verbs, for example [get, list], got 'get'"),
    ([{"resource": "pods", "verbs": ["Get"]}], "permissions[0].verbs: expected a non-empty list of lowercase verbs"),
    ([{"resource": "pods", "verbs": ["get"], "namespace": "a", "namespaces": ["b"]}], "permissions[0]: expected namespace or namespaces, not both"),
    ([{"resource": "pods", "verbs": ["get"], "namespaces": []}], "permissions[0].namespaces: expected a non-empty list of namespace names"),
    ([{"resource": "pods", "verbs": ["get"], "namespace": "auth service"}], "permissions[0].namespace: expected a namespace name"),
    ([{"resource": "pods", "verbs": ["get"], "namespaces": ["auth", "my ns"]}], "permissions[0].namespaces: expected a list of namespace names"),
    ([{"resource": "pods", "verbs": ["get"], "group": "Apps"}], "permissions[0].group: expected an API group"),
    ([{"resource": "pods", "verbs": ["get"]}, {"resource": "pods", "verb": ["get"]}], "permissions[1].verb: expected one of the keys"),
])
def test_bad_input_names_the_field_and_what_was_expected(permissions, message):
    with pytest.raises(InvalidInput) as refused:
        parse_permissions(permissions)
    assert str(refused.value).startswith(message)


def test_a_namespace_that_is_not_a_valid_name_is_left_to_the_phase_to_refuse():
    """The phase's own input check names the user's variable; the review asks the API server about any word."""
    requests = parse_permissions([{"resource": "namespaces", "verbs": ["get"], "namespaces": ["Not_A_Namespace"]}])
    assert [request.namespace for request in requests] == ["Not_A_Namespace"]
