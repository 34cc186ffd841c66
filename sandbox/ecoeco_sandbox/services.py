"""The sandbox's long-running helper process: the moto AWS endpoint, the ALB's health checks (``health_checks``),
the stand-in apps on pod IPs with the kwok PortForward that reaches each of them, and the front door (``frontdoor``,
the ALB's data plane). Started detached by ``up``; ``down`` stops it. The AWS Load Balancer Controller is the real
one, a process of its own (``aws/load_balancer_controller``).

Run as ``python -m ecoeco_sandbox.services --home DIR --aws-port PORT --frontdoor-port PORT --kube-proxy-lag SECONDS``.
"""

import argparse
import asyncio
import json
import logging
import signal
import threading

from kubernetes import config
from kubernetes.client import CoreV1Api, CustomObjectsApi, DiscoveryV1Api

from ecoeco_sandbox import frontdoor, ip_allocator
from ecoeco_sandbox.aws import clients, moto_server
from ecoeco_sandbox.aws.health_checks import HealthChecks
from ecoeco_sandbox.files import write_whole
from ecoeco_sandbox.paths import Paths
from ecoeco_sandbox.podapps import PodApps
from ecoeco_sandbox.port_forwards import PortForwards

LOG = logging.getLogger("ecoeco_sandbox.services")
POD_RESYNC_SECONDS = 0.2


def list_pods(core):
    response = core.list_pod_for_all_namespaces(_preload_content=False)
    return json.loads(response.data)["items"]


async def serve_pods(core, custom_objects, stop):
    """Give new pods their IPs and keep the stand-in apps and their PortForwards in step with the pods until ``stop``
    is set."""
    apps = PodApps()
    port_forwards = PortForwards(custom_objects)
    loop = asyncio.get_running_loop()
    try:
        while not stop.is_set():
            try:
                pods = await loop.run_in_executor(None, list_pods, core)
                await loop.run_in_executor(None, ip_allocator.assign_addresses, core, pods)
                await apps.sync(pods)
                await loop.run_in_executor(None, port_forwards.sync, pods)
            except Exception:  # pylint: disable=broad-except
                LOG.exception("pod resync failed; retrying")
            await asyncio.sleep(POD_RESYNC_SECONDS)
    finally:
        await apps.close()


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", required=True)
    parser.add_argument("--aws-port", type=int, required=True)
    parser.add_argument("--frontdoor-port", type=int, required=True)
    parser.add_argument("--kube-proxy-lag", type=float, required=True)
    args = parser.parse_args(argv)
    paths = Paths(args.home)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per moto request drowns the log

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_args: stop.set())

    server, endpoint_url = moto_server.start(port=args.aws_port)
    api = config.new_client_from_config(config_file=str(paths.kubeconfig))
    health_checks = HealthChecks(CoreV1Api(api), CustomObjectsApi(api), DiscoveryV1Api(api))
    health_thread = threading.Thread(target=health_checks.run, args=(stop,), name="health-checks", daemon=True)
    health_thread.start()
    frontdoor_url = frontdoor.start(api, clients.client("elbv2", endpoint_url), args.frontdoor_port, args.kube_proxy_lag,
                                    paths.frontdoor_albs, stop)
    # Whole or not at all: `sandboxctl up` reads the file as soon as it exists.
    write_whole(paths.services_ready, json.dumps({"aws_endpoint_url": endpoint_url, "frontdoor_url": frontdoor_url}))
    LOG.info("ready: AWS endpoint %s, front door %s (kube-proxy lag %.1f s)", endpoint_url, frontdoor_url, args.kube_proxy_lag)
    try:
        asyncio.run(serve_pods(CoreV1Api(api), CustomObjectsApi(api), stop))
    finally:
        stop.set()
        health_thread.join(timeout=5)
        server.stop()
        paths.services_ready.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
