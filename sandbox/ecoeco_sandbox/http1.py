"""The one piece of HTTP/1.1 the sandbox's servers and clients share: the header block and a Content-Length body.

The stand-in apps, the front door and the load generator speak just enough HTTP/1.1 over asyncio streams to stay
dependency-free; every message they exchange carries Content-Length.
"""


async def read_headers_and_body(reader):
    """(headers with lower-case names, body bytes) of the message whose start line was just read."""
    headers = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _sep, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length") or 0))
    return headers, body
