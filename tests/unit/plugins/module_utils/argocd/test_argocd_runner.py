"""Runner pieces that main() does not reach easily."""

import pytest

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd import runner
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import InvalidInput


@pytest.mark.parametrize("error", [KeyError("uid"), OSError("no user")])
def test_frozen_by_falls_back_to_the_uid_without_a_user_name(monkeypatch, error):
    def no_user():
        raise error

    monkeypatch.setattr(runner.getpass, "getuser", no_user)
    monkeypatch.setattr(runner.os, "getuid", lambda: 1001)
    monkeypatch.setattr(runner.socket, "gethostname", lambda: "runner-7")
    assert runner.default_frozen_by() == "uid1001@runner-7"


def test_frozen_by_is_user_at_host(monkeypatch):
    monkeypatch.setattr(runner.getpass, "getuser", lambda: "deploy")
    monkeypatch.setattr(runner.socket, "gethostname", lambda: "bastion")
    assert runner.default_frozen_by() == "deploy@bastion"


def test_tracking_selects_applications_only():
    params = dict(state="disabled", kind="ApplicationSet", namespace="argocd", name=None, label_selectors=None, frozen_by=None,
                  tracking=[{"api_version": "v1", "kind": "Service", "namespace": "backend", "name": "backend"}],
                  prune=None, self_heal=None, allow_empty=None, verify_seconds=0, settle_timeout=60)
    with pytest.raises(InvalidInput, match="^kind: expected Application with tracking"):
        runner.check_params(params)
    runner.check_params(dict(params, kind="Application"))
