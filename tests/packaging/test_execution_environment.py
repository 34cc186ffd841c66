"""The execution environment: execution-environment.yml (ansible-builder v3) and the collection's
meta/execution-environment.yml, checked as far as a machine without a container engine allows."""

import shutil
import subprocess
from importlib.metadata import PackageNotFoundError, version

import yaml
from packaging.requirements import Requirement

from collection_build import ROOT, VENV_BIN, install_collection


def requirement_lines(path):
    return [line.split("#")[0].strip() for line in path.read_text().splitlines() if line.split("#")[0].strip()]


def test_builder_creates_a_build_context_with_the_tarball(tmp_path, collection_tarball):
    tarball, _members = collection_tarball
    shutil.copy(ROOT / "execution-environment.yml", tmp_path)
    shutil.copy(tarball, tmp_path)
    subprocess.run([str(VENV_BIN / "ansible-builder"), "create", "-f", "execution-environment.yml", "-c", "context"],
                   cwd=tmp_path, check=True, capture_output=True)
    build = tmp_path / "context" / "_build"
    assert (build / "collections" / tarball.name).is_file()
    containerfile = (tmp_path / "context" / "Dockerfile").read_text()
    assert "ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS /build/collections/ecoeco-bluegreen-" \
        in containerfile
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())
    requirements = yaml.safe_load((build / "requirements.yml").read_text())["collections"]
    assert {item["name"]: item["version"] for item in requirements} == galaxy["dependencies"]


def test_installed_collection_declares_its_python_and_system_needs(tmp_path, collection_tarball):
    collections = install_collection(collection_tarball[0], tmp_path, "--no-deps")
    introspected = subprocess.run([str(VENV_BIN / "ansible-builder"), "introspect", str(collections)],
                                  check=True, capture_output=True, text=True).stdout
    found = yaml.safe_load(introspected.split("\n", 1)[1])
    assert [line.split("#")[0].strip() for line in found["python"]] == requirement_lines(ROOT / "requirements.txt")
    assert [line.split("#")[0].strip() for line in found["system"]] == requirement_lines(ROOT / "bindep.txt")
    assert all(line.endswith("# from collection ecoeco.bluegreen") for line in found["python"] + found["system"])


def test_python_requirements_are_what_the_tests_run_with():
    unmet = []
    for line in requirement_lines(ROOT / "requirements.txt"):
        requirement = Requirement(line)
        try:
            installed = version(requirement.name)
        except PackageNotFoundError:
            installed = None
        if installed is None or not requirement.specifier.contains(installed, prereleases=True):
            unmet.append((line, installed))
    assert unmet == []


def test_system_requirements_parse_for_both_package_families():
    from bindep.depends import Depends

    depends = Depends((ROOT / "bindep.txt").read_text())
    for platform in ("platform:rpm", "platform:dpkg"):
        assert [rule[0] for rule in depends.active_rules([platform])] == ["git"]
