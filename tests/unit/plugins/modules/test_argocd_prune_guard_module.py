"""argocd_prune_guard through main(): one clear message per bad input with nothing read, and the diff only when asked."""

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.ecoeco.bluegreen.plugins.modules import argocd_prune_guard


def run(monkeypatch, capsys, **args):
    with patch_module_args(dict({"application_set": "ecoeco-api-services-kustomize", "protected_namespace": "api"}, **args)), \
            pytest.raises(SystemExit) as exited:
        argocd_prune_guard.main()
    return exited.value.code != 0, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("option", ["protected_namespace", "application_set", "namespace"])
def test_an_empty_name_is_refused_naming_the_option_before_the_cluster_is_read(monkeypatch, capsys, option):
    monkeypatch.setattr(argocd_prune_guard, "get_api_client", lambda module: pytest.fail("a bad input must not reach the cluster"))
    failed, result = run(monkeypatch, capsys, **{option: " "})
    assert failed and "{0}: expected a non-empty name".format(option) in result["msg"]


def test_the_result_carries_the_diff_only_in_diff_mode(monkeypatch, capsys):
    answer = {"changed": True, "protected": ["Service api/auth-api"], "diff": {"before": {}, "after": {}}, "warnings": []}
    monkeypatch.setattr(argocd_prune_guard, "get_api_client", lambda module: object())
    monkeypatch.setattr(argocd_prune_guard, "protect", lambda *args, **kwargs: dict(answer, state=kwargs["state"]))
    failed, result = run(monkeypatch, capsys)
    assert not failed and result["protected"] == ["Service api/auth-api"] and "diff" not in result
    assert result["state"] == "present"
    failed, result = run(monkeypatch, capsys, _ansible_diff=True)
    assert not failed and result["diff"] == {"before": {}, "after": {}}
