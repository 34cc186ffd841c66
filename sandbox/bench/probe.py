"""Ask the front door which version serves a path, until it is steady."""

import json
import time
import urllib.error
import urllib.request


def version_at(url):
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return json.loads(response.read()).get("version")
    except (urllib.error.URLError, ValueError, OSError):
        return None


def wait_until_serving(base_url, paths, version, steady=1.5, timeout=180):
    """Wait until every path answers from ``version`` for ``steady`` seconds in a row."""
    deadline = time.monotonic() + timeout
    since = None
    while time.monotonic() < deadline:
        if all(version_at(base_url + path) == version for path in paths):
            since = since or time.monotonic()
            if time.monotonic() - since >= steady:
                return
        else:
            since = None
        time.sleep(0.1)
    raise RuntimeError("the front door did not serve {0} on {1} within {2} s".format(version, ", ".join(paths), timeout))
