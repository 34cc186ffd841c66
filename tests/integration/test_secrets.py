"""Secrets never reach the output: phase 00 at -vvv, as the least-privilege ServiceAccount and with an AWS secret
key of its own, leaves neither the token nor the key in stdout, the deployment log, the backup or the ledger."""

import base64
import uuid

import pytest
import yaml

from playbook_runs import delete_ledger, read_ledger, run_playbook, unique
from service_account import install_rbac, remove_rbac


@pytest.fixture(scope="module")
def secret_run(sandbox_env, module_blue_state, kube, tmp_path_factory):  # pylint: disable=unused-argument
    workdir = tmp_path_factory.mktemp("secrets")
    kubeconfig = workdir / "sa.kubeconfig"
    installed = install_rbac(sandbox_env, kubeconfig)
    assert installed.returncode == 0, installed.stdout[-3000:]
    token = yaml.safe_load(kubeconfig.read_text())["users"][0]["user"]["token"]
    # moto accepts any key: a unique one can only be found in the output if the run leaked it.
    aws_secret = "aws-secret-" + uuid.uuid4().hex
    env = dict(sandbox_env, AWS_SECRET_ACCESS_KEY=aws_secret)
    ledger, results = unique("secrets-test"), workdir / "results"
    result = run_playbook(env, "00_preflight.yml", "-vvv", extra_vars={
        "ledger_name": ledger, "bluegreen_kubeconfig": str(kubeconfig), "bluegreen_results_dir": str(results)})
    record = read_ledger(kube, ledger)
    yield {"install": installed, "result": result, "token": token, "aws_secret": aws_secret, "results": results, "ledger": record}
    delete_ledger(kube, ledger)
    remove_rbac(sandbox_env)


def outputs(run):
    yield "install stdout", run["install"].stdout  # the run that requested the token and wrote it
    yield "stdout", run["result"].stdout
    for path in sorted(run["results"].iterdir()):
        yield path.name, path.read_text()
    yield "ledger", repr(run["ledger"])


def test_the_run_succeeds_and_used_both_credentials(secret_run):
    assert secret_run["result"].returncode == 0, secret_run["result"].stdout[-3000:]
    assert "alb_target_health" in secret_run["result"].stdout  # the AWS key was used
    assert "sa.kubeconfig" in secret_run["result"].stdout  # the token was used (through the kubeconfig)
    assert {path.name for path in secret_run["results"].iterdir()} >= {"deployment.log"}


@pytest.mark.parametrize("credential", ["token", "aws_secret"])
def test_no_credential_in_any_output(secret_run, credential):
    value = secret_run[credential]
    forms = {value, base64.b64encode(value.encode()).decode(), value[-24:]}
    for where, text in outputs(secret_run):
        for form in forms:
            assert form not in text, "{0} found in {1}".format(credential, where)
