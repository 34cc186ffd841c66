"""The sandbox's pod IP allocator never gives one address to two live pods."""

from ecoeco_sandbox.ip_allocator import plan_addresses
from ecoeco_sandbox.topology import POD_NETWORK_PREFIX

NET = POD_NETWORK_PREFIX  # 10.244 unless ECOECO_SANDBOX_POD_OCTET says otherwise


def pod(name, node="k8s-worker-1", ip=None, phase="Running", created="2026-01-01T00:00:00Z", deleting=False):
    meta = {"namespace": "ns", "name": name, "creationTimestamp": created}
    if deleting:
        meta["deletionTimestamp"] = created
    return {"metadata": meta, "spec": {"nodeName": node}, "status": {"phase": phase, "podIP": ip}}


def test_new_pods_get_the_lowest_free_addresses_of_their_node():
    pods = [pod("a", ip=NET + ".2.1"), pod("b"), pod("c", created="2026-01-01T00:00:01Z"), pod("d", node="k8s-worker-2")]
    assert plan_addresses(pods) == {("ns", "b"): NET + ".2.2", ("ns", "c"): NET + ".2.3", ("ns", "d"): NET + ".3.1"}


def test_an_address_held_by_a_terminating_pod_is_not_reused():
    pods = [pod("old", ip=NET + ".2.1", deleting=True), pod("new")]
    assert plan_addresses(pods) == {("ns", "new"): NET + ".2.2"}


def test_pending_deleting_or_addressed_pods_are_left_alone():
    pods = [pod("pending", phase="Pending"), pod("gone", deleting=True), pod("has", ip=NET + ".2.9"), pod("elsewhere", node="unknown")]
    assert plan_addresses(pods) == {}
