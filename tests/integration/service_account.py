"""A kubeconfig that authenticates as a ServiceAccount, with a token from the TokenRequest API.

Used by the RBAC tests to run phases as the collection's least-privilege identity (playbooks/rbac_install.yml);
also a command, for running a whole scenario as that identity:
    .venv/bin/python tests/integration/service_account.py OUT.kubeconfig [--namespace ecoeco-bluegreen]
        [--name ecoeco-bluegreen] [--seconds 3600]          (admin kubeconfig: $KUBECONFIG)
"""

import argparse
import os
from pathlib import Path

import yaml

from playbook_runs import run_playbook


def request_token(kube, namespace, name, seconds):
    """A bound token of the ServiceAccount (TokenRequest), valid ``seconds``."""
    from kubernetes import client

    request = {"spec": {"expirationSeconds": seconds}}
    return client.CoreV1Api(kube).create_namespaced_service_account_token(name, namespace, request).status.token


def write_kubeconfig(admin_kubeconfig, token, out, user="service-account"):
    """The admin kubeconfig's cluster (server, CA) with the token as the only user; mode 0600."""
    admin = yaml.safe_load(Path(admin_kubeconfig).read_text())
    current = next(c for c in admin["contexts"] if c["name"] == admin["current-context"])
    cluster = next(c for c in admin["clusters"] if c["name"] == current["context"]["cluster"])
    config = {"apiVersion": "v1", "kind": "Config", "clusters": [cluster],
              "users": [{"name": user, "user": {"token": token}}],
              "contexts": [{"name": user, "context": {"cluster": cluster["name"], "user": user}}],
              "current-context": user}
    out = Path(out)
    out.touch(mode=0o600)
    out.write_text(yaml.safe_dump(config))
    return out


def service_account_kubeconfig(kube, admin_kubeconfig, out, namespace="ecoeco-bluegreen", name="ecoeco-bluegreen", seconds=3600):
    return write_kubeconfig(admin_kubeconfig, request_token(kube, namespace, name, seconds), out, user=name)


def install_rbac(env):
    """playbooks/rbac_install.yml as the sandbox admin; the result of the run."""
    return run_playbook(env, "rbac_install.yml")


def remove_rbac(env):
    return run_playbook(env, "rbac_install.yml", "-e", "rbac_state=absent")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--namespace", default="ecoeco-bluegreen")
    parser.add_argument("--name", default="ecoeco-bluegreen")
    parser.add_argument("--seconds", type=int, default=3600)
    args = parser.parse_args()
    from kubernetes import config

    admin = os.environ["KUBECONFIG"]
    kube = config.new_client_from_config(config_file=admin)
    print(service_account_kubeconfig(kube, admin, args.out, args.namespace, args.name, args.seconds))


if __name__ == "__main__":
    main()
