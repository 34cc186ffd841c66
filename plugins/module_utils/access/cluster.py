# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two questions access_review asks the API server, over kubernetes.core's K8SClient: may I do this
(SelfSubjectAccessReview) and who am I (SelfSubjectReview). Both are answered and never stored, so they are sent
as they are in check mode too: the client's server-side dry run is not applied to them."""

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.api_reach import reaching_api
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import BlueGreenError

try:
    from kubernetes.dynamic.exceptions import DynamicApiError, ResourceNotFoundError
except ImportError:
    # AnsibleK8SModule reports the missing kubernetes library before any of this runs.
    pass

ACCESS_REVIEW = ("SelfSubjectAccessReview", "authorization.k8s.io/v1")
SELF_REVIEW = ("SelfSubjectReview", "authentication.k8s.io/v1")


class IdentityUnknown(BlueGreenError):
    """The API server would not say who the caller is (SelfSubjectReview not served or refused)."""


class AccessReviews:
    def __init__(self, client):
        self._client = client
        self._access = None

    def review(self, request):
        """``(allowed, reason)`` of the API server for a permissions.Request."""
        body = {"apiVersion": ACCESS_REVIEW[1], "kind": ACCESS_REVIEW[0], "spec": {"resourceAttributes": request.attributes()}}
        try:
            with reaching_api("asking the API whether the caller may {0}".format(request.text)):
                if self._access is None:
                    self._access = self._client.resource(*ACCESS_REVIEW)
                status = (self._access.create(body=body).to_dict() or {}).get("status") or {}
        except DynamicApiError as error:
            raise BlueGreenError("Could not ask whether the caller may {0} (SelfSubjectAccessReview): HTTP {1} {2}".format(
                request.text, error.status, error.reason), status=error.status) from error
        reason = status.get("reason") or status.get("evaluationError") or ""
        return status.get("allowed") is True and status.get("denied") is not True, reason

    def whoami(self):
        """``{"username", "groups"}`` of the caller, from a SelfSubjectReview; IdentityUnknown if the API will not say."""
        body = {"apiVersion": SELF_REVIEW[1], "kind": SELF_REVIEW[0]}
        try:
            with reaching_api("asking the API who the caller is"):
                answer = self._client.resource(*SELF_REVIEW).create(body=body).to_dict() or {}
        except ResourceNotFoundError as error:
            raise IdentityUnknown("SelfSubjectReview ({0}) is not served".format(SELF_REVIEW[1])) from error
        except DynamicApiError as error:
            raise IdentityUnknown("SelfSubjectReview refused: HTTP {0} {1}".format(error.status, error.reason)) from error
        user = (answer.get("status") or {}).get("userInfo") or {}
        if not user.get("username"):
            raise IdentityUnknown("SelfSubjectReview named no user")
        return {"username": user["username"], "groups": list(user.get("groups") or [])}
