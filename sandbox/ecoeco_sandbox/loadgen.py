"""Bounded load generator for the sandbox front door: steady requests, each one recorded.

Sends ``count`` requests at ``rate`` per second (round-robin over ``paths``), never for longer than
``max_seconds``, to a loopback URL only. Every response is one record: when it was sent (seconds
since the start), status (0 when no HTTP answer came), latency, and which version, namespace and
pod answered. Output: JSON lines plus a summary.

    python -m ecoeco_sandbox.loadgen --url "$BLUEGREEN_FRONTDOOR_URL" --paths /api/v1/auth/x \\
        --count 600 --rate 50 --max-seconds 30 --out /tmp/load.jsonl
    python -m ecoeco_sandbox.loadgen --alb shop-alb --host-header shop.example --paths /api/v1/payments/x

``--alb NAME`` aims at that ALB's own address on the front door (``ecoeco_sandbox.frontdoor.alb_url``, read from the
sandbox of ``ECOECO_SANDBOX_HOME``); the Host header is the URL's unless ``--host-header`` names the client's domain.
"""

import argparse
import asyncio
import ipaddress
import json
import sys
import time
from urllib.parse import urlsplit

from ecoeco_sandbox.frontdoor.addresses import alb_url
from ecoeco_sandbox.http1 import read_headers_and_body

REQUEST_TIMEOUT = 5.0
MAX_IN_FLIGHT = 64


def loopback_target(url):
    """(host, port) of an http URL on a loopback address; ValueError for anything else."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError("only http:// URLs are supported: {0}".format(url))
    host = "127.0.0.1" if parts.hostname == "localhost" else parts.hostname
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError("traffic may only go to loopback, not {0}".format(parts.hostname))
    return host, parts.port or 80


async def one_request(host, port, path, host_header):
    """(status, body dict or None, endpoint header); status 0 when the request got no HTTP answer."""
    writer = None
    try:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write("GET {0} HTTP/1.1\r\nHost: {1}\r\nConnection: close\r\n\r\n".format(path, host_header).encode("latin-1"))
        await writer.drain()
        status_line = await reader.readline()
        headers, body = await read_headers_and_body(reader)
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            payload = None
        return int(status_line.split()[1]), payload if isinstance(payload, dict) else None, headers.get("x-frontdoor-endpoint")
    except (OSError, asyncio.IncompleteReadError, IndexError, ValueError):
        return 0, None, None
    finally:
        if writer is not None:
            writer.close()


async def generate(url, paths, count, rate, max_seconds, host_header=None, start=None, should_stop=None):
    """Send the requests; return the records in the order they were sent.

    ``start``: the ``time.monotonic()`` reading record times count from (default: now), so a caller
    can put its own events on the same time line; ``should_stop()``: checked before each send, to end early.
    """
    host, port = loopback_target(url)
    host_header = host_header or urlsplit(url).netloc
    records = [None] * count
    in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)
    start = time.monotonic() if start is None else start

    async def send(index):
        async with in_flight:
            path = paths[index % len(paths)]
            sent = time.monotonic()
            try:
                status, payload, endpoint = await asyncio.wait_for(one_request(host, port, path, host_header), REQUEST_TIMEOUT)
            except asyncio.TimeoutError:
                status, payload, endpoint = 0, None, None
            payload = payload or {}
            records[index] = {
                "t": round(sent - start, 4), "path": path, "status": status,
                "latency_ms": round((time.monotonic() - sent) * 1000.0, 2),
                "version": payload.get("version"), "namespace": payload.get("namespace"), "pod": payload.get("pod"),
                "endpoint": endpoint,
            }

    tasks = []
    began = time.monotonic()
    for index in range(min(count, int(rate * max_seconds + 1e-9) + 1)):
        await asyncio.sleep(max(0.0, began + index / rate - time.monotonic()))
        if should_stop is not None and should_stop():
            break
        tasks.append(asyncio.create_task(send(index)))
    await asyncio.gather(*tasks)
    return [record for record in records if record is not None]


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def summarize(records):
    """Counts by status and version, failures (anything but 2xx), latency percentiles in ms."""
    latencies = [record["latency_ms"] for record in records]
    by_status, by_version = {}, {}
    for record in records:
        by_status[str(record["status"])] = by_status.get(str(record["status"]), 0) + 1
        if 200 <= record["status"] < 300:
            by_version[str(record["version"])] = by_version.get(str(record["version"]), 0) + 1
    return {
        "requests": len(records),
        "failed": sum(1 for record in records if not 200 <= record["status"] < 300),
        "by_status": by_status,
        "by_version": by_version,
        "latency_ms": {"p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95),
                       "p99": percentile(latencies, 0.99), "max": max(latencies) if latencies else None},
        "duration_s": round(records[-1]["t"], 3) if records else 0.0,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(prog="loadgen", description="Bounded loopback load through the sandbox front door.")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="front door URL (loopback only)")
    target.add_argument("--alb", help="name of the ALB to aim at, on its own front door address")
    parser.add_argument("--host-header", help="Host header of every request (default: the URL's host and port)")
    parser.add_argument("--paths", default="/", help="comma-separated request paths, used in turn")
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second")
    parser.add_argument("--max-seconds", type=float, default=30.0)
    parser.add_argument("--out", help="JSON-lines file for the records (default: none)")
    args = parser.parse_args(argv)
    url = args.url or alb_url(args.alb, wait_seconds=10.0)
    records = asyncio.run(generate(url, [p for p in args.paths.split(",") if p], args.count, args.rate, args.max_seconds,
                                   host_header=args.host_header))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            out.writelines(json.dumps(record) + "\n" for record in records)
    json.dump(summarize(records), sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
