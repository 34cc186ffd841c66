# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One consistent round of reads for many targets: a namespace several targets read from is listed once
per kind and its label selectors applied here, so N targets in one namespace cost one list, not N."""

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.objects import labels, selector_matches


def shared_namespaces(namespaces):
    """The namespaces that appear more than once."""
    counts = {}
    for namespace in namespaces:
        counts[namespace] = counts.get(namespace, 0) + 1
    return frozenset(namespace for namespace, count in counts.items() if count > 1)


class SharedReads:
    """Cluster reads for one round: lists in ``shared`` namespaces are made once per kind and filtered locally.

    Use a new one for every round (a verification, one poll), so nothing read is older than the round.
    """

    def __init__(self, cluster, shared):
        self._cluster = cluster
        self._shared = shared
        self._lists = {}

    def serves(self, kind):
        return self._cluster.serves(kind)

    def get(self, kind, namespace, name):
        return self._cluster.get(kind, namespace, name)

    def list(self, kind, namespace, label_selector=None):
        if namespace not in self._shared:
            return self._cluster.list(kind, namespace, label_selector)
        if (kind, namespace) not in self._lists:
            self._lists[(kind, namespace)] = self._cluster.list(kind, namespace)
        wanted = dict(term.split("=", 1) for term in (label_selector or "").split(",") if term)
        return [item for item in self._lists[(kind, namespace)] if selector_matches(wanted, labels(item))]
