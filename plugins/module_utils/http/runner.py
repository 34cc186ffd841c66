# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""http_check end to end: check every request, then send them all, a few at a time, in one module run."""

import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import InvalidInput
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.http.probe import probe, send_to_url
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.timing import elapsed_seconds

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _target(request, where):
    """The request's ``url``, or for a request through a pod's port-forward its ``pod`` and ``path`` checked and a
    ``pod://namespace/name:port/path`` label as its url."""
    if "pod" not in request:
        url = request.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise InvalidInput(where + ".url", "an http:// or https:// URL (or a pod and a path)", url)
        return {"url": url}
    pod = request["pod"]
    if not isinstance(pod, dict) or not all(isinstance(pod.get(key), str) and pod[key] for key in ("namespace", "name")):
        raise InvalidInput(where + ".pod", "a mapping with namespace, name and port", pod)
    if isinstance(pod.get("port"), bool) or not isinstance(pod.get("port"), int) or not 0 < pod["port"] < 65536:
        raise InvalidInput(where + ".pod.port", "a port number (1-65535)", pod.get("port"))
    path = request.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        raise InvalidInput(where + ".path", "a path starting with /", path)
    scheme = request.get("scheme", "http")
    if scheme not in ("http", "https"):
        raise InvalidInput(where + ".scheme", "http or https", scheme)
    return {"url": "pod://{0}/{1}:{2}{3}".format(pod["namespace"], pod["name"], pod["port"], path), "scheme": scheme}


def normalise(requests):
    """The requests with their defaults, or InvalidInput naming the first bad field; nothing is sent before."""
    if not requests:
        raise InvalidInput("requests", "a non-empty list of {url, method, status, body} or {pod, path, ...}")
    normalised = []
    for index, request in enumerate(requests):
        where = "requests[{0}]".format(index)
        if not isinstance(request, dict):
            raise InvalidInput(where, "a mapping with url, or pod and path", request)
        target = _target(request, where)
        method = str(request.get("method", "GET")).upper()
        if method not in METHODS:
            raise InvalidInput(where + ".method", "one of " + ", ".join(METHODS), request.get("method"))
        status = request.get("status", 200)
        try:
            status = int(status)
        except (TypeError, ValueError):
            status = 0
        if not 100 <= status <= 599:
            raise InvalidInput(where + ".status", "an HTTP status code (100-599)", request.get("status"))
        normalised.append(dict(request, method=method, status=status, **target))
    return normalised


def run_checks(params, port_forward=None, sleep=time.sleep):
    """The module's result: one response per request, in the order given, each carrying its request.

    ``port_forward`` makes the sender of the requests that name a pod (tunnel.py); it is called once the input is
    known good, and only when a request names a pod, as it connects to the Kubernetes API."""
    requests = normalise(params["requests"])
    for field in ("timeout", "delay"):
        if params[field] <= 0:
            raise InvalidInput(field, "a number of seconds above 0", params[field])
    if params["retries"] < 0:
        raise InvalidInput("retries", "0 or more", params["retries"])
    if params["concurrency"] < 1:
        raise InvalidInput("concurrency", "1 or more", params["concurrency"])
    options = dict(timeout=params["timeout"], retries=params["retries"], delay=params["delay"],
                   validate_certs=params["validate_target_certs"], sleep=sleep)
    pod_sender = port_forward() if any("pod" in request for request in requests) else None
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=min(params["concurrency"], len(requests))) as pool:
        responses = list(pool.map(
            lambda request: dict(probe(request, send=pod_sender if "pod" in request else send_to_url, **options), request=request),
            requests))
    matched = sum(1 for response in responses if response["matched"])
    return {
        "changed": False,
        "responses": responses,
        "matched": matched,
        "all_matched": matched == len(responses),
        "duration": elapsed_seconds(started),
    }
