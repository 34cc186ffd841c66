"""How far the live cluster is from the blue starting state, so ``reset-to-blue`` resets only when something moved.

A reset deletes and recreates every migration object and waits for blue to serve again (tens of seconds); most
callers (every Molecule scenario, every test that reads the shared blue state) find the sandbox already there.
"""

from kubernetes.client import ApiException, AppsV1Api, CoreV1Api

from ecoeco_sandbox import argocd, blue_state

FREEZE_RECORD = "bluegreen.ecoeco.io/frozen-sync-policy"
LEDGER_NAMESPACE = "ecoeco-bluegreen"
INHERENT_CONFIG_MAPS = {"kube-root-ca.crt"}


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


def drift(api, dyn, domains, migration_namespaces):
    """Why the cluster is not at the blue starting state: a list of short reasons, empty when it is.

    ``migration_namespaces`` are the names of the namespaces a migration or a test creates and a reset deletes
    (labelled part-of or managed-by): only ``api``, ``argocd`` and an empty ledger namespace may exist at blue."""
    core = CoreV1Api(api)
    reasons = []
    extra = sorted(set(migration_namespaces) - {blue_state.SOURCE_NAMESPACE, argocd.ARGOCD_NAMESPACE, LEDGER_NAMESPACE})
    if extra:
        reasons.append("namespaces {0} exist".format(", ".join(extra)))
    if LEDGER_NAMESPACE in migration_namespaces:
        ledgers = [c.metadata.name for c in core.list_namespaced_config_map(LEDGER_NAMESPACE).items
                   if c.metadata.name not in INHERENT_CONFIG_MAPS]
        if ledgers:
            reasons.append("ledgers {0} exist".format(", ".join(sorted(ledgers))))
    reasons += _objects_drift(dyn, blue_state.blue_manifests(domains) + [argocd.application_set(domains)])
    reasons += _applications_drift(dyn, domains)
    reasons += _source_namespace_drift(api, domains)
    return reasons


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
    resource = dyn.resources.get(api_version=argocd.API_VERSION, kind="Application")
    live = {item.metadata.name: item.to_dict() for item in resource.get(namespace=argocd.ARGOCD_NAMESPACE).items}
    wanted = {"ecoeco-" + domain for domain in domains}
    if set(live) != wanted:
        return ["Applications are {0}".format(", ".join(sorted(live)) or "none")]
    seeded = argocd.application_set(domains)["spec"]["template"]["spec"]["syncPolicy"]
    return ["Application {0} has sync policy {1}".format(name, app["spec"].get("syncPolicy"))
            for name, app in sorted(live.items()) if app["spec"].get("syncPolicy") != seeded]


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
