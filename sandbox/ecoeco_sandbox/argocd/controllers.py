"""Argo CD's controllers as local processes: the repo-server, the application controller and the ApplicationSet
controller of the real Argo CD (one binary, built by ``build-binaries.sh argocd``), with the in-memory Redis Argo CD
depends on as their cache.

Each runs from a link in the state folder named after its component: Argo CD picks the component from the name it
was started by, and ``down`` finds the processes by that folder. Out of a cluster, Argo CD needs
``ARGOCD_FAKE_IN_CLUSTER`` with the kubeconfig, and the scripts of its ``hack/`` folder on PATH (the repo-server runs
them for every git command). The application controller's metrics listener binds every interface whatever its
flags say: it gets a free port of its own, so two sandboxes never collide on it.
"""

import os

from ecoeco_sandbox import local_process
from ecoeco_sandbox.argocd.objects import ARGOCD_NAMESPACE

START_SECONDS = 90
# How soon Argo CD sees a commit: the application controller compares every Application with Git every N s
# (production: 120 s plus up to 60 s of jitter, the seed's "within 3 minutes"), and the repo-server keeps a branch's
# resolved commit this long (production: 3 min). Timing only: the rehearsal waits seconds where production waits minutes.
RESYNC_SECONDS = 10
REVISION_CACHE = "5s"
COMPONENTS = ("miniredis", "argocd-repo-server", "argocd-application-controller", "argocd-applicationset-controller")


def _environment(paths, bin_dir):
    folders = {name: paths.argocd_home / name for name in ("tls", "ssh", "gnupg", "tmp")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    return dict(os.environ, ARGOCD_FAKE_IN_CLUSTER="true", KUBECONFIG=str(paths.kubeconfig), ARGOCD_GPG_ENABLED="false",
                ARGOCD_TLS_DATA_PATH=str(folders["tls"]), ARGOCD_SSH_DATA_PATH=str(folders["ssh"]),
                ARGOCD_GNUPGHOME=str(folders["gnupg"]), TMPDIR=str(folders["tmp"]),
                PATH="{0}:{1}".format(bin_dir, os.environ.get("PATH", "")))


def _commands(ports):
    address = "127.0.0.1:{0}".format
    return {
        "miniredis": ["--addr", address(ports["redis"])],
        "argocd-repo-server": ["--address", "127.0.0.1", "--port", str(ports["repo"]), "--metrics-address", "127.0.0.1",
                               "--metrics-port", str(ports["repo_metrics"]), "--redis", address(ports["redis"]),
                               "--revision-cache-expiration", REVISION_CACHE],
        "argocd-application-controller": ["--namespace", ARGOCD_NAMESPACE, "--redis", address(ports["redis"]),
                                          "--repo-server", address(ports["repo"]), "--commit-server", address(ports["commit"]),
                                          "--metrics-port", str(ports["controller_metrics"]),
                                          "--app-resync", str(RESYNC_SECONDS), "--app-resync-jitter", "0"],
        "argocd-applicationset-controller": ["--namespace", ARGOCD_NAMESPACE, "--argocd-repo-server", address(ports["repo"]),
                                             "--metrics-addr", address(ports["appset_metrics"]),
                                             "--probe-addr", address(ports["appset_probe"]),
                                             "--webhook-addr", address(ports["appset_webhook"]),
                                             "--enable-leader-election=false"],
    }


def _ready_checks(ports):
    return {
        "miniredis": lambda: local_process.listening(ports["redis"]),
        "argocd-repo-server": lambda: local_process.answers_ok(ports["repo_metrics"]),
        "argocd-application-controller": lambda: local_process.answers_ok(ports["controller_metrics"]),
        # Its probe address serves no /healthz (no check is registered): the metrics server answering is the sign.
        "argocd-applicationset-controller": lambda: local_process.answers_ok(ports["appset_metrics"], "/metrics"),
    }


def start(paths, bin_dir):
    """Start the four processes in order, each once the one before answers; raise with the end of the log of the
    one that did not start."""
    links = paths.argocd_home / "bin"
    links.mkdir(parents=True, exist_ok=True)
    ports = {name: local_process.free_port() for name in ("redis", "repo", "repo_metrics", "commit", "controller_metrics",
                                                          "appset_metrics", "appset_probe", "appset_webhook")}
    env = _environment(paths, bin_dir)
    commands, ready = _commands(ports), _ready_checks(ports)
    for component in COMPONENTS:
        link = links / component
        if not link.exists():
            link.symlink_to(bin_dir / ("miniredis" if component == "miniredis" else "argocd"))
        component_env = dict(env, HOSTNAME="argocd-application-controller-0") if component == "argocd-application-controller" else env
        process = local_process.start([str(link)] + commands[component], component_env, paths.argocd_log(component),
                                      paths.argocd_pid(component))
        local_process.wait_until_ready(process, ready[component], "Argo CD's " + component, paths.argocd_log(component),
                                       START_SECONDS)
