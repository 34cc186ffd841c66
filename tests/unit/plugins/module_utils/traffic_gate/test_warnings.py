"""The controller's warnings on the routes' Ingresses, as the gate's failure message quotes them."""

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.targets import ObjectRef
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.traffic_gate.warnings import ingress_warnings

ROUTES = [("auth", {"blue": ObjectRef("api", "auth-api"), "green": ObjectRef("auth", "auth-api")})]


def event(namespace, name, reason, message, when, kind="Ingress", kind_of_event="Warning"):
    return {"type": kind_of_event, "reason": reason, "message": message, "lastTimestamp": when,
            "involvedObject": {"kind": kind, "namespace": namespace, "name": name, "uid": "x"}}


def test_newest_warning_per_ingress_and_reason_of_the_routes_only():
    events = [
        event("auth", "auth-api", "FailedBuildModel", "old", "2026-12-07T03:00:00Z"),
        event("auth", "auth-api", "FailedBuildModel", "Failed build model due to ingress: api/broken-api: service not found", "2026-12-07T03:01:00Z"),
        event("api", "auth-api", "FailedDeployModel", "Failed deploy model\n", "2026-12-07T03:00:30Z"),
        event("shop", "auth-api", "FailedBuildModel", "another team's", "2026-12-07T03:02:00Z"),
        event("auth", "auth-api", "SuccessfullyReconciled", "fine", "2026-12-07T03:03:00Z", kind_of_event="Normal"),
        event("auth", "auth-api", "BackOff", "a pod's", "2026-12-07T03:03:00Z", kind="Pod"),
    ]
    assert ingress_warnings(events, ROUTES) == [
        "auth/auth-api: FailedBuildModel: Failed build model due to ingress: api/broken-api: service not found",
        "api/auth-api: FailedDeployModel: Failed deploy model",
    ]
