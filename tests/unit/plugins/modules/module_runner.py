"""Run a module's main() in-process and say how it ended, as Ansible would see it."""

from unittest.mock import patch

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args


class ExitJson(Exception):
    pass


class FailJson(Exception):
    pass


def _exit_json(self, **kwargs):
    raise ExitJson(kwargs)


def _fail_json(self, msg, **kwargs):
    raise FailJson(dict(kwargs, msg=msg))


def run_main(main, args):
    """("exit" | "fail", the result) of ``main()`` given the module arguments ``args``."""
    with patch.object(basic.AnsibleModule, "exit_json", _exit_json), patch.object(basic.AnsibleModule, "fail_json", _fail_json):
        with patch_module_args(args):
            try:
                main()
            except ExitJson as e:
                return "exit", e.args[0]
            except FailJson as e:
                return "fail", e.args[0]
    raise AssertionError("main() returned without exit_json or fail_json")
