"""The load generator: loopback only, bounded, every response recorded with its version."""

import asyncio
import json

import pytest

from ecoeco_sandbox.loadgen import generate, loopback_target, main, summarize


@pytest.mark.parametrize("url", ["http://10.0.0.1:80/", "https://127.0.0.1/", "http://192.168.1.1/"])
def test_refuses_anything_but_plain_http_to_loopback(url):
    with pytest.raises(ValueError):
        loopback_target(url)


def test_accepts_loopback():
    assert loopback_target("http://localhost:38080") == ("127.0.0.1", 38080)


def test_records_every_response_and_stops_at_the_count():
    answers = iter([b'{"version": "blue"}', b'{"version": "green"}'] * 10)

    async def app(reader, writer):
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        body = next(answers)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()

    async def scenario():
        server = await asyncio.start_server(app, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            ok = await generate("http://127.0.0.1:{0}".format(port), ["/a"], count=6, rate=200.0, max_seconds=5.0)
        refused = await generate("http://127.0.0.1:{0}".format(port), ["/a"], count=2, rate=200.0, max_seconds=5.0)
        return ok, refused

    ok, refused = asyncio.run(scenario())
    summary = summarize(ok + refused)
    assert summary["requests"] == 8
    assert summary["by_version"] == {"blue": 3, "green": 3}
    assert summary["failed"] == 2
    assert summary["by_status"] == {"200": 6, "0": 2}


def test_duration_bound_wins_over_the_count():
    async def scenario():
        server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
        async with server:
            return await generate("http://127.0.0.1:{0}".format(server.sockets[0].getsockname()[1]), ["/"], count=1000, rate=10.0, max_seconds=0.3)

    assert len(asyncio.run(scenario())) == 4  # sent at 0, 0.1, 0.2, 0.3 s


def test_aims_at_a_named_alb_with_the_clients_host_header(tmp_path, monkeypatch, capsys):
    seen_hosts = []

    async def app(reader, writer):
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"host:"):
                seen_hosts.append(line.split(b":", 1)[1].strip().decode())
        writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 19\r\n\r\n{"version": "blue"}')
        await writer.drain()
        writer.close()

    async def scenario():
        server = await asyncio.start_server(app, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        (tmp_path / "frontdoor-albs.json").write_text(json.dumps(
            {"default": {}, "load_balancers": {"shop-alb": {"url": "http://127.0.0.1:{0}".format(port)}}}))
        monkeypatch.setenv("ECOECO_SANDBOX_HOME", str(tmp_path))
        async with server:
            return await asyncio.get_running_loop().run_in_executor(None, main, [
                "--alb", "shop-alb", "--host-header", "shop.example", "--paths", "/x", "--count", "3", "--rate", "100"])

    assert asyncio.run(scenario()) == 0
    assert json.loads(capsys.readouterr().out)["by_version"] == {"blue": 3}
    assert seen_hosts == ["shop.example"] * 3
