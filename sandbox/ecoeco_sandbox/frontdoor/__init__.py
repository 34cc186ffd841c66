"""The sandbox's front door: what the ALB + kube-proxy path would do to a request, on 127.0.0.1.

Routing follows the live ALB listener rules (moto) to a target group, its NodePort Service and that
Service's Ready EndpointSlice endpoints, which reach it ``kube_proxy_lag`` seconds late, as on a node.
"""

import asyncio
import socket
import threading

from ecoeco_sandbox.frontdoor.proxy import FrontDoor
from ecoeco_sandbox.frontdoor.view import RoutingView

HOST = "127.0.0.1"


def bindable_port(wanted):
    """``wanted`` when it is free on 127.0.0.1, else a free port the kernel picks."""
    for port in (wanted, 0):
        with socket.socket() as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise OSError("no free port on {0}".format(HOST))


def start(api_client, elbv2, load_balancer_name, port, kube_proxy_lag, stop):
    """Run the front door in background threads until ``stop`` is set; return its URL."""
    view = RoutingView(api_client, elbv2, load_balancer_name, kube_proxy_lag)
    threading.Thread(target=view.run, args=(stop,), name="frontdoor-view", daemon=True).start()
    bound = bindable_port(port)
    door = FrontDoor(view)
    threading.Thread(target=lambda: asyncio.run(door.serve(HOST, bound, stop)), name="frontdoor-http", daemon=True).start()
    return "http://{0}:{1}".format(HOST, bound)
