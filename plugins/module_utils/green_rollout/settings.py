# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The green rollout's options, checked before the first read: a bad one is refused naming it, and nothing is read or written."""

import re
from dataclasses import dataclass

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import InvalidInput

SOURCES = ("clone_blue", "manifests", "argocd")
TRACKING = ("remove", "rewrite")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


@dataclass(frozen=True)
class Settings:
    domains: tuple
    name_suffix: str
    source_namespace: str
    source: str
    labels: dict
    pod_annotations: dict
    ingress: bool
    parked_order: int
    tracking_annotation: str
    tracking: str
    timeout: float
    poll_interval: float
    target_health: bool
    load_balancer_name: str
    target_group_names: tuple
    consecutive: int
    definitions: tuple = ()

    @property
    def workloads(self):
        """(domain, object name) of every workload; the domain is also green's namespace."""
        return tuple((domain, domain + self.name_suffix) for domain in self.domains)

    @property
    def label_selector(self):
        return ",".join("{0}={1}".format(key, value) for key, value in self.labels.items())


def _check_domains(domains):
    if not domains or any(not isinstance(domain, str) or not _DNS_LABEL.match(domain) for domain in domains) \
            or len(set(domains)) != len(domains):
        raise InvalidInput("domains", "a non-empty list of distinct domains, each a DNS-1123 label (it is also the green namespace)", domains)


def _check_definitions(definitions):
    for index, body in enumerate(definitions):
        metadata = body.get("metadata") if isinstance(body, dict) else None
        if not isinstance(metadata, dict) or not all(isinstance(value, str) and value for value in (
                body.get("apiVersion"), body.get("kind"), metadata.get("name"), metadata.get("namespace"))):
            raise InvalidInput("definitions[{0}]".format(index), "a Kubernetes object with apiVersion, kind, metadata.name and "
                               "metadata.namespace", body)


def parse_settings(params):
    domains = tuple(params["domains"] or [])
    _check_domains(domains)
    invalid_names = [domain + params["name_suffix"] for domain in domains if not _DNS_LABEL.match(domain + params["name_suffix"])]
    if invalid_names:
        raise InvalidInput("name_suffix", "a suffix that keeps <domain><suffix> a DNS-1123 label", invalid_names)
    source_namespace = params["source_namespace"]
    if not _DNS_LABEL.match(source_namespace or "") or source_namespace in domains:
        raise InvalidInput("source_namespace", "the namespace blue runs in, distinct from every domain (green would overwrite blue)",
                           source_namespace)
    definitions = tuple(params["definitions"] or [])
    if params["source"] == "manifests" and not definitions:
        raise InvalidInput("definitions", "the green objects to apply (a non-empty list) with source=manifests")
    if params["source"] != "manifests" and definitions:
        raise InvalidInput("definitions", "nothing unless source=manifests (source {0} writes its own objects or none)".format(params["source"]))
    _check_definitions(definitions)
    if not params["labels"]:
        raise InvalidInput("labels", "a non-empty dict of labels that mark green, for example {version: green}", params["labels"])
    for option in ("timeout", "poll_interval"):
        if params[option] <= 0:
            raise InvalidInput(option, "a number of seconds greater than 0", params[option])
    if params["consecutive"] < 1:
        raise InvalidInput("consecutive", "a number of polls of at least 1", params["consecutive"])
    if params["target_health"] and not params["target_group_names"] and not params["load_balancer_name"]:
        raise InvalidInput("load_balancer_name", "the name of the ALB in front of green (or target_group_names, or target_health: false)")
    return Settings(
        domains=domains, name_suffix=params["name_suffix"], source_namespace=source_namespace, source=params["source"],
        labels={str(key): str(value) for key, value in params["labels"].items()},
        pod_annotations={str(key): str(value) for key, value in (params["pod_annotations"] or {}).items()},
        ingress=params["ingress"], parked_order=params["parked_order"], tracking_annotation=params["tracking_annotation"],
        tracking=params["tracking"], timeout=float(params["timeout"]), poll_interval=float(params["poll_interval"]),
        target_health=params["target_health"], load_balancer_name=params["load_balancer_name"] or "",
        target_group_names=tuple(params["target_group_names"] or []), consecutive=params["consecutive"], definitions=definitions)
