# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One HTTP request, asked again until it answers the expected status or its attempts run out.

A sender carries one attempt: ``send_to_url`` from this host, or a pod's port-forward (tunnel.py). It returns
(status, content) for any answer and raises when nothing answered.
"""

import json
import time

from urllib.error import HTTPError
from ansible.module_utils.urls import open_url

# Enough of an answer to say what went wrong; a smoke-test path that returns megabytes is not read whole.
CONTENT_LIMIT = 4096


def read_content(response):
    """The start of an answer's body as text: enough to judge it and to say what went wrong."""
    return response.read(CONTENT_LIMIT + 1).decode("utf-8", errors="replace")


def _answer(response):
    return response.getcode(), read_content(response)


def send_to_url(request, data, headers, timeout, validate_certs):
    try:
        with open_url(request["url"], data=data, method=request["method"], headers=headers, timeout=timeout,
                      validate_certs=validate_certs, follow_redirects="safe") as response:
            return _answer(response)
    except HTTPError as e:
        return _answer(e)


def _call(request, timeout, validate_certs, send):
    """(status, content, problem): status -1 and the problem when nothing answered."""
    body = request.get("body")
    data = None if body is None else json.dumps(body).encode("utf-8")
    headers = {"Content-Type": "application/json"} if data is not None else {}
    try:
        status, content = send(request, data, headers, timeout, validate_certs)
    except Exception as e:  # connection refused, timeout, TLS, a closed tunnel: the answer is "no answer", with why
        return -1, "", "{0}: {1}".format(type(e).__name__, e)
    return status, content, ""


def probe(request, timeout, retries, delay, validate_certs=True, send=send_to_url, sleep=time.sleep):
    """The response to ``request`` ({url, method, status, body}) as the module returns it."""
    started = time.monotonic()
    for attempt in range(1, retries + 2):
        status, content, problem = _call(request, timeout, validate_certs, send)
        if status == request["status"] or attempt == retries + 1:
            break
        sleep(delay)
    response = {
        "url": request["url"], "method": request["method"], "expected_status": request["status"],
        "status": status, "matched": status == request["status"], "attempts": attempt,
        "content": content[:CONTENT_LIMIT], "msg": problem, "elapsed": round(time.monotonic() - started, 3),
    }
    try:
        response["json"] = json.loads(content)
    except ValueError:
        pass
    return response
