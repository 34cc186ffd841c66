"""Faults of the sandbox tooling itself get clear messages and leave nothing half-started."""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]
SANDBOXCTL = str(ROOT / "sandbox" / "sandboxctl")


def run(command, env_overrides, **kwargs):
    env = dict(os.environ, **env_overrides)
    return subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False, **kwargs)


def sandbox_processes(home):
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if str(home).encode() in (proc / "cmdline").read_bytes():
                    found.append(proc.name)
            except OSError:
                pass
    return found


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_down_with_nothing_running_says_so(tmp_path):
    result = run([SANDBOXCTL, "down"], {"ECOECO_SANDBOX_HOME": str(tmp_path / "none")})
    assert result.returncode == 0
    assert "nothing to stop" in result.stdout


def test_status_of_absent_sandbox_is_not_running(tmp_path):
    result = run([SANDBOXCTL, "status"], {"ECOECO_SANDBOX_HOME": str(tmp_path / "none")})
    assert result.returncode == 1
    assert "not running" in result.stdout


def test_up_refuses_a_port_in_use_and_starts_nothing(tmp_path):
    home = tmp_path / "home"
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        result = run([SANDBOXCTL, "up"], {"ECOECO_SANDBOX_HOME": str(home), "ECOECO_SANDBOX_APISERVER_PORT": str(port),
                                          "ECOECO_SANDBOX_AWS_PORT": str(free_port())})
    assert result.returncode == 2
    assert "port {0} on 127.0.0.1 (apiserver) is already in use".format(port) in result.stdout
    assert not sandbox_processes(home)


def test_missing_go_is_reported_before_anything_is_built(tmp_path):
    result = run(["bash", str(ROOT / "sandbox" / "build-binaries.sh")],
                 {"PATH": "/usr/bin:/bin", "ECOECO_SANDBOX_CACHE": str(tmp_path)})
    assert shutil.which("go", path="/usr/bin:/bin") is None
    assert result.returncode == 3
    assert "Go is not installed" in result.stdout
    assert not any(tmp_path.iterdir())


def test_failed_build_keeps_previously_cached_binaries(tmp_path):
    source = tmp_path / "sandbox"
    shutil.copytree(ROOT / "sandbox", source, ignore=shutil.ignore_patterns("ecoeco_sandbox"))
    with open(source / "gobuild" / "kubernetes" / "go.mod", "a", encoding="utf-8") as go_mod:
        go_mod.write("\nthis line breaks go.mod, as a bad version bump would\n")
    versions = dict(line.split("=", 1) for line in (source / "versions.env").read_text().split("\n") if "=" in line and not line.startswith("#"))
    cached = tmp_path / "cache" / "bin" / "k8s-{KUBERNETES_VERSION}_etcd-{ETCD_VERSION}_kwok-{KWOK_VERSION}".format(**versions)
    cached.mkdir(parents=True)
    for name in ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "etcd", "kwok"):
        (cached / name).write_text("previous build\n")
        (cached / name).chmod(0o755)

    result = run(["bash", str(source / "build-binaries.sh")], {"ECOECO_SANDBOX_CACHE": str(tmp_path / "cache"), "GOFLAGS": ""}, timeout=600)

    assert result.returncode != 0
    assert sorted(p.name for p in cached.iterdir()) == ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "kwok"]
    assert (cached / "kube-apiserver").read_text() == "previous build\n"
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["bin"]


def test_up_over_a_broken_sandbox_replaces_it(tmp_path):
    home = tmp_path / "home"
    env = {"ECOECO_SANDBOX_HOME": str(home), "ECOECO_SANDBOX_APISERVER_PORT": str(free_port()), "ECOECO_SANDBOX_AWS_PORT": str(free_port()),
           "ECOECO_SANDBOX_POD_OCTET": "246"}  # its own loopback twins, beside the main sandbox
    try:
        assert run([SANDBOXCTL, "up", "--domains", "auth"], env).returncode == 0
        services = int((home / "services.pid").read_text())
        os.kill(services, 9)
        status = run([SANDBOXCTL, "status"], env)
        assert status.returncode == 2 and "broken" in status.stdout

        result = run([SANDBOXCTL, "up", "--domains", "auth"], env)
        assert result.returncode == 0, result.stdout
        assert "found a broken sandbox" in result.stdout
        assert run([SANDBOXCTL, "status"], env).returncode == 0
    finally:
        run([SANDBOXCTL, "down"], env)
    deadline = time.monotonic() + 10
    while sandbox_processes(home) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not sandbox_processes(home)
