"""The sandbox's pod IP allocator never gives one address to two live pods."""

import ipaddress

from ecoeco_sandbox.ip_allocator import plan_addresses
from ecoeco_sandbox.topology import POD_NETWORK_PREFIX

NET = POD_NETWORK_PREFIX  # 10.244 unless ECOECO_SANDBOX_POD_OCTET says otherwise
WORKER_1, WORKER_2 = NET + ".16", NET + ".32"  # the /20s of k8s-worker-1 and k8s-worker-2


def pod(name, node="k8s-worker-1", ip=None, phase="Running", created="2026-01-01T00:00:00Z", deleting=False):
    meta = {"namespace": "ns", "name": name, "creationTimestamp": created}
    if deleting:
        meta["deletionTimestamp"] = created
    return {"metadata": meta, "spec": {"nodeName": node}, "status": {"phase": phase, "podIP": ip}}


def test_new_pods_get_the_lowest_free_addresses_of_their_node():
    pods = [pod("a", ip=WORKER_1 + ".1"), pod("b"), pod("c", created="2026-01-01T00:00:01Z"), pod("d", node="k8s-worker-2")]
    assert plan_addresses(pods) == {("ns", "b"): WORKER_1 + ".2", ("ns", "c"): WORKER_1 + ".3", ("ns", "d"): WORKER_2 + ".1"}


def test_an_address_held_by_a_terminating_pod_is_not_reused():
    pods = [pod("old", ip=WORKER_1 + ".1", deleting=True), pod("new")]
    assert plan_addresses(pods) == {("ns", "new"): WORKER_1 + ".2"}


def test_pending_deleting_or_addressed_pods_are_left_alone():
    pods = [pod("pending", phase="Pending"), pod("gone", deleting=True), pod("has", ip=WORKER_1 + ".9"), pod("elsewhere", node="unknown")]
    assert plan_addresses(pods) == {}


def test_a_node_has_room_for_a_thousand_pods():
    pods = [pod("p{0}".format(index), created="2026-01-01T00:{0:02d}:{1:02d}Z".format(index // 60, index % 60)) for index in range(1000)]
    addresses = plan_addresses(pods)
    assert len(set(addresses.values())) == 1000
    assert addresses[("ns", "p999")] == str(ipaddress.ip_network(WORKER_1 + ".0/20")[1000])
