"""Where a client reaches each ALB of the sandbox: every load balancer gets a loopback address of its own.

A real client resolves the ALB's DNS name to the ALB's addresses and sends its own domain in the Host header
(which listener rules may match), so the ALB is chosen by the address connected to, never by the Host header.
Here each ALB gets one address of ``127.<pod octet>.240.0/20``: above the pod ranges of the same sandbox
(``10.<pod octet>.0.0`` - ``10.<pod octet>.111.255``, served on their loopback twins), and as distinct between
two sandboxes on one machine as their pod octets already are. An address, once given, stays with its ALB's
name for the life of the front door and is never given to another name, so a client that looked it up earlier
never reaches another team's ALB.

The front door lists the ALBs it serves in the sandbox's ``frontdoor-albs.json`` (``address book``); ``alb_url``
reads it for tests, the load generator and ``sandboxctl alb-url``.
"""

import ipaddress
import json
import time

from ecoeco_sandbox.errors import SandboxError
from ecoeco_sandbox.files import write_whole
from ecoeco_sandbox.paths import Paths
from ecoeco_sandbox.topology import POD_OCTET

# The ALB 127.0.0.1:<front door port> has always served, before ALBs had addresses of their own.
DEFAULT_LOAD_BALANCER = "ecoeco-alb"


def alb_network(pod_octet=POD_OCTET):
    return ipaddress.ip_network("127.{0}.240.0/20".format(pod_octet))


class AddressBook:
    """Gives each ALB name the next unused address of ``network`` and keeps it there."""

    def __init__(self, network=None):
        self._free = (network or alb_network()).hosts()
        self._assigned = {}

    def address_of(self, name):
        if name not in self._assigned:
            try:
                self._assigned[name] = str(next(self._free))
            except StopIteration:
                raise SandboxError("no loopback address left for ALB {0}".format(name)) from None
        return self._assigned[name]


def url(address, port):
    return "http://{0}:{1}".format(address, port)


def write_book(path, default_url, served):
    """Record the served ALBs, ``{name: {"url", "address", "dns_name"}}``, replacing the file in one step."""
    write_whole(path, json.dumps({"default": {"load_balancer": DEFAULT_LOAD_BALANCER, "url": default_url},
                                  "load_balancers": served}, indent=2, sort_keys=True))


def read_book(path=None):
    """The address book of the sandbox (default: the one of ``ECOECO_SANDBOX_HOME``)."""
    path = path or Paths().frontdoor_albs
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise SandboxError("{0} does not exist: the sandbox is not running, or its front door predates ALBs of their "
                           "own (restart it: sandbox/sandboxctl down && sandbox/sandboxctl up)".format(path)) from None


def alb_url(name, path=None, wait_seconds=0.0):
    """The front door URL of the ALB ``name``; waits up to ``wait_seconds`` for the front door to serve it (the
    load balancer controller creates an ALB a moment after its first Ingress, the front door sees it next)."""
    deadline = time.monotonic() + wait_seconds
    while True:
        served = read_book(path)["load_balancers"]
        if name in served:
            return served[name]["url"]
        if time.monotonic() >= deadline:
            raise SandboxError("the front door serves no ALB named {0} (it serves: {1})".format(
                name, ", ".join(sorted(served)) or "none"))
        time.sleep(0.2)
