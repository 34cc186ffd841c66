# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""access_review's input: permissions checked and expanded into one request per (verb, namespace), and the words
a request is named by in every message ("delete namespaces in namespace api")."""

import re
from dataclasses import dataclass, field

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import InvalidInput

KEYS = ("group", "resource", "verbs", "namespace", "namespaces", "name", "why")
# A plural lowercase resource, optionally with its subresource (pods/portforward).
RESOURCE_PATTERN = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(/[a-z0-9]([-a-z0-9]*[a-z0-9])?)?$")
# Namespaces come from the phase's inputs: one that is not a valid name is for the phase's own input check to refuse,
# naming the user's variable. The review only asks the API server, which answers for any word.
NAMESPACE_PATTERN = re.compile(r"^\S+$")
VERB_PATTERN = re.compile(r"^([a-z]+|\*)$")
GROUP_PATTERN = re.compile(r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$")


@dataclass(frozen=True)
class Request:
    """One SelfSubjectAccessReview: may the caller <verb> <resource> in <namespace>?"""

    verb: str
    group: str
    resource: str
    subresource: str = ""
    namespace: str = ""
    name: str = ""
    why: str = field(default="", compare=False)

    @property
    def resource_text(self):
        """``resource[/subresource][.group]``, as kubectl auth can-i spells it."""
        text = self.resource + ("/" + self.subresource if self.subresource else "")
        return text + ("." + self.group if self.group else "")

    @property
    def where(self):
        """An empty namespace is every namespace, and the cluster itself for a resource without namespace (as the
        preflight has always said: "create namespaces in all namespaces")."""
        return "in namespace {0}".format(self.namespace) if self.namespace else "in all namespaces"

    @property
    def text(self):
        subject = " {0}".format(self.name) if self.name else ""
        return "{0} {1}{2} {3}".format(self.verb, self.resource_text, subject, self.where)

    def everywhere(self):
        """The same question for every namespace: allowed there means allowed in each one."""
        return Request(self.verb, self.group, self.resource, self.subresource, "", "", self.why)

    def attributes(self):
        attributes = {"verb": self.verb, "group": self.group, "resource": self.resource}
        for key in ("subresource", "namespace", "name"):
            if getattr(self, key):
                attributes[key] = getattr(self, key)
        return attributes

    def to_dict(self):
        return {"verb": self.verb, "group": self.group, "resource": self.resource, "subresource": self.subresource,
                "namespace": self.namespace, "name": self.name, "why": self.why, "text": self.text}


def parse_permissions(permissions):
    """Every request of ``permissions`` (the module's list), in order and without repeats; InvalidInput names the
    first field that is wrong and what it expected."""
    if not isinstance(permissions, list) or not permissions:
        raise InvalidInput("permissions", "a non-empty list of {resource, verbs, group, namespace(s)}", permissions)
    requests = []
    for index, permission in enumerate(permissions):
        for request in _expand("permissions[{0}]".format(index), permission):
            if request not in requests:
                requests.append(request)
    return requests


def _expand(at, permission):
    if not isinstance(permission, dict):
        raise InvalidInput(at, "a mapping with resource, verbs and optionally group, namespace or namespaces, name, why", permission)
    given = {key: value for key, value in permission.items() if value is not None}
    unknown = sorted(set(given) - set(KEYS))
    if unknown:
        raise InvalidInput("{0}.{1}".format(at, unknown[0]), "one of the keys " + ", ".join(KEYS))
    resource, subresource = _resource(at, given.get("resource"))
    group = _text(at + ".group", given.get("group", ""), GROUP_PATTERN, "an API group such as apps or networking.k8s.io ('' is the core group)")
    verbs = _verbs(at + ".verbs", given.get("verbs"))
    namespaces = _namespaces(at, given)
    name = _text(at + ".name", given.get("name", ""), re.compile(r"^[^/]*$"), "the name of one object (no '/')")
    why = given.get("why", "")
    if not isinstance(why, str):
        raise InvalidInput(at + ".why", "a short text saying what needs the permission", why)
    return [Request(verb, group, resource, subresource, namespace, name, why) for verb in verbs for namespace in namespaces]


def _resource(at, value):
    if value is None or value == "":
        raise InvalidInput(at + ".resource", "the plural lowercase resource, for example deployments or pods/portforward")
    if not isinstance(value, str) or not RESOURCE_PATTERN.match(value):
        raise InvalidInput(at + ".resource", "the plural lowercase resource, for example deployments or pods/portforward (not the kind)", value)
    resource, _sep, subresource = value.partition("/")
    return resource, subresource


def _text(at, value, pattern, expected):
    if not isinstance(value, str) or not pattern.match(value):
        raise InvalidInput(at, expected, value)
    return value


def _verbs(at, value):
    if value is None:
        raise InvalidInput(at, "a non-empty list of verbs, for example [get, list]")
    if not isinstance(value, list) or not value:
        raise InvalidInput(at, "a non-empty list of verbs, for example [get, list]", value)
    for verb in value:
        _text(at, verb, VERB_PATTERN, "a non-empty list of lowercase verbs, for example [get, list]")
    return list(dict.fromkeys(value))


def _namespaces(at, given):
    if "namespace" in given and "namespaces" in given:
        raise InvalidInput(at, "namespace or namespaces, not both")
    if "namespaces" in given:
        value = given["namespaces"]
        if not isinstance(value, list) or not value:
            raise InvalidInput(at + ".namespaces", "a non-empty list of namespace names (omit it for all namespaces)", value)
        for namespace in value:
            _text(at + ".namespaces", namespace, NAMESPACE_PATTERN, "a list of namespace names (words without spaces)")
        return list(dict.fromkeys(value))
    namespace = given.get("namespace", "")
    if namespace != "":
        _text(at + ".namespace", namespace, NAMESPACE_PATTERN, "a namespace name (a word without spaces; '' or omitted means all namespaces)")
    return [namespace]
