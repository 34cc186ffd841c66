"""Run the collection's playbooks against the sandbox and read what they left (ledger, namespaces)."""

import json
import subprocess
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LEDGER_NAMESPACE = "ecoeco-bluegreen"


def unique(prefix):
    return "{0}-{1}".format(prefix, uuid.uuid4().hex[:6])


def run_playbook(env, playbook, *args, extra_vars=None, timeout=600, inventory="inventories/sandbox"):
    """ansible-playbook from the repository root; extra vars go through a JSON file (typed, no quoting)."""
    command = ["ansible-playbook", "-i", inventory, playbook if "/" in playbook else "playbooks/" + playbook, *args]
    if extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    return subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          check=False, timeout=timeout)


def start_playbook(env, playbook, *args, extra_vars=None, inventory="inventories/sandbox"):
    """The same run in the background (a Popen), for tests that run two at once or interrupt one."""
    command = ["ansible-playbook", "-i", inventory, playbook if "/" in playbook else "playbooks/" + playbook, *args]
    if extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def read_ledger(kube, name):
    """The ledger ConfigMap's data with events decoded, or None when it does not exist."""
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException

    try:
        data = client.CoreV1Api(kube).read_namespaced_config_map(name, LEDGER_NAMESPACE).data or {}
    except ApiException as error:
        if error.status == 404:
            return None
        raise
    return dict(data, events=json.loads(data.get("events", "[]")))


def ensure_ledger_namespace(kube):
    """The ledger's namespace, created as the first phase run would (a test run alone may come first), with the label
    the ledger store gives it."""
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException

    try:
        client.CoreV1Api(kube).create_namespace({"metadata": {"name": LEDGER_NAMESPACE, "labels": {"app.kubernetes.io/managed-by": "ecoeco.bluegreen"}}})
    except ApiException as error:
        if error.status != 409:
            raise


def seed_ledger(kube, name, **data):
    """A ledger as a run would have left it (events empty unless given), its namespace created if this is the first."""
    from kubernetes import client

    ensure_ledger_namespace(kube)
    metadata = {"name": name, "labels": {"app.kubernetes.io/managed-by": "ecoeco.bluegreen"}}
    client.CoreV1Api(kube).create_namespaced_config_map(LEDGER_NAMESPACE, {"metadata": metadata, "data": dict({"events": "[]"}, **data)})


def delete_ledger(kube, name):
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException

    try:
        client.CoreV1Api(kube).delete_namespaced_config_map(name, LEDGER_NAMESPACE)
    except ApiException as error:
        if error.status != 404:
            raise


def namespace_names(kube):
    from kubernetes import client

    return sorted(item.metadata.name for item in client.CoreV1Api(kube).list_namespace().items)


def active_namespace_names(kube):
    """Namespaces in phase Active: a namespace another test is deleting drops out of both snapshots."""
    from kubernetes import client

    return sorted(item.metadata.name for item in client.CoreV1Api(kube).list_namespace().items if item.status.phase == "Active")
