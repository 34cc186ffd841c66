"""The sandbox writes one kwok PortForward per pod, to the pod's loopback twin, once per pod."""

from kubernetes.client import ApiException

from ecoeco_sandbox.port_forwards import PortForwards, port_forward_manifest
from ecoeco_sandbox.topology import POD_NETWORK_PREFIX, loopback_address

POD_IP = POD_NETWORK_PREFIX + ".16.7"


def pod(name, uid=None, ip=POD_IP, phase="Running", ports=(8000,), deleting=False):
    meta = {"namespace": "auth", "name": name, "uid": uid or name + "-uid"}
    if deleting:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    containers = [{"name": "api", "ports": [{"containerPort": port} for port in ports]}]
    return {"metadata": meta, "spec": {"containers": containers}, "status": {"phase": phase, "podIP": ip}}


class CustomObjects:
    """Records the server-side applies; fails with ``status`` while it is set."""

    def __init__(self):
        self.applied = []
        self.status = None

    def patch_namespaced_custom_object(self, group, version, namespace, plural, name, body, **kwargs):
        if self.status:
            raise ApiException(status=self.status, reason="refused")
        assert (group, version, plural) == ("kwok.x-k8s.io", "v1alpha1", "portforwards")
        assert kwargs["_content_type"] == "application/apply-patch+yaml" and kwargs["force"]
        self.applied.append((namespace, name, body))


def test_each_container_port_goes_to_the_same_port_on_the_loopback_twin():
    manifest = port_forward_manifest(pod("auth-api-1", ports=(8000, 9090)))
    assert manifest["kind"] == "PortForward"
    assert (manifest["metadata"]["namespace"], manifest["metadata"]["name"]) == ("auth", "auth-api-1")
    assert manifest["metadata"]["ownerReferences"] == [{"apiVersion": "v1", "kind": "Pod", "name": "auth-api-1", "uid": "auth-api-1-uid"}]
    twin = loopback_address(POD_IP)
    assert manifest["spec"]["forwards"] == [{"ports": [8000], "target": {"address": twin, "port": 8000}},
                                            {"ports": [9090], "target": {"address": twin, "port": 9090}}]


def test_pods_without_an_app_to_reach_get_none():
    assert port_forward_manifest(pod("no-ip", ip=None)) is None
    assert port_forward_manifest(pod("pending", phase="Pending")) is None
    assert port_forward_manifest(pod("no-ports", ports=())) is None
    assert port_forward_manifest(pod("leaving", deleting=True)) is None


def test_a_pod_is_written_once_and_again_only_under_a_new_uid():
    api = CustomObjects()
    forwards = PortForwards(api)
    forwards.sync([pod("a"), pod("b", ip=None)])
    forwards.sync([pod("a"), pod("b", ip=POD_NETWORK_PREFIX + ".16.8")])
    assert [name for _namespace, name, _body in api.applied] == ["a", "b"]
    forwards.sync([pod("a", uid="a-recreated")])  # same name, new pod (a StatefulSet's): new IP, new owner
    assert [body["metadata"]["ownerReferences"][0]["uid"] for _ns, _name, body in api.applied] == ["a-uid", "b-uid", "a-recreated"]


def test_a_failed_write_is_retried_and_a_terminating_namespace_is_not():
    api = CustomObjects()
    forwards = PortForwards(api)
    api.status = 500
    forwards.sync([pod("a")])
    api.status = None
    forwards.sync([pod("a")])
    assert len(api.applied) == 1
    api.status = 403  # the namespace is terminating: the pod goes with it
    forwards.sync([pod("b")])
    api.status = None
    forwards.sync([pod("b")])
    assert len(api.applied) == 1
