"""The front door's HTTP side: reads a request that reached one ALB, routes it by that ALB's rules
(``routing.decide``) and relays it to the chosen pod's stand-in app on the pod IP's loopback twin, or answers
404/502/503 like the ALB would.

Each response carries ``X-Frontdoor-Endpoint`` (pod IP:port, or ``-``) so a load generator can tell
a routing answer from an app answer.
"""

import asyncio
import itertools
import json

from ecoeco_sandbox.frontdoor.routing import decide
from ecoeco_sandbox.http1 import read_headers_and_body
from ecoeco_sandbox.topology import loopback_address

UPSTREAM_TIMEOUT = 5.0
REASONS = {200: "OK", 404: "Not Found", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


async def read_request(reader):
    """(method, target, version, headers, body) or None at end of stream."""
    request_line = await reader.readline()
    if not request_line.strip():
        return None
    method, target, version = (request_line.decode("latin-1").split() + ["", "", ""])[:3]
    headers, body = await read_headers_and_body(reader)
    return method, target, version, headers, body


async def read_response(reader):
    """(status, headers, body) of an upstream answer with Content-Length (the stand-in apps send it)."""
    status_line = await reader.readline()
    parts = status_line.decode("latin-1").split(None, 2)
    if len(parts) < 2:
        raise ConnectionError("upstream closed without a response")
    headers, body = await read_headers_and_body(reader)
    return int(parts[1]), headers, body


def render(status, body, content_type, endpoint, keep_alive):
    head = "HTTP/1.1 {0} {1}\r\nContent-Type: {2}\r\nContent-Length: {3}\r\nX-Frontdoor-Endpoint: {4}\r\nConnection: {5}\r\n\r\n".format(
        status, REASONS.get(status, "Status"), content_type, len(body), endpoint, "keep-alive" if keep_alive else "close")
    return head.encode("latin-1") + body


class FrontDoor:
    """Answers the connections to each ALB (``serve_client``) by routing through ``view`` (a RoutingView)."""

    def __init__(self, view):
        self._view = view
        self._spread = itertools.count()

    def _pick(self, candidates):
        return candidates[next(self._spread) % len(candidates)]

    async def relay(self, load_balancer_name, method, target, headers, body):
        """(status, body bytes, content type, endpoint label) for one request to the ALB ``load_balancer_name``."""
        decision = decide(self._view.rules(load_balancer_name), self._view.node_ports(), self._view.endpoints(), headers.get("host", ""), target, self._pick)
        if decision.endpoint is None:
            return decision.status, json.dumps({"frontdoor": decision.reason}).encode(), "application/json", "-"
        endpoint = decision.endpoint
        label = "{0}:{1}".format(endpoint.ip, endpoint.port)
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(loopback_address(endpoint.ip), endpoint.port), UPSTREAM_TIMEOUT)
        except (OSError, asyncio.TimeoutError) as error:
            # The endpoint kube-proxy still lists is gone (its pod stopped): the ALB answers 502.
            return 502, json.dumps({"frontdoor": "connect to {0} failed: {1}".format(label, error.__class__.__name__)}).encode(), "application/json", label
        try:
            forwarded = "".join("{0}: {1}\r\n".format(k, v) for k, v in headers.items() if k not in ("connection", "content-length"))
            writer.write("{0} {1} HTTP/1.1\r\n{2}Content-Length: {3}\r\nConnection: close\r\n\r\n".format(
                method, target, forwarded, len(body)).encode("latin-1") + body)
            await writer.drain()
            status, upstream_headers, payload = await asyncio.wait_for(read_response(reader), UPSTREAM_TIMEOUT)
            return status, payload, upstream_headers.get("content-type", "application/octet-stream"), label
        except (OSError, ConnectionError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError) as error:
            return 502, json.dumps({"frontdoor": "{0} did not answer: {1}".format(label, error.__class__.__name__)}).encode(), "application/json", label
        finally:
            writer.close()

    async def serve_client(self, load_balancer_name, reader, writer):
        """One client connection to the ALB ``load_balancer_name`` (bind it with functools.partial)."""
        try:
            while True:
                request = await read_request(reader)
                if request is None:
                    break
                method, target, version, headers, body = request
                status, payload, content_type, label = await self.relay(load_balancer_name, method, target, headers, body)
                keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
                writer.write(render(status, payload, content_type, label, keep_alive))
                await writer.drain()
                if not keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()
