"""Least privilege: phases 00 and 10 run as the collection's ServiceAccount (playbooks/rbac_install.yml), and the
real API server refuses that identity anything outside its rules (403)."""

import re

import pytest

from playbook_runs import delete_ledger, namespace_names, read_ledger, run_playbook, unique
from service_account import install_rbac, remove_rbac


@pytest.fixture(scope="module")
def installed(sandbox_env, module_blue_state, tmp_path_factory):  # pylint: disable=unused-argument
    """Two installs: the first also writes the ServiceAccount's kubeconfig (a new token: a change), the second not."""
    kubeconfig = tmp_path_factory.mktemp("sa") / "sa.kubeconfig"
    first, second = install_rbac(sandbox_env, kubeconfig), install_rbac(sandbox_env)
    yield first, second, kubeconfig
    removed = remove_rbac(sandbox_env)
    assert removed.returncode == 0, removed.stdout[-3000:]


@pytest.fixture(scope="module")
def sa_kubeconfig(installed):
    first, _second, kubeconfig = installed
    assert first.returncode == 0, first.stdout[-3000:]
    return kubeconfig


@pytest.fixture(scope="module")
def sa_kube(sa_kubeconfig):
    from kubernetes import config

    return config.new_client_from_config(config_file=str(sa_kubeconfig))


def test_install_verifies_every_rule_and_is_idempotent(installed):
    first, second, kubeconfig = installed
    assert first.returncode == 0, first.stdout[-3000:]
    assert "Assert the ServiceAccount has exactly the intended rights" in first.stdout
    assert kubeconfig.stat().st_mode & 0o777 == 0o600
    assert second.returncode == 0, second.stdout[-3000:]
    assert re.search(r"localhost\s*:\s*ok=\d+\s+changed=0\s", second.stdout), second.stdout[-1500:]


def test_phases_00_and_10_run_as_the_service_account(sandbox_env, kube, sa_kubeconfig, tmp_path):
    ledger, scratch = unique("rbac-test"), unique("rbac-scratch")
    values = {"ledger_name": ledger, "bluegreen_kubeconfig": str(sa_kubeconfig), "bluegreen_results_dir": str(tmp_path)}
    try:
        preflight = run_playbook(sandbox_env, "00_preflight.yml", extra_vars=values)
        assert preflight.returncode == 0, preflight.stdout[-3000:]
        assert "may not list Secrets in api (403)" in " ".join(preflight.stdout.split())
        backup = next(tmp_path.glob("backup-*.yaml")).read_text()
        assert "not listed (the identity may not list Secrets: 403)" in backup

        namespaces = run_playbook(sandbox_env, "10_namespaces.yml",
                                  extra_vars=dict(values, bluegreen_domains=[scratch], bluegreen_shared_namespaces=[]))
        assert namespaces.returncode == 0, namespaces.stdout[-3000:]
        assert scratch in namespace_names(kube)
        outcomes = [(e["phase"], e["event"], e.get("outcome")) for e in read_ledger(kube, ledger)["events"]]
        assert outcomes == [("0", "start", None), ("0", "finish", "success"), ("10", "start", None), ("10", "finish", "success")]
    finally:
        delete_ledger(kube, ledger)
        if scratch in namespace_names(kube):
            from kubernetes import client
            client.CoreV1Api(kube).delete_namespace(scratch)


@pytest.mark.parametrize("action", ["delete a Secret in kube-system", "list Secrets in api", "create a ClusterRole",
                                    "request a token for its own ServiceAccount", "delete a Deployment in api",
                                    "patch the AppProject of Argo CD"])
def test_out_of_scope_actions_are_refused_by_the_api_server(sa_kube, action):
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException

    calls = {
        "delete a Secret in kube-system": lambda: client.CoreV1Api(sa_kube).delete_namespaced_secret("anything", "kube-system"),
        "list Secrets in api": lambda: client.CoreV1Api(sa_kube).list_namespaced_secret("api"),
        "create a ClusterRole": lambda: client.RbacAuthorizationV1Api(sa_kube).create_cluster_role(
            {"metadata": {"name": "rbac-test-escalation"}, "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}),
        "request a token for its own ServiceAccount": lambda: client.CoreV1Api(sa_kube).create_namespaced_service_account_token(
            "ecoeco-bluegreen", "ecoeco-bluegreen", {"spec": {"expirationSeconds": 600}}),
        "delete a Deployment in api": lambda: client.AppsV1Api(sa_kube).delete_namespaced_deployment("auth-api", "api"),
        "patch the AppProject of Argo CD": lambda: client.CustomObjectsApi(sa_kube).patch_namespaced_custom_object(
            "argoproj.io", "v1alpha1", "argocd", "appprojects", "default", {"metadata": {"labels": {"x": "y"}}}),
    }
    with pytest.raises(ApiException) as refused:
        calls[action]()
    assert refused.value.status == 403
    assert "system:serviceaccount:ecoeco-bluegreen:ecoeco-bluegreen" in refused.value.body


def test_what_the_phases_need_is_allowed(sa_kube):
    from kubernetes import client

    assert client.CoreV1Api(sa_kube).list_namespaced_config_map("ecoeco-bluegreen") is not None
    assert client.AppsV1Api(sa_kube).list_namespaced_deployment("api").items
