# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""http_check end to end: check every request, then send them all, a few at a time, in one module run."""

import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import InvalidInput
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.http.probe import probe
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.timing import elapsed_seconds

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def normalise(requests):
    """The requests with their defaults, or InvalidInput naming the first bad field; nothing is sent before."""
    if not requests:
        raise InvalidInput("requests", "a non-empty list of {url, method, status, body}")
    normalised = []
    for index, request in enumerate(requests):
        where = "requests[{0}]".format(index)
        if not isinstance(request, dict):
            raise InvalidInput(where, "a mapping with at least url", request)
        url = request.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise InvalidInput(where + ".url", "an http:// or https:// URL", url)
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
        normalised.append(dict(request, url=url, method=method, status=status))
    return normalised


def run_checks(params, opener=None, sleep=time.sleep):
    """The module's result: one response per request, in the order given, each carrying its request."""
    requests = normalise(params["requests"])
    for field in ("timeout", "delay"):
        if params[field] <= 0:
            raise InvalidInput(field, "a number of seconds above 0", params[field])
    if params["retries"] < 0:
        raise InvalidInput("retries", "0 or more", params["retries"])
    if params["concurrency"] < 1:
        raise InvalidInput("concurrency", "1 or more", params["concurrency"])
    options = dict(timeout=params["timeout"], retries=params["retries"], delay=params["delay"],
                   validate_certs=params["validate_certs"], sleep=sleep)
    if opener is not None:
        options["opener"] = opener
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=min(params["concurrency"], len(requests))) as pool:
        responses = list(pool.map(lambda request: dict(probe(request, **options), request=request), requests))
    matched = sum(1 for response in responses if response["matched"])
    return {
        "changed": False,
        "responses": responses,
        "matched": matched,
        "all_matched": matched == len(responses),
        "duration": elapsed_seconds(started),
    }
