"""The ledger's action plugin: the module runs as it is, the recorded event lands in the deployment log on the controller."""

from unittest.mock import MagicMock, patch

import pytest
from ansible.plugins.action import ActionBase

from ansible_collections.ecoeco.bluegreen.plugins.action.bluegreen_ledger import ActionModule
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.ledger.deployment_log import log_line

LEDGER = {"namespace": "ecoeco-bluegreen", "name": "bluegreen-ledger-api-ecoeco-alb", "migration": {"name": "api-ecoeco-alb"}}
START = {"at": "2026-12-07T12:00:00Z", "phase": "30", "name": "green deploy", "event": "start"}


def run_action(args, module_result, check_mode=False):
    task = MagicMock(args=args, check_mode=check_mode)
    action = ActionModule(task, MagicMock(), MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    with patch.object(ActionBase, "run", return_value={}), patch.object(ActionModule, "_execute_module", return_value=dict(module_result)) as module:
        result = action.run(task_vars={})
    return result, module.call_args.kwargs["module_args"]


def test_the_event_is_appended_to_the_log_and_log_path_is_not_passed_to_the_module(tmp_path):
    path = tmp_path / "results" / "deployment.log"
    result, module_args = run_action({"action": "acquire", "log_path": str(path)}, {"event": START, "ledger": LEDGER})
    assert module_args == {"action": "acquire"}
    assert path.read_text() == "2026-12-07T12:00:00Z api-ecoeco-alb phase 30 (green deploy) start\n"
    run_action({"action": "release", "log_path": str(path)}, {"event": dict(START, event="finish", outcome="success"), "ledger": LEDGER})
    assert path.read_text().splitlines()[1] == "2026-12-07T12:00:00Z api-ecoeco-alb phase 30 (green deploy) finish success"
    assert result == {"event": START, "ledger": LEDGER}


@pytest.mark.parametrize("module_result, check_mode", [
    ({"failed": True, "msg": "refused", "event": START, "ledger": LEDGER}, False),
    ({"event": START, "ledger": LEDGER}, True),
    ({"ledger": LEDGER, "record": {}}, False),
])
def test_nothing_is_logged_for_a_failure_a_dry_run_or_a_call_without_event(tmp_path, module_result, check_mode):
    path = tmp_path / "deployment.log"
    run_action({"action": "acquire", "log_path": str(path)}, module_result, check_mode)
    assert not path.exists()


def test_a_broken_lease_and_a_lease_not_given_back_are_warnings():
    with patch("ansible_collections.ecoeco.bluegreen.plugins.action.bluegreen_ledger.display") as display:
        run_action({"action": "acquire"}, {"event": START, "ledger": LEDGER, "broken_msg": "ledger lease: breaking the lease of a@b"})
        run_action({"action": "release"}, {"released": False, "msg": "ledger lease: not released, run-b holds it"})
        run_action({"action": "release"}, {"released": False, "msg": "ledger lease: not released, run-b holds it"}, check_mode=True)
        run_action({"action": "release"}, {"released": True, "event": START, "ledger": LEDGER})
    assert [call.args[0] for call in display.warning.call_args_list] == [
        "ledger lease: breaking the lease of a@b", "ledger lease: not released, run-b holds it"]


def test_without_a_migration_the_line_names_the_ledger():
    assert log_line(dict(START, event="finish", outcome="failed"), {"name": "bluegreen-ledger", "migration": {}}) == \
        "2026-12-07T12:00:00Z bluegreen-ledger phase 30 (green deploy) finish failed"
