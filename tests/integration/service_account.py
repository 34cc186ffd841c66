"""The collection's least-privilege identity for the tests: playbooks/rbac_install.yml as the sandbox admin, which
can also write a kubeconfig of the ServiceAccount (roles/rbac, rbac_token_kubeconfig: a bound TokenRequest token).
The molecule scenario `migration` uses the same playbook to run the whole migration as that identity."""

from playbook_runs import run_playbook


def install_rbac(env, token_kubeconfig=None, seconds=1800):
    """playbooks/rbac_install.yml as the sandbox admin, writing the ServiceAccount's kubeconfig to
    ``token_kubeconfig`` when given; the result of the run."""
    values = {"rbac_token_kubeconfig": str(token_kubeconfig), "rbac_token_seconds": seconds} if token_kubeconfig else None
    return run_playbook(env, "rbac_install.yml", extra_vars=values)


def remove_rbac(env):
    return run_playbook(env, "rbac_install.yml", "-e", "rbac_state=absent")
