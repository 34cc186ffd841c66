"""The docs: generated pages are current, every plugin and role renders with ansible-doc, changelog fragments lint."""

import importlib.util
import json
import shutil
import subprocess

from collection_build import ROOT, VENV_BIN


def gen_docs():
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_pages_are_current():
    assert gen_docs().main(["--check"]) == 0, "docs/ is stale: run make docs"


def test_a_stale_page_is_reported(tmp_path, capsys):
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    page = docs / "roles" / "namespaces.md"
    page.write_text(page.read_text().replace("namespaces_names", "namespaces_list"))
    (docs / "playbooks" / "00_gone.md").write_text("a page without a playbook\n")
    assert gen_docs().main(["--check", "--docs", str(docs)]) == 1
    assert capsys.readouterr().out.split().count("stale:") == 2


def ansible_doc(*args):
    env = {"ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".build" / "collections"), "PATH": str(VENV_BIN),
           "HOME": str(ROOT / ".build")}
    result = subprocess.run([str(VENV_BIN / "ansible-doc"), *args], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "ecoeco" not in result.stderr, result.stderr
    return result.stdout


def test_every_plugin_and_role_renders_with_ansible_doc():
    plugin_dirs = {"module": "modules", "callback": "callback"}
    for plugin_type, folder in plugin_dirs.items():
        names = sorted("ecoeco.bluegreen." + path.stem for path in (ROOT / "plugins" / folder).glob("*.py"))
        listed = json.loads(ansible_doc("-t", plugin_type, "--list", "--json", "ecoeco.bluegreen"))
        assert sorted(listed) == names
        rendered = json.loads(ansible_doc("-t", plugin_type, "--json", *names))
        for name in names:
            doc = rendered[name]
            assert doc["doc"]["short_description"] and doc["doc"]["description"], name
            if plugin_type == "module":
                assert doc["examples"] and doc["return"], name
    roles = sorted("ecoeco.bluegreen." + path.parent.parent.name for path in (ROOT / "roles").glob("*/meta/argument_specs.yml"))
    rendered = json.loads(ansible_doc("-t", "role", "--json", *roles))
    assert sorted(rendered) == roles
    assert all(rendered[role]["entry_points"]["main"]["short_description"] for role in roles)


def test_changelog_fragments_lint():
    result = subprocess.run([str(VENV_BIN / "antsibull-changelog"), "lint"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout + result.stderr
