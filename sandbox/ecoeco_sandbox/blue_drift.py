"""What belongs to the seed's migration (blue in ``api`` moving to one namespace per domain), and how far the live
cluster is from its blue starting state, so that ``reset-to-blue`` resets only when something moved and only
that migration's objects: scratch migrations of tests (their own namespaces, ApplicationSets and ledgers) run beside
it on the same cluster and are left alone.

A reset deletes and recreates the migration's objects and waits for blue to serve again (15-20 s); most callers
(every Molecule scenario, every test that reads the shared blue state) find the sandbox already there.
"""

import json

from kubernetes.client import ApiException, AppsV1Api, CoreV1Api

from ecoeco_sandbox import blue_state
from ecoeco_sandbox.argocd import objects as argocd
from ecoeco_sandbox.argocd import repository
from ecoeco_sandbox.errors import SandboxError

FREEZE_RECORD = "bluegreen.ecoeco.io/frozen-sync-policy"
LEDGER_NAMESPACE = "ecoeco-bluegreen"
# The ledger a migration of ``api`` writes by default (bluegreen-ledger-<migration name>), and the one every migration
# shared before migrations had names.
LEDGER_PREFIX = "bluegreen-ledger"


def migration_namespaces(domains):
    """The namespaces the migration creates (green and the shared ones); at blue, none of them exists."""
    return list(domains) + blue_state.SHARED_NAMESPACES


def seed_ledgers(core):
    """Names of the ledgers of migrations out of ``api`` in the ledger namespace (none at blue): those that record
    ``api`` as their source, and those named as a migration's default ledger."""
    try:
        config_maps = core.list_namespaced_config_map(LEDGER_NAMESPACE).items
    except ApiException as error:
        if error.status == 404:
            return []
        raise
    return sorted(c.metadata.name for c in config_maps if _of_seed_migration(c.metadata.name, c.data or {}))


def _of_seed_migration(name, data):
    try:
        recorded = json.loads(data.get("migration") or "{}")
    except ValueError:
        recorded = {}
    if isinstance(recorded, dict) and recorded.get("source_namespace"):
        return recorded["source_namespace"] == blue_state.SOURCE_NAMESPACE
    return name == LEDGER_PREFIX or name.startswith(LEDGER_PREFIX + "-")


def difference(desired, live, path=""):
    """The first path where ``live`` does not carry what ``desired`` says, or None. The API server adds keys of its
    own (defaults, a Service's nodePort), so a desired value must be present in ``live``, not equal to it."""
    if isinstance(desired, dict):
        if not isinstance(live, dict):
            return path or "/"
        for key, value in desired.items():
            found = difference(value, live.get(key), "{0}/{1}".format(path, key))
            if found:
                return found
        return None
    if isinstance(desired, list):
        if not isinstance(live, list) or len(live) != len(desired):
            return path or "/"
        for index, (want, have) in enumerate(zip(desired, live)):
            found = difference(want, have, "{0}/{1}".format(path, index))
            if found:
                return found
        return None
    return None if desired == live else (path or "/")


def drift(api, dyn, domains, gitops_repository):
    """Why the cluster and its Git repository are not at the blue starting state: a list of short reasons, empty when
    they are."""
    core = CoreV1Api(api)
    reasons = []
    existing = {ns.metadata.name for ns in core.list_namespace().items}
    created = [name for name in migration_namespaces(domains) if name in existing]
    if created:
        reasons.append("namespaces {0} exist".format(", ".join(created)))
    ledgers = seed_ledgers(core)
    if ledgers:
        reasons.append("ledgers {0} exist".format(", ".join(ledgers)))
    reasons += _repository_drift(gitops_repository, domains)
    reasons += _objects_drift(dyn, blue_state.blue_manifests(domains) + [argocd.application_set(repository.url(gitops_repository), domains)])
    reasons += _applications_drift(dyn, domains)
    reasons += _source_namespace_drift(api, domains)
    return reasons


def _repository_drift(folder, domains):
    """The repository's ``k8s`` tree is the blue layout, committed."""
    try:
        committed = repository.committed_files(folder)
    except SandboxError as error:
        return ["the Git repository cannot be read ({0})".format(error)]
    return [] if committed == repository.blue_files(domains) else ["the Git repository {0} is not at the blue layout".format(folder)]


def _objects_drift(dyn, manifests):
    reasons = []
    for manifest in manifests:
        meta = manifest["metadata"]
        where = "{0} {1}{2}".format(manifest["kind"], meta.get("namespace", "") and meta["namespace"] + "/", meta["name"])
        try:
            live = dyn.resources.get(api_version=manifest["apiVersion"], kind=manifest["kind"]).get(
                name=meta["name"], namespace=meta.get("namespace")).to_dict()
        except ApiException as error:
            if error.status != 404:
                raise
            reasons.append(where + " is missing")
            continue
        if live["metadata"].get("deletionTimestamp"):
            reasons.append(where + " is being deleted")
            continue
        if FREEZE_RECORD in (live["metadata"].get("annotations") or {}):
            reasons.append(where + " carries a freeze record")
        desired = {"metadata": {k: v for k, v in meta.items() if k in ("labels", "annotations")}}
        if "spec" in manifest:
            desired["spec"] = manifest["spec"]
        changed = difference(desired, live)
        if changed:
            reasons.append("{0} differs at {1}".format(where, changed))
    return reasons


def _applications_drift(dyn, domains):
    """The Applications the seed's ApplicationSet generates: each present, with the seeded sync policy."""
    resource = dyn.resources.get(api_version=argocd.API_VERSION, kind="Application")
    live = {item.metadata.name: item.to_dict() for item in resource.get(namespace=argocd.ARGOCD_NAMESPACE).items}
    seeded = argocd.application_set(domains)["spec"]["template"]["spec"]["syncPolicy"]
    reasons = []
    for name in argocd.application_names(domains):
        if name not in live:
            reasons.append("Application {0} is missing".format(name))
        elif live[name]["spec"].get("syncPolicy") != seeded:
            reasons.append("Application {0} has sync policy {1}".format(name, live[name]["spec"].get("syncPolicy")))
    return reasons


def _source_namespace_drift(api, domains):
    """Only blue's objects in ``api``, every Deployment fully available."""
    apps, core = AppsV1Api(api), CoreV1Api(api)
    namespace = blue_state.SOURCE_NAMESPACE
    wanted = sorted(domain + "-api" for domain in domains)
    reasons = []
    deployments = apps.list_namespaced_deployment(namespace).items
    if sorted(d.metadata.name for d in deployments) != wanted:
        reasons.append("Deployments in {0} are {1}".format(namespace, ", ".join(sorted(d.metadata.name for d in deployments))))
    unavailable = sorted(d.metadata.name for d in deployments if (d.status.available_replicas or 0) != d.spec.replicas)
    if unavailable:
        reasons.append("Deployments {0} are not fully available".format(", ".join(unavailable)))
    if sorted(s.metadata.name for s in core.list_namespaced_service(namespace).items) != wanted:
        reasons.append("Services in {0} are not exactly blue's".format(namespace))
    return reasons
