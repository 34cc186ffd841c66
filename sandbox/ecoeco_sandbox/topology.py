"""The simulated cluster mirrors the EcoEco production layout (MISSION.md): one tainted control-plane
node, two application workers, and dedicated, tainted data and monitoring nodes."""

import os


APPLICATION_LABEL = {"workload": "application"}

# name -> (labels, taints); each node gets a /20 of the pod network 10.244.0.0/16 (pod_cidr).
NODES = [
    # Labelled as kubeadm labels a control-plane node, so that the load balancer controller does not make it a target.
    ("k8s-master", {"node-role.kubernetes.io/control-plane": "", "node.kubernetes.io/exclude-from-external-load-balancers": ""},
     [("node-role.kubernetes.io/control-plane", "", "NoSchedule")]),
    ("k8s-worker-1", dict(APPLICATION_LABEL), []),
    ("k8s-worker-2", dict(APPLICATION_LABEL), []),
    ("k8s-rabbitmq", {"workload": "message-queue"}, [("dedicated", "rabbitmq", "NoSchedule")]),
    ("k8s-postgresql", {"workload": "database"}, [("dedicated", "postgresql", "NoSchedule")]),
    ("k8s-redis", {"workload": "cache"}, [("dedicated", "redis", "NoSchedule")]),
    ("k8s-monitoring", {"workload": "monitoring"}, [("dedicated", "monitoring", "NoSchedule")]),
]

# A second sandbox on the same machine needs its own octet (ECOECO_SANDBOX_POD_OCTET), or the two
# would compete for the same loopback twins.
POD_OCTET = int(os.environ.get("ECOECO_SANDBOX_POD_OCTET", "244"))
POD_NETWORK_PREFIX = "10.{0}".format(POD_OCTET)


def loopback_address(pod_ip):
    """Where the stand-in app of the pod with ``pod_ip`` listens: the same address in 127.0.0.0/8.

    Pod IPs cannot be loopback addresses (the API server rejects loopback EndpointSlice addresses),
    and traffic here may only go to loopback, so pod 10.244.2.7 is served on 127.244.2.7.
    """
    return "127." + pod_ip.split(".", 1)[1]


def pod_cidr(index):
    """A /20 of the pod network per node (4094 addresses): room for the 1000 pods a node takes (200-domain runs)."""
    return "{0}.{1}.0/20".format(POD_NETWORK_PREFIX, 16 * index)


def node_manifest(index, name, labels, taints):
    """The Node object for one simulated node; kwok keeps it Ready."""
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": dict(labels, **{"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "type": "kwok"}),
            "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
        },
        "spec": {
            "podCIDR": pod_cidr(index),
            "podCIDRs": [pod_cidr(index)],
            "taints": [{"key": k, "value": v, "effect": e} for k, v, e in taints],
        },
    }


def node_manifests():
    return [node_manifest(i, name, labels, taints) for i, (name, labels, taints) in enumerate(NODES)]
