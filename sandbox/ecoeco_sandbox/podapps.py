"""Stand-in apps: every Running pod with a container port answers HTTP on its container port, at the
loopback twin of its pod IP (pod 10.244.2.7 -> 127.244.2.7, see topology.loopback_address).
``GET /health`` -> ``{"status": "healthy"}``; ``GET /ready`` -> 200 once the pod is Ready, else 503;
any other path -> who answered (namespace, pod, ``version`` label). A pod annotated
``sandbox.ecoeco.io/health: failing`` answers 500 everywhere, the way a broken release would.
"""

import asyncio
import ipaddress
import json
import logging

from ecoeco_sandbox.http1 import read_headers_and_body
from ecoeco_sandbox.topology import loopback_address

LOG = logging.getLogger("ecoeco_sandbox.podapps")
FAILING_ANNOTATION = "sandbox.ecoeco.io/health"


def pod_is_ready(pod):
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            return condition.get("status") == "True"
    return False


def listen_addresses(pod):
    """(loopback ip, port) pairs a Running pod should serve on."""
    status = pod.get("status") or {}
    if status.get("phase") != "Running" or not status.get("podIP") or (pod.get("spec") or {}).get("hostNetwork"):
        return []
    if ipaddress.ip_address(status["podIP"]).version != 4:
        return []
    ip = loopback_address(status["podIP"])
    ports = []
    for container in (pod.get("spec") or {}).get("containers") or []:
        for port in container.get("ports") or []:
            if port.get("protocol", "TCP") == "TCP":
                ports.append((ip, int(port["containerPort"])))
    return ports


def respond(pod, method, path):
    """(status code, JSON body) the stand-in app answers for one request."""
    meta = pod.get("metadata") or {}
    labels = meta.get("labels") or {}
    if (meta.get("annotations") or {}).get(FAILING_ANNOTATION) == "failing":
        return 500, {"status": "unhealthy", "detail": "simulated failure", "pod": meta.get("name")}
    if path == "/health":
        return 200, {"status": "healthy"}
    if path == "/ready":
        return (200, {"status": "ready"}) if pod_is_ready(pod) else (503, {"status": "not ready"})
    return 200, {
        "app": labels.get("app"),
        "namespace": meta.get("namespace"),
        "pod": meta.get("name"),
        "version": labels.get("version"),
        "method": method,
        "path": path,
    }


class PodApps:
    """Keeps one asyncio listener per (pod IP, port) in step with the pods the API server reports."""

    def __init__(self):
        self._pods_by_address = {}
        self._servers = {}

    def pod_at(self, address):
        return self._pods_by_address.get(address)

    async def sync(self, pods):
        """Open listeners for new pod addresses and close those of pods that are gone."""
        wanted = {}
        for pod in pods:
            for address in listen_addresses(pod):
                wanted[address] = pod
        self._pods_by_address = wanted
        for address in set(self._servers) - set(wanted):
            server = self._servers.pop(address)
            server.close()
        for address in set(wanted) - set(self._servers):
            try:
                self._servers[address] = await asyncio.start_server(
                    lambda r, w, a=address: self._serve(a, r, w), host=address[0], port=address[1], reuse_address=True)
            except OSError as error:
                LOG.warning("cannot listen on %s:%s for pod %s: %s", address[0], address[1],
                            wanted[address]["metadata"]["name"], error)

    async def close(self):
        for server in self._servers.values():
            server.close()
        self._servers.clear()

    async def _serve(self, address, reader, writer):
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    break
                parts = request_line.decode("latin-1").split()
                headers, _body = await read_headers_and_body(reader)
                pod = self.pod_at(address)
                if pod is None or len(parts) < 2:
                    break
                code, body = respond(pod, parts[0], parts[1].split("?", 1)[0])
                payload = json.dumps(body).encode()
                keep_alive = headers.get("connection", "").lower() != "close" and parts[-1] == "HTTP/1.1"
                writer.write("HTTP/1.1 {0} {1}\r\nContent-Type: application/json\r\nContent-Length: {2}\r\nConnection: {3}\r\n\r\n".format(
                    code, "OK" if code == 200 else "Error", len(payload), "keep-alive" if keep_alive else "close").encode() + payload)
                await writer.drain()
                if not keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()
