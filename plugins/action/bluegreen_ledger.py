# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""bluegreen_ledger on the controller: runs the module wherever the play runs, then appends the event it recorded to the
deployment log on the controller (``log_path``), and turns what the module says about the lease into warnings.

One task per ledger event instead of three (the module, an include and a lineinfile delegated to localhost).
"""

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.ledger.deployment_log import append, log_line

display = Display()


class ActionModule(ActionBase):
    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        module_args = dict(self._task.args)
        log_path = module_args.pop("log_path", None)
        result.update(self._execute_module(module_name="ecoeco.bluegreen.bluegreen_ledger", module_args=module_args, task_vars=task_vars))
        if result.get("failed"):
            return result
        for warning in self.lease_warnings(result):
            display.warning(warning)
        if log_path and result.get("event") and not self._task.check_mode:
            append(log_path, log_line(result["event"], result.get("ledger") or {}))
        return result

    def lease_warnings(self, result):
        """What the module says about another run's lease: this call broke it, or that run holds it now."""
        warnings = [result["broken_msg"]] if result.get("broken_msg") else []
        if result.get("released") is False and not self._task.check_mode:
            warnings.append(result.get("msg") or "ledger lease: not released")
        return warnings
