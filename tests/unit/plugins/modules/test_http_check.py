"""http_check main() end to end against a real HTTP server on 127.0.0.1: answers, retries, no answer, bad input."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest.mock import patch

import pytest
from kubernetes.client import Configuration
from kubernetes.client.rest import ApiException

from module_runner import run_main

from ansible_collections.ecoeco.bluegreen.plugins.modules import http_check


class Handler(BaseHTTPRequestHandler):
    """/health answers healthy; /flaky answers 503 for its first two calls; /broken always 500; /echo the body."""

    calls = {}

    def _send(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        count = self.calls[self.path] = self.calls.get(self.path, 0) + 1
        if self.path == "/health":
            self._send(200, {"status": "healthy"})
        elif self.path == "/flaky":
            self._send(503 if count <= 2 else 200, {"call": count})
        else:
            self._send(500, {"error": "broken"})

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        self._send(201, {"got": json.loads(self.rfile.read(length)), "type": self.headers["Content-Type"]})

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Handler.calls = {}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:{0}".format(httpd.server_address[1])
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_module(args):
    return run_main(http_check.main, args)


def test_every_request_is_answered_in_the_order_given_with_its_labels(server):
    requests = [{"url": server + path, "domain": "d{0}".format(index)} for index, path in enumerate(["/health", "/broken"] * 6)]
    outcome, result = run_module({"requests": requests, "concurrency": 4})
    assert outcome == "exit"
    assert [response["status"] for response in result["responses"]] == [200, 500] * 6
    assert [response["request"]["domain"] for response in result["responses"]] == ["d{0}".format(i) for i in range(12)]
    assert result["responses"][0]["json"] == {"status": "healthy"}
    assert result["responses"][1]["matched"] is False and result["responses"][1]["expected_status"] == 200
    assert (result["matched"], result["all_matched"], result["changed"]) == (6, False, False)


def test_a_request_is_asked_again_until_it_answers_its_expected_status(server):
    outcome, result = run_module({"requests": [{"url": server + "/flaky"}], "retries": 3, "delay": 0.01})
    assert outcome == "exit"
    response = result["responses"][0]
    assert (response["status"], response["attempts"], response["json"]) == (200, 3, {"call": 3})
    assert result["all_matched"] is True


def test_retries_stop_when_they_run_out_and_the_last_answer_is_reported(server):
    outcome, result = run_module({"requests": [{"url": server + "/broken"}], "retries": 2, "delay": 0.01})
    assert outcome == "exit"
    assert (result["responses"][0]["status"], result["responses"][0]["attempts"]) == (500, 3)
    assert Handler.calls["/broken"] == 3


def test_an_expected_error_status_matches(server):
    outcome, result = run_module({"requests": [{"url": server + "/broken", "status": 500}], "retries": 2, "delay": 0.01})
    assert result["responses"][0]["matched"] is True
    assert Handler.calls["/broken"] == 1


def test_a_body_is_sent_as_json(server):
    outcome, result = run_module({"requests": [{"url": server + "/echo", "method": "post", "status": 201, "body": {"a": 1}}]})
    assert outcome == "exit"
    assert result["responses"][0]["json"] == {"got": {"a": 1}, "type": "application/json"}
    assert result["responses"][0]["method"] == "POST"


def test_nothing_answering_is_status_minus_one_with_why(closed_port):
    outcome, result = run_module({"requests": [{"url": "http://127.0.0.1:{0}/health".format(closed_port)}], "timeout": 1})
    assert outcome == "exit"
    response = result["responses"][0]
    assert response["status"] == -1 and response["matched"] is False
    assert "Connection refused" in response["msg"]


@pytest.mark.parametrize(
    "args, message",
    [
        ({"requests": []}, "requests: expected a non-empty list"),
        ({"requests": [{"method": "GET"}]}, "requests[0].url: expected an http:// or https:// URL"),
        ({"requests": [{"url": "ftp://x/"}]}, "requests[0].url: expected an http:// or https:// URL (or a pod and a path), got 'ftp://x/'"),
        ({"requests": [{"pod": {"namespace": "auth", "port": 8000}, "path": "/health"}]},
         "requests[0].pod: expected a mapping with namespace, name and port"),
        ({"requests": [{"pod": {"namespace": "auth", "name": "p", "port": "http"}, "path": "/"}]},
         "requests[0].pod.port: expected a port number (1-65535), got 'http'"),
        ({"requests": [{"pod": {"namespace": "auth", "name": "p", "port": 8000}, "path": "health"}]},
         "requests[0].path: expected a path starting with /, got 'health'"),
        ({"requests": [{"pod": {"namespace": "auth", "name": "p", "port": 8000}, "path": "/", "scheme": "ftp"}]},
         "requests[0].scheme: expected http or https, got 'ftp'"),
        ({"requests": [{"url": "http://x/", "method": "FETCH"}]}, "requests[0].method: expected one of GET, HEAD, POST"),
        ({"requests": [{"url": "http://x/"}, {"url": "http://x/", "status": "ok"}]}, "requests[1].status: expected an HTTP status code (100-599), got 'ok'"),
        ({"requests": [{"url": "http://x/", "status": 700}]}, "requests[0].status: expected an HTTP status code (100-599), got 700"),
        ({"requests": [{"url": "http://x/"}], "timeout": 0}, "timeout: expected a number of seconds above 0, got 0.0"),
        ({"requests": [{"url": "http://x/"}], "retries": -1}, "retries: expected 0 or more, got -1"),
        ({"requests": [{"url": "http://x/"}], "concurrency": 0}, "concurrency: expected 1 or more, got 0"),
    ],
)
def test_bad_input_names_the_field_and_sends_nothing(args, message):
    with patch("ansible_collections.ecoeco.bluegreen.plugins.module_utils.http.probe.open_url") as opener, \
            patch("ansible_collections.ecoeco.bluegreen.plugins.module_utils.http.tunnel.portforward") as forward:
        outcome, result = run_module(args)
    assert outcome == "fail"
    assert result["msg"].startswith(message)
    opener.assert_not_called()
    forward.assert_not_called()


class FakePortForward:
    """What kubernetes.stream.portforward returns, its tunnel being a plain connection to a port on 127.0.0.1 (the
    pod's port, here the test server's); ``refused`` pods get a closed tunnel and the kubelet's reason."""

    opened = []

    def __init__(self, api_method, name, namespace, ports, local_port, refused=()):
        self.name, self.local_port, self.refused = name, local_port, refused
        self.opened.append((namespace, name, ports))
        self.closed = False

    def socket(self, port):
        if self.name in self.refused:
            left, right = socket.socketpair()
            right.close()
            return left
        return socket.create_connection(("127.0.0.1", self.local_port))

    def error(self, port):
        return "dial tcp4 10.244.1.7:{0}: connect: connection refused".format(port) if self.name in self.refused else None

    def close(self):
        self.closed = True


