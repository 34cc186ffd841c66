"""Every phase checks its permissions before its first write (access_review, the table of
plugins/module_utils/access/phases.py). Phase 60 run as a ServiceAccount that has every rule of roles/rbac but
`delete namespaces` is refused before the ledger lease, naming the verb, the resource, the namespace and the identity,
and nothing is changed: not the namespace it would delete, not the ledger. Before the check it went through every
gate and failed at the delete with the API server's raw 403."""

import copy
from pathlib import Path

import pytest
import yaml

from playbook_runs import namespace_names, read_ledger, run_playbook, unique

ROOT = Path(__file__).resolve().parents[2]
RBAC_RULES = yaml.safe_load((ROOT / "roles" / "rbac" / "vars" / "main.yml").read_text())["__rbac_cluster_rules"]


def without_delete_namespaces(rules):
    rules = copy.deepcopy(rules)
    for rule in rules:
        if "namespaces" in rule["resources"]:
            rule["verbs"] = [verb for verb in rule["verbs"] if verb != "delete"]
    return rules


@pytest.fixture(scope="module")
def no_delete_identity(sandbox_env, kube, tmp_path_factory):
    """(kubeconfig, username) of a ServiceAccount bound to the collection's ClusterRole rules less `delete namespaces`,
    in a scratch namespace of this test; everything it creates is removed afterwards."""
    from kubernetes import client

    core, rbac = client.CoreV1Api(kube), client.RbacAuthorizationV1Api(kube)
    name = unique("access-review")
    core.create_namespace({"metadata": {"name": name}})
    try:
        core.create_namespaced_service_account(name, {"metadata": {"name": "deployer"}})
        rbac.create_cluster_role({"metadata": {"name": name}, "rules": without_delete_namespaces(RBAC_RULES)})
        rbac.create_cluster_role_binding({
            "metadata": {"name": name},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name},
            "subjects": [{"kind": "ServiceAccount", "name": "deployer", "namespace": name}],
        })
        token = core.create_namespaced_service_account_token("deployer", name, {"spec": {"expirationSeconds": 3600}}).status.token
        cluster = yaml.safe_load(Path(sandbox_env["KUBECONFIG"]).read_text())["clusters"][0]
        config = {"apiVersion": "v1", "kind": "Config", "clusters": [cluster],
                  "users": [{"name": "deployer", "user": {"token": token}}],
                  "contexts": [{"name": "deployer", "context": {"cluster": cluster["name"], "user": "deployer"}}],
                  "current-context": "deployer"}
        path = tmp_path_factory.mktemp("access-review") / "deployer.kubeconfig"
        path.write_text(yaml.safe_dump(config))
        path.chmod(0o600)
        yield path, "system:serviceaccount:{0}:deployer".format(name)
    finally:
        for delete in (rbac.delete_cluster_role_binding, rbac.delete_cluster_role, core.delete_namespace):
            try:
                delete(name)
            except client.exceptions.ApiException as error:
                if error.status != 404:
                    raise


@pytest.fixture
def scratch_blue(kube):
    """A namespace of this test standing in for blue (never the shared `api`), removed afterwards."""
    from kubernetes import client

    core = client.CoreV1Api(kube)
    name = unique("access-blue")
    core.create_namespace({"metadata": {"name": name, "labels": {"app.kubernetes.io/part-of": "access-review-test"}}})
    yield name
    core.delete_namespace(name)


@pytest.mark.parametrize("mode", ["run", "check"])
def test_phase_60_without_delete_namespaces_is_refused_before_any_write(sandbox_env, kube, no_delete_identity, scratch_blue, tmp_path, mode):
    kubeconfig, username = no_delete_identity
    ledger = unique("access-review-ledger")
    values = {"bluegreen_kubeconfig": str(kubeconfig), "bluegreen_source_namespace": scratch_blue, "ledger_name": ledger,
              "bluegreen_results_dir": str(tmp_path / "results"), "blue_removal_confirm": True,
              "bluegreen_blue_removal_soak_seconds": 0, "bluegreen_argocd_applicationset": ""}
    result = run_playbook(sandbox_env, "60_blue_removal.yml", *(["--check"] if mode == "check" else []), extra_vars=values)
    output = " ".join(result.stdout.split())

    assert result.returncode != 0, result.stdout[-3000:]
    assert "phase 60 (blue removal): access denied, refusing before any write: may not delete namespaces in namespace {0} " \
           "(blue_removal: delete the source namespace). Runs as {1} (from SelfSubjectReview).".format(scratch_blue, username) in output, \
        result.stdout[-3000:]
    # Refused at the check, the phase's first task with the cluster: no lease taken, no gate run, nothing deleted.
    assert "Take the ledger lease" not in result.stdout and "Forbidden" not in output
    assert read_ledger(kube, ledger) is None
    assert scratch_blue in namespace_names(kube)
