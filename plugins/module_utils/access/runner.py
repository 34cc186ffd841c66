# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""access_review end to end: check the permissions, ask who the caller is, ask the API server about every
(verb, namespace), and refuse with one message naming every denied permission and the identity."""

import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.access.identity import describe, find_identity
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.access.permissions import parse_permissions
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import VerificationFailed
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.timing import elapsed_seconds

REVIEWS_AT_ONCE = 8


def run_access_review(reviews, params, kubeconfig=None, context=None):
    """The module's result; VerificationFailed (with the same result as details) when a permission is denied."""
    started = time.monotonic()
    requests = parse_permissions(params["permissions"])
    identity = find_identity(reviews, kubeconfig, context)
    answers, sent = _answers(reviews, requests, params.get("cluster_wide_first", True))
    checked = [dict(request.to_dict(), allowed=answers[request][0], via=answers[request][2], reason=answers[request][1]) for request in requests]
    result = {
        "changed": False,
        "identity": identity,
        "allowed": [entry["text"] for entry in checked if entry["allowed"]],
        "denied": [entry["text"] for entry in checked if not entry["allowed"]],
        "checks": checked,
        "reviews": sent,
        "duration": elapsed_seconds(started),
    }
    if result["denied"]:
        raise VerificationFailed(refusal(params.get("purpose"), checked, identity), **result)
    return result


def refusal(purpose, checked, identity):
    """One message: every denied permission, with what needs it, and who was asking."""
    denied = ["{0} ({1})".format(entry["text"], entry["why"]) if entry["why"] else entry["text"] for entry in checked if not entry["allowed"]]
    return ("{0}: access denied, refusing before any write: may not {1}. Runs as {2}. Checked with SelfSubjectAccessReview; "
            "nothing was changed. Grant these (playbooks/rbac_install.yml installs every permission the collection uses) "
            "or run as an identity that has them.").format(purpose or "access_review", "; may not ".join(denied), describe(identity))


def _answers(reviews, requests, cluster_wide_first):
    """``({request: (allowed, reason, via)}, reviews sent)``. A permission allowed in all namespaces is allowed in each
    one, so with cluster_wide_first a verb is asked once for all namespaces and per namespace only if that is denied."""
    answers = {}
    pending = list(requests)
    sent = 0
    if cluster_wide_first:
        wide = list(dict.fromkeys(request.everywhere() for request in requests))
        wide_answers = _ask(reviews, wide)
        sent += len(wide)
        for request in requests:
            allowed, reason = wide_answers[request.everywhere()]
            if allowed or request == request.everywhere():
                answers[request] = (allowed, reason, "everywhere")
        pending = [request for request in requests if request not in answers]
    asked = _ask(reviews, pending)
    sent += len(pending)
    for request in pending:
        allowed, reason = asked[request]
        answers[request] = (allowed, reason, "namespace" if request.namespace else "everywhere")
    return answers, sent


def _ask(reviews, requests):
    if not requests:
        return {}
    with ThreadPoolExecutor(max_workers=min(REVIEWS_AT_ONCE, len(requests))) as pool:
        return dict(zip(requests, pool.map(reviews.review, requests)))
