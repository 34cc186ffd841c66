"""argocd_declared through main(): its answer, and one clear message per bad input with nothing read."""

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.ecoeco.bluegreen.plugins.modules import argocd_declared


class Unreachable:
    def resource(self, *args, **kwargs):
        raise AssertionError("a bad input must be refused before the cluster is read")


def run(monkeypatch, capsys, client, **args):
    monkeypatch.setattr(argocd_declared, "get_api_client", lambda module: client)
    with patch_module_args(dict({"application_set": "ecoeco-api-services-kustomize", "declared_namespace": "api"}, **args)), \
            pytest.raises(SystemExit) as exited:
        argocd_declared.main()
    return exited.value.code != 0, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("args, message", [
    (dict(wait_timeout=-1), "wait_timeout: expected between 0 and 3600"),
    (dict(poll_interval=0), "poll_interval: expected more than 0 and at most 60 seconds"),
    (dict(declared_namespace=" "), "declared_namespace: expected a non-empty name"),
    (dict(fresh_timeout=30), "fresh_timeout: expected 0 unless refresh is true"),
])
def test_bad_input_is_refused_naming_the_option(monkeypatch, capsys, args, message):
    failed, result = run(monkeypatch, capsys, Unreachable(), **args)
    assert failed and message in result["msg"]


def test_it_reports_what_git_declares_without_changing_anything(monkeypatch, capsys):
    owner = {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "name": "ecoeco-api-services-kustomize"}
    app = {"kind": "Application", "metadata": {"name": "ecoeco-auth", "namespace": "argocd", "ownerReferences": [owner]},
           "status": {"sync": {"revision": "0123456789"}, "resources": [{"kind": "Ingress", "namespace": "api", "name": "auth-api"}]}}
    monkeypatch.setattr(argocd_declared, "ArgoObjects", lambda client: type("Argo", (), {"list": lambda self, *a: [app]})())
    failed, result = run(monkeypatch, capsys, object())
    assert not failed and result["changed"] is False
    assert result["declared"] == ["Application argocd/ecoeco-auth declares Ingress api/auth-api (revision 01234567)"]
    assert result["drifted"] == []
