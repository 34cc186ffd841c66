"""One loopback listener per ALB, kept in step with the ALBs moto holds, and the address book that says where.

EcoEco's ``ecoeco-alb`` is also served where the front door always was (127.0.0.1:<port>, ``BLUEGREEN_FRONTDOOR_URL``),
even before it exists (its requests then get the default action's 404, as before).
"""

import asyncio
import functools
import logging

from ecoeco_sandbox.frontdoor.addresses import DEFAULT_LOAD_BALANCER, AddressBook, url, write_book

LOG = logging.getLogger("ecoeco_sandbox.frontdoor.listeners")
FOLLOW_INTERVAL = 0.2


class AlbListeners:
    """``serve(stop)`` listens for ``door`` on the default address and on each ALB's address of ``book``."""

    def __init__(self, door, view, default_host, port, book_path, book=None):
        self._door = door
        self._view = view
        self._default_url = url(default_host, port)
        self._default_host = default_host
        self._port = port
        self._book_path = book_path
        self._book = book or AddressBook()
        self._servers = {}  # ALB name -> asyncio server on its address
        self._unbindable = set()
        self._written = None

    async def serve(self, stop):
        default = await self._listen(DEFAULT_LOAD_BALANCER, self._default_host)
        LOG.info("front door listening on %s (%s)", self._default_url, DEFAULT_LOAD_BALANCER)
        try:
            while not stop.is_set():
                await self.follow()
                await asyncio.sleep(FOLLOW_INTERVAL)
        finally:
            for server in [default, *self._servers.values()]:
                server.close()
            self._book_path.unlink(missing_ok=True)

    async def follow(self):
        """Listen on the address of every new ALB, stop listening for deleted ones, and rewrite the book on a change."""
        balancers = dict(self._view.load_balancers())
        for name in set(self._servers) - set(balancers):
            self._servers.pop(name).close()
            LOG.info("ALB %s is gone: no longer served", name)
        for name in sorted(set(balancers) - set(self._servers)):
            address = self._book.address_of(name)
            try:
                self._servers[name] = await self._listen(name, address)
            except OSError as error:
                if name not in self._unbindable:
                    LOG.warning("cannot serve ALB %s on %s:%d: %s", name, address, self._port, error)
                    self._unbindable.add(name)
                continue
            self._unbindable.discard(name)
            LOG.info("ALB %s (%s) served on %s", name, balancers[name], url(address, self._port))
        served = {name: {"url": url(self._book.address_of(name), self._port), "address": self._book.address_of(name),
                         "dns_name": balancers[name]} for name in self._servers}
        if served != self._written:
            write_book(self._book_path, self._default_url, served)
            self._written = served

    async def _listen(self, load_balancer_name, host):
        return await asyncio.start_server(functools.partial(self._door.serve_client, load_balancer_name),
                                          host=host, port=self._port, reuse_address=True)
