# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The permissions each phase playbook uses, read off the tasks and modules it runs, in one table.

Every phase checks its row with access_review before its first write (filter ``phase_permissions``), and
tests/unit/plugins/module_utils/access/test_phases.py fails when a row asks for a verb that roles/rbac does not grant.

A need names a *scope*, which the caller maps to namespaces:

- ``cluster``: a cluster-scoped resource, or a list across all namespaces (``k8s_info`` without a namespace);
- ``source``: the blue namespace; ``green``: the domain namespaces of this run (a wave's, or all);
- ``targets``: every namespace phase 10 creates (the domains and the shared ones);
- ``argocd``: Argo CD's namespace; ``ledger``: the ledger's namespace; ``release``: a release's namespace.

and optionally a *feature* it depends on, which ``features_of`` reads off the inventory's settings (``argocd``: an
ApplicationSet is managed; ``manual_sync``: Argo CD frozen from phase 30 to 50; ``apply_green``: phase 30 applies green
itself, cloned from blue or from manifests, not through Argo CD; ``argocd_green``: Argo CD deploys green and phase 30
keeps blue from its prune first; ``endpoints``: the smoke test reads the green
endpoints (modes ``endpoints`` and ``port_forward``); ``port_forward``: it calls them through the API server (phase 40,
and the release, whose ``smoke_test_mode`` is the release's smoke mode); ``ledger``: on when the ledger's namespace is
given). A need whose scope has no namespace, or whose feature is off, is left out.

What each verb means for kubernetes.core: ``k8s_info`` with a name is a get, without one a list; ``k8s`` with
``state: present`` (with or without ``apply``) is a get, then a create or a patch; ``state: absent`` a get and a delete.
"""

from collections import namedtuple

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import InvalidInput

Need = namedtuple("Need", "group resource verbs scope why feature")
SCOPES = ("cluster", "source", "green", "targets", "argocd", "ledger", "release")
FEATURES = ("argocd", "manual_sync", "apply_green", "argocd_green", "port_forward", "endpoints", "ledger")
# The kinds the preflight backs up (preflight_backup_kinds) and a rollback after blue removal re-creates.
BACKUP_KINDS = (("apps", "deployments"), ("", "services"), ("networking.k8s.io", "ingresses"), ("", "configmaps"),
                ("networking.k8s.io", "networkpolicies"), ("", "serviceaccounts"))


def need(group, resource, verbs, scope, why, feature=None):
    return Need(group, resource, tuple(verbs), scope, why, feature)


def _ledger(first=False):
    """bluegreen_ledger: a read, a create (first write) or a replace with the resourceVersion read (compare-and-swap)."""
    needs = [need("", "configmaps", ["get", "create", "update"], "ledger", "the ledger: read, created, replaced with compare-and-swap")]
    if first:
        needs.append(need("", "namespaces", ["create"], "cluster", "the ledger's namespace, by the first ledger write", "ledger"))
    return needs


def _argocd(why, feature="argocd"):
    """argocd_freeze / argocd_sync_toggle: list and get the Applications and the ApplicationSet, patch their syncPolicy."""
    return [need("argoproj.io", resource, ["get", "list", "patch"], "argocd", why, feature) for resource in ("applicationsets", "applications")]


def _gates(why):
    """traffic_gate: the Ingresses the controller admitted and the NodePorts of their Services, one list each; the
    Warning events on Ingresses when the ALB's rules do not serve the expected side (the controller's reason)."""
    return [need("networking.k8s.io", "ingresses", ["list"], "cluster", why),
            need("", "services", ["list"], "cluster", why),
            need("", "events", ["list"], "cluster", why + ": the load balancer controller's warnings")]


def _switch(scopes, why):
    """bluegreen_switch with Ingress targets: both Ingresses, their backend Services, EndpointSlices and Deployments
    read in the blue and green namespaces; only the green Ingress's group.order is patched."""
    needs = []
    for scope in scopes:
        needs += [need("", "namespaces", ["get"], scope, why),
                  need("networking.k8s.io", "ingresses", ["get"], scope, why),
                  need("", "services", ["get"], scope, why),
                  need("discovery.k8s.io", "endpointslices", ["list"], scope, why),
                  need("apps", "deployments", ["list"], scope, why)]
    return needs + [need("networking.k8s.io", "ingresses", ["patch"], "green", why + ": the green Ingress's group.order")]


