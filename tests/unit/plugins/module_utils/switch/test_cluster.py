from unittest.mock import Mock

import pytest
from kubernetes.dynamic.exceptions import ForbiddenError, NotFoundError, ResourceNotFoundError, UnprocessibleEntityError

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import BlueGreenError, Conflict, NotFound
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.cluster import Cluster
from ansible_collections.ecoeco.bluegreen.tests.unit.plugins.module_utils.switch.fake_k8s import Answer, api_error

PATCH_FAILED = {"kind": "Status", "reason": "Invalid", "message": "the server rejected our request due to an error in our request"}
FIELD_INVALID = {"kind": "Status", "reason": "Invalid", "message": 'Service "backend" is invalid: spec.selector: Invalid value',
                 "details": {"causes": [{"field": "spec.selector", "reason": "FieldValueInvalid"}]}}


def client_raising(method, error):
    return Mock(**{method + ".side_effect": error})


@pytest.mark.parametrize(
    "error, raised, message",
    [
        pytest.param(api_error(UnprocessibleEntityError, 422, "Unprocessable Entity", PATCH_FAILED), Conflict,
                     "Service prod/backend changed since it was read", id="failed-test-is-a-conflict"),
        pytest.param(api_error(UnprocessibleEntityError, 422, "Unprocessable Entity", FIELD_INVALID), BlueGreenError,
                     'The API server rejected the new value for Service prod/backend: Service "backend" is invalid', id="validation-is-not-a-conflict"),
        pytest.param(api_error(NotFoundError, 404, "Not Found", {"message": "gone"}), NotFound, "Service prod/backend no longer exists", id="gone"),
        pytest.param(api_error(ForbiddenError, 403, "Forbidden", {"message": "cannot patch services"}), BlueGreenError,
                     "Could not patch Service prod/backend: cannot patch services", id="forbidden"),
    ],
)
def test_patch_errors(error, raised, message):
    with pytest.raises(raised, match=message) as caught:
        Cluster(client_raising("patch", error)).json_patch("Service", "prod", "backend", [])
    assert caught.type is raised


def test_patch_sends_a_json_patch_and_a_server_dry_run():
    client = Mock(**{"patch.return_value": Answer({"kind": "Service"})})
    assert Cluster(client).json_patch("Service", "prod", "backend", [{"op": "test"}], dry_run=True) == {"kind": "Service"}
    client.resource.assert_called_once_with("Service", "v1")
    kwargs = client.patch.call_args[1]
    assert kwargs == {"name": "backend", "namespace": "prod", "content_type": "application/json-patch+json", "dry_run": "All"}


def test_missing_object_reads_as_none():
    assert Cluster(client_raising("get", api_error(NotFoundError, 404, "Not Found", {}))).get("Service", "prod", "backend") is None


def test_read_errors_name_what_was_read():
    cluster = Cluster(client_raising("get", api_error(ForbiddenError, 403, "Forbidden", {"message": "no"})))
    with pytest.raises(BlueGreenError, match="^Could not list Pod in namespace prod matching app=x: no$"):
        cluster.list("Pod", "prod", "app=x")
    with pytest.raises(BlueGreenError, match="^Could not read Namespace prod: no$"):
        cluster.get("Namespace", None, "prod")


def test_serves_is_false_without_the_crd():
    client = Mock(**{"resource.side_effect": ResourceNotFoundError("No matches")})
    assert Cluster(client).serves("Application") is False
