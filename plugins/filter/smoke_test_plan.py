# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: smoke_test_plan
author: EcoEco backend team (@ecoeco)
version_added: 0.3.0
short_description: "What a smoke test sends: every service's endpoints by mode, and one request per endpoint and check"
description:
  - "O(mode=url): one endpoint per domain, its base URL from O(base_urls)."
  - "O(mode=endpoints): every Ready endpoint address of the Service's EndpointSlices, rewritten by O(endpoint_rewrite)
    to where this host reaches it."
  - "O(mode=port_forward): every Ready pod behind those endpoints, reached through the API server's port-forward (the
    requests name a C(pod) for M(ecoeco.bluegreen.http_check)); an endpoint that is not a pod is unreachable."
  - A service without a Ready endpoint (with port O(port_name), when given) is unreachable, with why.
  - Then one request per endpoint and check; a check without C(domain) applies to every domain.
options:
  _input:
    description: The EndpointSlices, as C(kubernetes.core.k8s_info) returns them (C(resources)); empty in V(url) mode.
    type: list
    elements: dict
    required: true
  services:
    description: The services, each C([domain, namespace, Service name]).
    type: list
    elements: list
    required: true
  checks:
    description: The checks, each C({path, status, json_contains, method, body, domain}) with defaults 200, {}, GET.
    type: list
    elements: dict
    required: true
  mode:
    description: How the services are reached.
    type: str
    choices: [url, endpoints, port_forward]
    required: true
  base_urls:
    description: With O(mode=url), the base URL of every domain.
    type: dict
    default: {}
  port_name:
    description: The name of the endpoint port to call; empty means the first port.
    type: str
    default: ""
  endpoint_rewrite:
    description: With O(mode=endpoints), C({pattern, replacement}) applied to each address (a regex replacement).
    type: dict
    default: {}
  scheme:
    description: Scheme of the endpoint and port-forward requests.
    type: str
    default: http
  read_error:
    description: Why the EndpointSlices could not be read, if they could not; given as the reason of every miss.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: List the requests of the smoke test
  ansible.builtin.set_fact:
    plan: >-
      {{ slices.resources | ecoeco.bluegreen.smoke_test_plan(services=[['auth', 'auth', 'auth-api']],
           checks=[{'path': '/health', 'json_contains': {'status': 'healthy'}}], mode='port_forward') }}
    # plan.requests[0] == {'domain': 'auth', 'endpoint': 'pod auth-api-7d9f-x2x4q:8000 (port-forward)',
    #   'pod': {'namespace': 'auth', 'name': 'auth-api-7d9f-x2x4q', 'port': 8000}, 'path': '/health', ...}
"""

RETURN = r"""
_value:
  description: How each service is reached and what is sent.
  type: dict
  contains:
    endpoints:
      description: Each C({domain, endpoint}) with C(base_url) or C(pod).
      type: list
    unreachable:
      description: Each C({domain, endpoint, problem}) for a service or endpoint that cannot be called.
      type: list
    requests:
      description: The M(ecoeco.bluegreen.http_check) requests, each with C(domain), C(endpoint), C(path) and C(json_contains).
      type: list
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.smoke_test.plan import endpoints_of, requests_for

MODES = ("url", "endpoints", "port_forward")


def smoke_test_plan(slices, services, checks, mode, base_urls=None, port_name="", endpoint_rewrite=None, scheme="http", read_error=""):
    if mode not in MODES:
        raise AnsibleFilterError("smoke_test_plan: mode must be one of {0}, got {1!r}".format(", ".join(MODES), mode))
    if not isinstance(slices, list) or not isinstance(services, list) or not isinstance(checks, list):
        raise AnsibleFilterError("smoke_test_plan: expected a list of EndpointSlices, a list of services and a list of checks")
    settings = {"mode": mode, "base_urls": base_urls or {}, "port_name": port_name or "", "endpoint_rewrite": endpoint_rewrite or {},
                "scheme": scheme}
    reach = endpoints_of(services, settings, slices, read_error or "")
    return dict(reach, requests=requests_for(reach["endpoints"], checks, scheme))


class FilterModule:
    def filters(self):
        return {"smoke_test_plan": smoke_test_plan}