def _service_switch(why):
    """bluegreen_switch with a Service target (a release): the Service, the Ready pods and Deployments behind it."""
    return [need("", "namespaces", ["get"], "release", why),
            need("", "services", ["get", "patch"], "release", why),
            need("", "pods", ["list"], "release", why),
            need("apps", "deployments", ["list"], "release", why)]


PHASES = {
    "00": _ledger(first=True) + [
        need("", "nodes", ["list"], "cluster", "preflight: the nodes are Ready"),
        need("", "namespaces", ["get"], "source", "preflight: the source namespace is Active"),
    ] + [need(group, resource, ["list"], "source", "preflight: blue serves, and its backup") for group, resource in BACKUP_KINDS] + [
        need("argoproj.io", "applicationsets", ["get"], "argocd", "preflight: the ApplicationSet exists", "argocd"),
        need("argoproj.io", "applications", ["list"], "argocd", "preflight: the Applications it owns", "argocd"),
    ],
    "10": _ledger() + [
        need("", "namespaces", ["create"], "cluster", "namespaces: create the target namespaces"),
        need("", "namespaces", ["get", "patch"], "targets", "namespaces: create or label the target namespaces"),
        need("", "namespaces", ["list"], "cluster", "namespaces: read them back"),
    ],
    "20": _ledger() + [
        need("", "namespaces", ["list"], "cluster", "network_policies: the target namespaces exist"),
        need("networking.k8s.io", "networkpolicies", ["get", "create", "patch"], "green", "network_policies: apply the policies"),
        need("networking.k8s.io", "networkpolicies", ["delete"], "green", "network_policies: prune the undeclared managed policies"),
        need("networking.k8s.io", "networkpolicies", ["list"], "cluster", "network_policies: read the managed policies back"),
    ],
    "30": _ledger() + _argocd("manual sync: freeze Argo CD from phase 30", "manual_sync") + [
        need("", "namespaces", ["list"], "cluster", "green_deploy: the green namespaces exist"),
        need("apps", "deployments", ["list"], "source", "green_deploy: blue's Deployments, before and after"),
        need("", "services", ["list"], "source", "green_deploy: blue's Services, to clone", "apply_green"),
        need("networking.k8s.io", "ingresses", ["list"], "source", "green_deploy: blue's Ingresses, to clone", "apply_green"),
    ] + [need(group, resource, ["get", "create", "patch"], "green", "green_deploy: apply green", "apply_green")
         for group, resource in (("apps", "deployments"), ("", "services"), ("networking.k8s.io", "ingresses"))] + [
        need("argoproj.io", "applications", ["list"], "argocd", "green_deploy: what Argo CD tracks in blue's namespace, to keep it "
             "from prune", "argocd_green"),
    ] + [need(group, resource, ["get", "patch"], "source", "green_deploy: keep blue from prune (Prune=false) before the manifests "
              "change lands", "argocd_green") for group, resource in (("apps", "deployments"), ("", "services"), ("networking.k8s.io", "ingresses"))] + [
        need("apps", "deployments", ["list"], "cluster", "green_deploy: wait for the green Deployments"),
        need("networking.k8s.io", "ingresses", ["list"], "cluster", "green_deploy: wait for the green Ingresses"),
        need("", "services", ["list"], "cluster", "green_deploy: the green NodePorts, for their target groups"),
    ],
    "40": _ledger() + _argocd("manual sync: restore Argo CD when the smoke test fails", "manual_sync") + [
        need("discovery.k8s.io", "endpointslices", ["list"], "cluster", "smoke_test: the green endpoints", "endpoints"),
        need("", "pods/portforward", ["get", "create"], "green", "smoke_test: a port-forward to every Ready green pod (a websocket "
             "upgrade: get, and create)", "port_forward"),
    ],
    "50": _ledger() + _argocd("traffic_switch: freeze Argo CD around the switch and restore it")
    + _gates("traffic_gate: the ALB before and after the switch") + _switch(("source", "green"), "bluegreen_switch: verify and flip"),
    "60": _ledger() + _gates("traffic_gate: green serves before and after") + [
        need("apps", "deployments", ["list"], "cluster", "blue_removal: every green Deployment is available"),
        need("discovery.k8s.io", "endpointslices", ["list"], "cluster", "blue_removal: every green Service has Ready endpoints"),
        need("", "namespaces", ["get", "delete"], "source", "blue_removal: delete the source namespace"),
    ] + _argocd("blue_removal: freeze Argo CD while blue is deleted, restore it once Git no longer declares blue"),
    "90": _ledger() + _argocd("rollback: freeze Argo CD, and restore it whatever happens") + [
        need("", "namespaces", ["create"], "cluster", "rollback: re-create blue's namespace from the backup"),
        need("", "namespaces", ["get", "patch"], "source", "rollback: re-create blue's namespace from the backup"),
    ] + [need(group, resource, ["get", "create", "patch"], "source", "rollback: re-create blue from the backup") for group, resource in BACKUP_KINDS]
    + _gates("traffic_gate: the ALB before and after the switch back") + _switch(("source", "green"), "bluegreen_switch: back to blue") + [
        need("", "namespaces", ["list"], "cluster", "rollback: the green namespaces and their labels"),
        need("", "namespaces", ["get", "delete"], "green", "rollback: remove green"),
    ],
    "release": _ledger(first=True) + _service_switch("bluegreen_switch: the Service to the idle colour") + [
        need("", "services", ["list"], "release", "release: the Service and its colours"),
        need("apps", "deployments", ["get", "patch"], "release", "release: the idle colour's image and size, the old colour scaled to 0"),
        need("", "pods/portforward", ["get", "create"], "release", "release: smoke-test every Ready pod of the idle colour through a "
             "port-forward", "port_forward"),
    ] + _argocd("release: freeze the Applications that deploy the Service and the colours, restore them once Git declares the release",
                None),
    "release_rollback": _ledger() + _service_switch("bluegreen_switch: the Service back to the previous colour") + [
        need("apps", "deployments", ["get", "patch"], "release", "release_rollback: scale the previous colour back up"),
    ] + _argocd("release_rollback: freeze the Applications that deploy the Service and the colours, restore them once Git declares "
                "what serves", None),
}


