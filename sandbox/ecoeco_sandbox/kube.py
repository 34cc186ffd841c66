"""Small helpers over the official kubernetes client: connect, apply, delete, wait."""

import time

import urllib3
from kubernetes import config, dynamic
from kubernetes.client import ApiException

from ecoeco_sandbox.errors import SandboxError

FIELD_MANAGER = "ecoeco-sandbox"


def connect(kubeconfig):
    """(ApiClient, DynamicClient) for the sandbox's kubeconfig."""
    api = config.new_client_from_config(config_file=str(kubeconfig))
    return api, dynamic.DynamicClient(api)


def resource(dyn, obj):
    return dyn.resources.get(api_version=obj["apiVersion"], kind=obj["kind"])


def apply(dyn, obj):
    """Server-side apply, so a re-run converges instead of failing on objects that exist."""
    meta = obj["metadata"]
    return resource(dyn, obj).server_side_apply(body=obj, name=meta["name"], namespace=meta.get("namespace"),
                                                field_manager=FIELD_MANAGER, force_conflicts=True)


def create_if_absent(dyn, obj):
    """Create, keeping an existing object (for CRDs too big for apply bookkeeping)."""
    try:
        return resource(dyn, obj).create(body=obj, namespace=obj["metadata"].get("namespace"))
    except ApiException as error:
        if error.status != 409:
            raise
        return None


def wait_for(check, timeout, what, interval=0.25):
    """Poll ``check()`` until truthy; raise SandboxError naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except (ApiException, urllib3.exceptions.HTTPError):
            value = None
        if value:
            return value
        if time.monotonic() >= deadline:
            raise SandboxError("timed out after {0:.0f} s waiting for {1}".format(timeout, what))
        time.sleep(interval)
