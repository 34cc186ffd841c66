"""The Kubernetes half: kwokctl runs kube-apiserver, kube-controller-manager, kube-scheduler, etcd and
the kwok controller as local processes (binary runtime) bound to 127.0.0.1."""

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import yaml

from ecoeco_sandbox.errors import SandboxError
from ecoeco_sandbox.paths import CLUSTER_NAME, SANDBOX_SOURCE


def port_is_free(port, host="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def require_free_port(port, what, grace_seconds=0.0):
    """Raise unless ``port`` is free, allowing ``grace_seconds`` for a process we just stopped to let go of it."""
    deadline = time.monotonic() + grace_seconds
    while not port_is_free(port) and time.monotonic() < deadline:
        time.sleep(0.2)
    if not port_is_free(port):
        raise SandboxError("port {0} on 127.0.0.1 ({1}) is already in use by another program; free it, or choose another "
                           "port with ECOECO_SANDBOX_{2}_PORT".format(port, what, what.upper().replace(" ", "_").replace("-", "_")))


def kwokctl_configuration(bin_dir, pinned, apiserver_port):
    """The kwokctl config file: our own binaries, loopback only, and our pod/node lifecycle stages.

    kwok also plays every node's kubelet endpoint for ``kubectl port-forward`` (port_forwards.py): its nodes report
    InternalIP 127.0.0.1 (kwokctl's binary runtime passes an empty ``--node-ip``) and the kwok controller's port as
    their kubelet port (node-ready stage), kube-apiserver dials a node at its InternalIP as a kubeadm cluster does,
    and kwok reads the per-pod ``PortForward`` objects from the API (its CRD, installed by kwokctl).
    """
    kwokctl = {
        "apiVersion": "config.kwok.x-k8s.io/v1alpha1",
        "kind": "KwokctlConfiguration",
        "options": {
            "runtime": "binary",
            "bindAddress": "127.0.0.1",
            "kubeApiserverPort": apiserver_port,
            "kubeVersion": "v" + pinned["KUBERNETES_VERSION"],
            "etcdVersion": pinned["ETCD_VERSION"],
            "kwokVersion": "v" + pinned["KWOK_VERSION"],
            "kubeBinaryPrefix": str(bin_dir),
            "kubectlBinary": str(bin_dir / "kubectl"),
            "etcdBinary": str(bin_dir / "etcd"),
            "kwokControllerBinary": str(bin_dir / "kwok"),
            "kubeAuthorization": True,
            "quietPull": True,
            "enableCRDs": ["PortForward"],
        },
        "componentsPatches": [
            {"name": "kube-apiserver", "extraArgs": [{"key": "service-cluster-ip-range", "value": "10.96.0.0/16"},
                                                     {"key": "kubelet-preferred-address-types", "value": "InternalIP"}]},
            {"name": "kube-controller-manager", "extraArgs": [{"key": "service-cluster-ip-range", "value": "10.96.0.0/16"}]},
            {"name": "kwok-controller", "extraArgs": [{"key": "node-ip", "value": "127.0.0.1", "override": True}]},
        ],
    }
    stages = [yaml.safe_load(path.read_text()) for path in sorted((SANDBOX_SOURCE / "kwok" / "stages").glob("*.yaml"))]
    return [kwokctl] + stages


def configuration_text(bin_dir, pinned, apiserver_port):
    return yaml.safe_dump_all(kwokctl_configuration(bin_dir, pinned, apiserver_port), sort_keys=False)


def configuration_is_current(paths, bin_dir, pinned, apiserver_port):
    """Whether the running control plane was started from the configuration this checkout would write (a sandbox
    started by an older checkout may lack what the tests now rely on, such as kwok's PortForward CRD)."""
    try:
        return paths.kwokctl_config.read_text() == configuration_text(bin_dir, pinned, apiserver_port)
    except OSError:
        return False


def _kwokctl_env(paths, bin_dir):
    return dict(os.environ, KWOK_WORKDIR=str(paths.kwok_workdir), KWOK_RUNTIME="binary",
                PATH="{0}:{1}".format(bin_dir, os.environ.get("PATH", "")))


def create(paths, bin_dir, pinned, apiserver_port, wait_seconds=120):
    """Start the control plane and write the kubeconfig; raise with kwokctl's words on failure."""
    paths.home.mkdir(parents=True, exist_ok=True)
    paths.kwokctl_config.write_text(configuration_text(bin_dir, pinned, apiserver_port))
    command = [str(bin_dir / "kwokctl"), "--name", CLUSTER_NAME, "create", "cluster", "--config", str(paths.kwokctl_config),
               "--kubeconfig", str(paths.kubeconfig), "--wait", "{0}s".format(wait_seconds)]
    result = subprocess.run(command, env=_kwokctl_env(paths, bin_dir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, check=False)
    (paths.home / "kwokctl-create.log").write_text(result.stdout)
    if result.returncode != 0:
        raise SandboxError("kwokctl could not start the control plane (see {0}):\n{1}".format(
            paths.home / "kwokctl-create.log", "\n".join(result.stdout.strip().splitlines()[-8:])))


def delete(paths, bin_dir):
    """Stop every control-plane process; falls back to killing by state path when kwokctl cannot."""
    if bin_dir is not None and (bin_dir / "kwokctl").exists() and paths.cluster_dir().exists():
        subprocess.run([str(bin_dir / "kwokctl"), "--name", CLUSTER_NAME, "delete", "cluster"], env=_kwokctl_env(paths, bin_dir),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=120)
    kill_processes_using(paths.home)


def processes_using(folder):
    """PIDs of the processes whose command line names ``folder`` (the control plane, after a crash too)."""
    marker = re.compile(re.escape(str(folder)) + r"(/|\s|$)")
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker.search(cmdline):
            found.append(int(proc.name))
    return found


def kill_processes_using(folder):
    """SIGTERM, then SIGKILL after 5 s, every process left that names ``folder``."""
    victims = processes_using(folder)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in victims:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 5
        while sig == signal.SIGTERM and time.monotonic() < deadline and any(Path("/proc", str(p)).exists() for p in victims):
            time.sleep(0.1)
    return victims


def _running(pid):
    """A process that is gone, or a zombie (empty command line), is not running."""
    try:
        return bool(Path("/proc", str(pid), "cmdline").read_bytes())
    except OSError:
        return False


def _component_pid(paths, component):
    try:
        return int((paths.cluster_dir() / "pids" / (component + ".pid")).read_text())
    except (OSError, ValueError):
        return None


def kill_component(paths, component):
    """SIGKILL one control-plane process (``kube-apiserver``, ...) as a crash would; ``start_stopped_components``
    starts it again."""
    pid = _component_pid(paths, component)
    if pid is None or not _running(pid):
        raise SandboxError("{0} of the sandbox at {1} is not running".format(component, paths.home))
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while _running(pid):
        if time.monotonic() > deadline:
            raise SandboxError("{0} (pid {1}) is still running 10 s after SIGKILL".format(component, pid))
        time.sleep(0.05)


def start_stopped_components(paths):
    """Start every control-plane process that is not running, as kwokctl did (its command line from kwokctl's
    configuration, same folder, log and pid file, so ``down`` stops it); return their names. Besides one killed on
    purpose, kube-controller-manager and kube-scheduler exit by themselves when they cannot renew their leader lease
    for 10 s: on a real node kubelet or systemd starts them again."""
    configuration = next(document for document in yaml.safe_load_all((paths.cluster_dir() / "kwok.yaml").read_text())
                         if document.get("kind") == "KwokctlConfiguration")
    started = []
    for component in configuration["components"]:
        pid = _component_pid(paths, component["name"])
        if pid is not None and _running(pid):
            continue
        with (paths.cluster_dir() / "logs" / (component["name"] + ".log")).open("a") as log:
            process = subprocess.Popen([component["binary"]] + component.get("args", []), cwd=component["workDir"], stdout=log,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        (paths.cluster_dir() / "pids" / (component["name"] + ".pid")).write_text(str(process.pid))
        started.append(component["name"])
    return started
