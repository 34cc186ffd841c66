"""Shared reads: a namespace several targets read from is listed once per kind per round."""

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.reads import SharedReads, shared_namespaces


class CountingCluster:
    """Lists of a namespace, counted; labels filter as the API server would."""

    def __init__(self, items):
        self.items = items
        self.lists = []

    def list(self, kind, namespace, label_selector=None):
        self.lists.append((kind, namespace, label_selector))
        wanted = dict(term.split("=", 1) for term in (label_selector or "").split(",") if term)
        return [i for i in self.items[kind] if all(i["metadata"]["labels"].get(k) == v for k, v in wanted.items())]


def test_targets_sharing_a_namespace_cost_one_list_per_kind():
    pod = {"metadata": {"labels": {"app": "a", "version": "green"}}}
    other = {"metadata": {"labels": {"app": "b", "version": "green"}}}
    cluster = CountingCluster({"Pod": [pod, other]})
    reads = SharedReads(cluster, shared_namespaces(["prod", "prod", "other"]))
    assert reads.list("Pod", "prod", "app=a,version=green") == [pod]
    assert reads.list("Pod", "prod", "app=b,version=green") == [other]
    assert reads.list("Pod", "other", "app=a") == [pod]
    assert cluster.lists == [("Pod", "prod", None), ("Pod", "other", "app=a")]
