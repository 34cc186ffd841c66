"""The action groups of meta/runtime.yml: one set of module_defaults must fit every module of a group."""

import ast
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
# The connection options a group's defaults set, by the doc fragment that documents them.
GROUP_FRAGMENT = {"kubernetes": "kubernetes.core.k8s_auth_options", "aws": "amazon.aws.common.modules"}


def module_fragments(name):
    tree = ast.parse((ROOT / "plugins" / "modules" / (name + ".py")).read_text())
    (documentation,) = [node.value.value for node in tree.body if isinstance(node, ast.Assign)
                        and getattr(node.targets[0], "id", None) == "DOCUMENTATION"]
    return set(yaml.safe_load(documentation).get("extends_documentation_fragment", []))


def test_groups_hold_exactly_the_modules_sharing_their_connection_options():
    groups = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())["action_groups"]
    modules = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("*.py"))
    assert sorted(groups["bluegreen"]) == modules
    for group, fragment in GROUP_FRAGMENT.items():
        assert sorted(groups[group]) == [name for name in modules if fragment in module_fragments(name)], group
