# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The smoke test's judgement: one verdict per answered request and per service that could not be reached."""

import json

SHOWN = 200  # characters of an answer quoted in a problem


def _quote(content):
    return content if len(content) <= SHOWN else content[:SHOWN] + "..."


def contains(body, expected):
    """Whether ``body`` holds every key of ``expected`` with its value (mappings compared key by key, recursively)."""
    if not isinstance(body, dict):
        return False
    for key, value in expected.items():
        if key not in body:
            return False
        if isinstance(value, dict) and isinstance(body[key], dict):
            if not contains(body[key], value):
                return False
        elif body[key] != value:
            return False
    return True


def _problem(request, response):
    status = response.get("status", -1)
    if status != request["status"]:
        if status <= 0:
            return "no answer: " + response.get("msg", "")
        return "got {0} (expected {1}): {2}".format(status, request["status"], _quote(response.get("content", "")))
    if request.get("json_contains") and not contains(response.get("json"), request["json_contains"]):
        return "answer lacks {0}: {1}".format(json.dumps(request["json_contains"]), _quote(response.get("content", "")))
    return ""


def verdicts(responses, unreachable):
    """Each {domain, endpoint, method, path, status, passed, problem}: the unreachable services first, then the answers."""
    results = [{"domain": miss["domain"], "endpoint": miss["endpoint"], "method": "-", "path": "-", "status": None,
                "passed": False, "problem": miss["problem"]} for miss in unreachable]
    for response in responses:
        request = response["request"]
        problem = _problem(request, response)
        results.append({"domain": request["domain"], "endpoint": request["endpoint"], "method": request["method"],
                        "path": request["path"], "status": response.get("status", -1), "passed": not problem, "problem": problem})
    return results
