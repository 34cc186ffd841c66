"""The running sandbox as the benchmarks use it: environment, clients, commands, API server metrics."""

import json
import os
import subprocess
import time
from pathlib import Path

from kubernetes import config, dynamic

from ecoeco_sandbox.paths import REPO_ROOT, Paths

CALLBACKS = REPO_ROOT / "sandbox" / "bench" / "callback_plugins"
# Requests that the control plane's controllers and kwok make (in reaction to changes or on their own).
CONTROLLER_RESOURCES = ("leases", "events", "nodes", "endpoints", "replicasets", "podtemplates", "controllerrevisions",
                        "ipaddresses", "horizontalpodautoscalers", "")
CONTROLLER_WRITTEN = ("pods", "endpointslices")
READS = ("GET", "LIST", "WATCH")


def read_env_file(path):
    env = {}
    for line in Path(path).read_text().splitlines():
        if line.startswith("export ") and "=" in line and not line.startswith("export PATH="):
            key, _sep, value = line[len("export "):].partition("=")
            env[key] = value.strip('"')
    return env


class Sandbox:
    """Environment, Kubernetes clients and command runners bound to the sandbox of ``ECOECO_SANDBOX_HOME``."""

    def __init__(self):
        self.paths = Paths()
        self.env = dict(os.environ, **read_env_file(self.paths.env_file))
        self.env["PATH"] = "{0}:{1}:{2}".format(self.env["ECOECO_SANDBOX_BIN"], REPO_ROOT / ".venv" / "bin", os.environ.get("PATH", ""))
        self.env["ANSIBLE_CONFIG"] = str(REPO_ROOT / "ansible.cfg")
        self.env["ANSIBLE_COLLECTIONS_PATH"] = str(REPO_ROOT / ".build" / "collections")
        self.frontdoor_url = self.env["BLUEGREEN_FRONTDOOR_URL"]
        self.api = config.new_client_from_config(config_file=self.env["KUBECONFIG"])
        self.dyn = dynamic.DynamicClient(self.api)

    def run(self, command, extra_env=None, check=True):
        """Run a command with the sandbox environment; (seconds, CompletedProcess)."""
        started = time.monotonic()
        done = subprocess.run(command, env=dict(self.env, **(extra_env or {})), cwd=REPO_ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, check=False)
        if check and done.returncode != 0:
            raise RuntimeError("{0} failed ({1}):\n{2}".format(" ".join(map(str, command)), done.returncode, done.stdout[-3000:]))
        return time.monotonic() - started, done

    def kubectl(self, *args):
        return self.run(["kubectl"] + list(args))

    def playbook(self, playbook, timing_file, extra_vars=(), inventory="inventories/sandbox", check=True):
        """ansible-playbook with the bench timing callback writing per-task JSON lines to ``timing_file``."""
        command = ["ansible-playbook", "-i", str(inventory), str(playbook)]
        for extra in extra_vars:
            command += ["-e", extra]
        return self.run(command, {"ANSIBLE_CALLBACK_PLUGINS": str(CALLBACKS), "ANSIBLE_CALLBACKS_ENABLED": "bench_timing",
                                  "BENCH_TIMING_FILE": str(timing_file)}, check=check)

    def module(self, name, args, timing_file=None):
        """One ad-hoc module call on localhost; (seconds, module result dict)."""
        seconds, done = self.run(["ansible", "localhost", "-i", "localhost,", "-c", "local", "-m", name, "-a", json.dumps(args)],
                                 {"ANSIBLE_LOAD_CALLBACK_PLUGINS": "1", "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
                                  "ANSIBLE_PYTHON_INTERPRETER": str(REPO_ROOT / ".venv" / "bin" / "python")}, check=False)
        output = done.stdout[done.stdout.index("{"):]
        result = json.loads(output)["plays"][0]["tasks"][0]["hosts"]["localhost"]
        if result.get("failed"):
            raise RuntimeError("{0} failed: {1}".format(name, result.get("msg")))
        return seconds, result

    def apply(self, obj):
        meta = obj["metadata"]
        return self.dyn.resources.get(api_version=obj["apiVersion"], kind=obj["kind"]).server_side_apply(
            body=obj, name=meta["name"], namespace=meta.get("namespace"), field_manager="ecoeco-bench", force_conflicts=True)

    def request_counts(self):
        """{(verb, resource): count} from the API server's apiserver_request_total, of the requests a client like
        Ansible makes: cluster-wide lists and watches (the sandbox's health checks and front door), status
        writes, and what the control plane's controllers and kwok read and write are left out, so the idle
        background is near 0 (discovery requests are left out with them)."""
        text = self.api.call_api("/metrics", "GET", auth_settings=["BearerToken"], _preload_content=False, _return_http_data_only=True).data.decode()
        counts = {}
        for line in text.splitlines():
            if not line.startswith("apiserver_request_total{"):
                continue
            labels_text, value = line[len("apiserver_request_total{"):].rsplit("} ", 1)
            labels = dict(part.split("=", 1) for part in labels_text.split('",') if "=" in part)
            verb, resource, scope, subresource = (labels.get(name, "").strip('"') for name in ("verb", "resource", "scope", "subresource"))
            if scope == "cluster" or subresource == "status" or resource in CONTROLLER_RESOURCES or (
                    verb not in READS and resource in CONTROLLER_WRITTEN):
                continue
            counts[(verb, resource)] = counts.get((verb, resource), 0) + float(value)
        return counts
