"""The unit tests pass in a shell that sourced the sandbox's env file: they do not inherit its endpoints."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A moto in-process test: with AWS_ENDPOINT_URL inherited, botocore would send its calls to that endpoint instead.
MOTO_TEST = "tests/sandbox_unit/test_moto_patches.py::test_seed_network_is_idempotent"


def test_unit_tests_ignore_the_sandbox_variables_of_the_calling_shell(tmp_path):
    absent = str(tmp_path / "no-such-kubeconfig")
    env = dict(os.environ, AWS_ENDPOINT_URL="http://127.0.0.1:9", KUBECONFIG=absent, K8S_AUTH_KUBECONFIG=absent)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", MOTO_TEST], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "1 passed" in result.stdout