@pytest.fixture
def port_forward(server):
    """Every port-forward reaches the test server; the module's API client is never made against a cluster."""
    FakePortForward.opened = []
    server_port = int(server.rsplit(":", 1)[1])
    with patch("ansible_collections.ecoeco.bluegreen.plugins.module_utils.http.tunnel.portforward",
               side_effect=lambda *a, **kw: FakePortForward(*a, local_port=server_port, refused=("broken-pod",), **kw)), \
            patch.object(http_check, "get_api_client") as client:
        client.return_value.configuration = Configuration()
        yield client


def test_a_pod_is_reached_through_its_port_forward(port_forward):
    pod = {"namespace": "auth", "name": "auth-api-1", "port": 8000}
    outcome, result = run_module({"kubeconfig": "/nowhere", "validate_target_certs": False,
                                  "requests": [{"pod": pod, "path": "/health", "domain": "auth"},
                                               {"pod": pod, "path": "/echo", "method": "POST", "status": 201, "body": {"a": 1}}]})
    assert outcome == "exit"
    first, second = result["responses"]
    assert (first["status"], first["json"], first["url"]) == (200, {"status": "healthy"}, "pod://auth/auth-api-1:8000/health")
    assert second["json"] == {"got": {"a": 1}, "type": "application/json"}
    assert FakePortForward.opened == [("auth", "auth-api-1", "8000")] * 2
    # The API client is made from the module's connection options.
    assert port_forward.call_args.args[0].params["kubeconfig"] == "/nowhere"


def test_a_pod_that_does_not_listen_is_no_answer_with_the_kubelets_reason(port_forward):
    outcome, result = run_module({"requests": [{"pod": {"namespace": "auth", "name": "broken-pod", "port": 8000}, "path": "/health"}],
                                  "retries": 1, "delay": 0.01})
    assert outcome == "exit"
    response = result["responses"][0]
    assert (response["status"], response["attempts"]) == (-1, 2)
    assert "port-forward: dial tcp4 10.244.1.7:8000: connect: connection refused" in response["msg"]


def refused_upgrade(*_args, **_kwargs):
    """What kubernetes.stream.portforward raises when the API server refuses the websocket upgrade: an AttributeError
    from decoding the absent body of the ApiException it was raising."""
    status = {"kind": "Status", "message": 'pods "auth-api-1" is forbidden: cannot get resource "pods/portforward"'}
    try:
        raise ApiException(status=0, reason="Handshake status 403 Forbidden -+-+- {'audit-id': 'x'} -+-+- " + json.dumps(status))
    except ApiException as error:
        error.body.decode("utf-8")


def test_a_refused_port_forward_is_no_answer_with_the_api_servers_reason():
    with patch("ansible_collections.ecoeco.bluegreen.plugins.module_utils.http.tunnel.portforward", side_effect=refused_upgrade), \
            patch.object(http_check, "get_api_client") as client:
        client.return_value.configuration = Configuration()
        outcome, result = run_module({"requests": [{"pod": {"namespace": "auth", "name": "auth-api-1", "port": 8000}, "path": "/health"}]})
    assert outcome == "exit"
    assert result["responses"][0]["msg"] == ('ConnectionError: the API server refused the port-forward: '
                                             'pods "auth-api-1" is forbidden: cannot get resource "pods/portforward"')


def test_url_requests_need_no_cluster(server):
    with patch.object(http_check, "get_api_client") as client:
        outcome, result = run_module({"requests": [{"url": server + "/health"}]})
    assert outcome == "exit" and result["all_matched"]
    client.assert_not_called()
