"""The sandbox's front door: what the ALB + kube-proxy path would do to a request, on loopback.

Each ALB in moto is served on a loopback address of its own (``addresses``; ``alb_url(name)`` tells its URL),
EcoEco's ``ecoeco-alb`` also on 127.0.0.1. Routing follows that ALB's live listener rules to a target group,
its NodePort Service and that Service's Ready EndpointSlice endpoints, which reach it ``kube_proxy_lag``
seconds late, as on a node.
"""

import asyncio
import socket
import threading

from ecoeco_sandbox.frontdoor.addresses import alb_url
from ecoeco_sandbox.frontdoor.listeners import AlbListeners
from ecoeco_sandbox.frontdoor.proxy import FrontDoor
from ecoeco_sandbox.frontdoor.view import RoutingView

__all__ = ["alb_url", "bindable_port", "start"]

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


def start(api_client, elbv2, port, kube_proxy_lag, book_path, stop):
    """Run the front door in background threads until ``stop`` is set, listing the ALBs it serves in ``book_path``;
    return its default URL (``ecoeco-alb``)."""
    view = RoutingView(api_client, elbv2, kube_proxy_lag)
    threading.Thread(target=view.run, args=(stop,), name="frontdoor-view", daemon=True).start()
    bound = bindable_port(port)
    listeners = AlbListeners(FrontDoor(view), view, HOST, bound, book_path)
    threading.Thread(target=lambda: asyncio.run(listeners.serve(stop)), name="frontdoor-http", daemon=True).start()
    return "http://{0}:{1}".format(HOST, bound)
