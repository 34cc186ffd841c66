"""The unit-test import path resolves this checkout and the collections it builds on."""

import importlib


def test_dependencies_import_from_the_ansible_package():
    core = importlib.import_module("ansible_collections.kubernetes.core.plugins.module_utils.k8s.core")
    aws = importlib.import_module("ansible_collections.amazon.aws.plugins.module_utils.modules")
    assert hasattr(core, "AnsibleK8SModule")
    assert hasattr(aws, "AnsibleAWSModule")
