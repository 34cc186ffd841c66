"""The controllers the sandbox runs as local processes (the AWS Load Balancer Controller, Argo CD's): a free loopback
port for each listener, a detached start whose log and PID live in the state folder, and a bounded wait for the
process's health endpoint."""

import socket
import subprocess
import time

from ecoeco_sandbox.errors import SandboxError


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port):
    """Whether something accepts connections on the loopback ``port``."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def answers_ok(port, path="/healthz"):
    """Whether ``GET path`` on the loopback ``port`` answers 200."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall("GET {0} HTTP/1.0\r\n\r\n".format(path).encode())
            return connection.recv(64).split(b" ", 2)[1:2] == [b"200"]
    except (OSError, IndexError):
        return False


def start(command, env, log_path, pid_path):
    """Start ``command`` detached from the caller's session (``down`` stops it: its command line names the state
    folder), appending to ``log_path``; return the process."""
    with log_path.open("a") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                   start_new_session=True)
    pid_path.write_text(str(process.pid))
    return process


def wait_until_ready(process, ready, what, log_path, timeout):
    """Poll ``ready()`` until true; raise with the end of the log if the process exits or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            tail = log_path.read_text(errors="replace").strip().splitlines()[-10:]
            raise SandboxError("{0} did not start (see {1}):\n{2}".format(what, log_path, "\n".join(tail)))
        time.sleep(0.2)
