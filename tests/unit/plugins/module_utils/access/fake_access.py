"""An API server that answers SelfSubjectAccessReviews from a set of grants and SelfSubjectReviews with a user,
behind the part of kubernetes.core's K8SClient that access_review uses (resource(kind, version).create(body=...))."""

import json
import threading

from kubernetes.client.rest import ApiException
from kubernetes.dynamic.exceptions import ForbiddenError, NotFoundError, ResourceNotFoundError

USER = {"username": "system:serviceaccount:ecoeco-bluegreen:ecoeco-bluegreen",
        "groups": ["system:serviceaccounts", "system:serviceaccounts:ecoeco-bluegreen", "system:authenticated"]}


def api_error(error_class, status, reason):
    exception = ApiException(status=status, reason=reason)
    exception.body = json.dumps({"kind": "Status", "message": reason})
    exception.headers = {"Content-Type": "application/json"}
    return error_class(exception)


class Answer:
    def __init__(self, data):
        self._data = data

    def to_dict(self):
        return self._data


class FakeApi:
    """``grants``: (verb, group, resource[/subresource], namespace) tuples; namespace "*" grants every namespace
    (a ClusterRole), a name grants that namespace only (a Role)."""

    def __init__(self, grants=(), user=None, self_review="served"):
        self.grants = set(grants)
        self.user = user or USER
        self.self_review = self_review
        self.asked = []
        self._lock = threading.Lock()

    def resource(self, kind, api_version):
        if kind == "SelfSubjectReview" and self.self_review == "not served":
            raise ResourceNotFoundError("No matches found for {'api_version': 'authentication.k8s.io/v1', 'kind': 'SelfSubjectReview'}")
        return _Resource(self, kind)

    def allows(self, attributes):
        resource = attributes["resource"] + ("/" + attributes["subresource"] if attributes.get("subresource") else "")
        namespace = attributes.get("namespace", "")
        key = (attributes["verb"], attributes["group"], resource)
        return key + ("*",) in self.grants or (bool(namespace) and key + (namespace,) in self.grants)


class _Resource:
    def __init__(self, api, kind):
        self.api = api
        self.kind = kind

    def create(self, body=None):
        if self.kind == "SelfSubjectReview":
            if self.api.self_review == "forbidden":
                raise api_error(ForbiddenError, 403, "Forbidden")
            if self.api.self_review == "missing":
                raise api_error(NotFoundError, 404, "Not Found")
            return Answer({"kind": "SelfSubjectReview", "status": {"userInfo": dict(self.api.user)}})
        attributes = body["spec"]["resourceAttributes"]
        with self.api._lock:  # pylint: disable=protected-access
            self.api.asked.append(attributes)
        allowed = self.api.allows(attributes)
        status = {"allowed": allowed}
        if allowed:
            status["reason"] = 'RBAC: allowed by ClusterRoleBinding "ecoeco-bluegreen"'
        return Answer({"kind": "SelfSubjectAccessReview", "status": status})
