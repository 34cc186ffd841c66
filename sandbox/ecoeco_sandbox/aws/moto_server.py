"""The sandbox's AWS: moto in this process, patched to behave closer to AWS."""

from moto.server import ThreadedMotoServer

from . import rule_priorities, target_health


def install_patches():
    """Install every moto patch the sandbox relies on (idempotent)."""
    target_health.install_patch()
    rule_priorities.install_patch()


def start(host="127.0.0.1", port=0):
    """Start a moto server thread on ``host:port`` (0 = any free port); return (server, endpoint_url).

    Stop it with ``server.stop()``. The patches are installed first, so they apply to every request.
    """
    install_patches()
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    bound_host, bound_port = server.get_host_and_port()
    return server, f"http://{bound_host}:{bound_port}"