def features_of(applicationset="", manual_sync=False, green_source="clone_blue", smoke_test_mode="port_forward"):
    """The features that are on, from the settings the phases read (bluegreen_argocd_applicationset, ...)."""
    features = set()
    if applicationset:
        features.add("argocd")
        if manual_sync:
            features.add("manual_sync")
    if green_source != "argocd":
        features.add("apply_green")
    elif applicationset:
        features.add("argocd_green")
    if smoke_test_mode in ("port_forward", "endpoints"):
        features.add("endpoints")
    if smoke_test_mode == "port_forward":
        features.add("port_forward")
    return sorted(features)


def phase_permissions(phase, scopes, features=()):
    """The access_review permissions of ``phase`` (a key of PHASES) with ``scopes`` mapping each scope name to a
    namespace or a list of them (``cluster`` needs none), only the needs of the ``features`` that are on."""
    key = str(phase)
    if key not in PHASES:
        raise InvalidInput("phase", "one of " + ", ".join(sorted(PHASES)), phase)
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise InvalidInput("scopes." + unknown[0], "one of the scopes " + ", ".join(SCOPES[1:]))
    wrong = sorted(set(features) - set(FEATURES))
    if wrong:
        raise InvalidInput("features", "names among " + ", ".join(FEATURES), wrong[0])
    features = set(features) | ({"ledger"} if _namespaces("ledger", scopes) else set())
    permissions = []
    for item in PHASES[key]:
        if item.feature and item.feature not in features:
            continue
        namespaces = _namespaces(item.scope, scopes)
        if namespaces is None:
            continue
        permission = {"group": item.group, "resource": item.resource, "verbs": list(item.verbs), "why": item.why}
        if namespaces:
            permission["namespaces"] = namespaces
        permissions.append(permission)
    return permissions


def _namespaces(scope, scopes):
    """[] for the cluster, the scope's namespaces, or None when the caller gave none (the need is left out)."""
    if scope == "cluster":
        return []
    value = scopes.get(scope)
    names = [value] if isinstance(value, str) else list(value or [])
    names = [name for name in dict.fromkeys(names) if name]
    return names or None
