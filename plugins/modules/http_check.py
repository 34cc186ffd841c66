#!/usr/bin/python
# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: http_check
version_added: 0.3.0
short_description: Send many read-only HTTP checks in one call, a few at a time, each asked again until it answers
description:
  - Sends every request in O(requests) from the host the task runs on, O(concurrency) at a time, and returns one
    response per request in the order given. A request that does not answer its expected status is asked again,
    up to O(retries) more times, O(delay) seconds apart.
  - The module never fails because of an answer. It reports each status (V(-1) when nothing answered, with why in
    C(msg)) and the caller judges them. It fails only on bad input, naming the field, before anything is sent.
  - Every wait is bounded; one request takes at most (O(retries) + 1) x (O(timeout) + O(delay)) seconds.
  - This is what a loop of M(ansible.builtin.uri) does, in one module run instead of one per request; the smoke
    test of a migration calls every endpoint of every domain, and a run per request was most of its time.
  - Meant for checks that are safe to repeat (C(GET) of a health path, say), as it runs in check mode too.
  - The Kubernetes connection options are only used by requests that name a C(pod).
requirements:
  - kubernetes (python library), for requests through a pod's port-forward
author:
  - EcoEco backend team (@ecoeco)
options:
  requests:
    description:
      - The requests. Each is a mapping with C(url) (required, V(http://) or V(https://)), C(method) (default V(GET)),
        C(status) (the expected status, default V(200)) and C(body) (sent as JSON).
      - Or, to reach one pod through the Kubernetes API server's port-forward (C(pods/portforward), the path of
        C(kubectl port-forward), without a local port), C(pod) (C({namespace, name, port})) and C(path) instead of
        C(url), and C(scheme) (V(http), the default, or V(https)). Needs C(create) on C(pods/portforward) and the
        connection options below.
      - Any other keys (a domain, an endpoint name) are kept and returned with the response as C(request).
    type: list
    elements: dict
    required: true
  timeout:
    description: Seconds one attempt may take.
    type: float
    default: 5
  retries:
    description: How many more times a request that did not answer its expected status is sent.
    type: int
    default: 0
  delay:
    description: Seconds between two attempts of one request.
    type: float
    default: 1
  concurrency:
    description: How many requests are in flight at once.
    type: int
    default: 8
  validate_target_certs:
    description:
      - Whether the HTTPS certificates of the requests' targets are verified.
      - O(validate_certs) is about the Kubernetes API server's certificate, as in every Kubernetes module of the
        collection's C(kubernetes) action group.
    type: bool
    default: true
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: The requests are sent in check mode too; only use requests that change nothing.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
"""

EXAMPLES = r"""
- name: Call the health path of every endpoint
  ecoeco.bluegreen.http_check:
    requests:
      - url: http://10.244.1.7:8000/health
        domain: auth
      - url: http://10.244.2.9:8000/health
        domain: auth
    retries: 3
    delay: 1
  register: health

- name: Call the health path of a pod through the API server's port-forward, as kubectl port-forward would
  ecoeco.bluegreen.http_check:
    kubeconfig: ~/.kube/config
    requests:
      - pod: {namespace: auth, name: auth-api-7d9f8b6c5d-x2x4q, port: 8000}
        path: /health
        domain: auth
  register: health

- name: Fail naming every endpoint that did not answer 200
  ansible.builtin.assert:
    that: health.all_matched
    fail_msg: "{{ health.responses | rejectattr('matched') | map(attribute='url') | join(', ') }}"
"""

RETURN = r"""
responses:
  description:
    - One per request, in the order given. C(status) is V(-1) when nothing answered (C(msg) says why); C(json) is the
      parsed answer when it is JSON; C(content) is at most the first 4096 characters.
    - C(url) of a request through a pod's port-forward reads C(pod://<namespace>/<name>:<port><path>).
  returned: success
  type: list
  elements: dict
  sample:
    - url: http://10.244.1.7:8000/health
      method: GET
      expected_status: 200
      status: 200
      matched: true
      attempts: 1
      elapsed: 0.004
      content: '{"status": "healthy"}'
      json: {"status": "healthy"}
      msg: ""
      request: {url: http://10.244.1.7:8000/health, method: GET, status: 200, domain: auth}
matched:
  description: How many requests answered their expected status.
  returned: success
  type: int
  sample: 2
all_matched:
  description: Whether every request answered its expected status.
  returned: success
  type: bool
  sample: true
duration:
  description: Seconds the whole call took.
  returned: success
  type: float
  sample: 0.031
"""

import copy

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import BlueGreenError
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.http.runner import run_checks
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.http.tunnel import port_forward_sender
from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException


def argspec():
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    spec.update(
        requests=dict(type="list", elements="dict", required=True),
        timeout=dict(type="float", default=5),
        retries=dict(type="int", default=0),
        delay=dict(type="float", default=1),
        concurrency=dict(type="int", default=8),
        validate_target_certs=dict(type="bool", default=True),
    )
    return spec


def main():
    module = AnsibleK8SModule(module_class=AnsibleModule, argument_spec=argspec(), supports_check_mode=True)
    try:
        result = run_checks(module.params, port_forward=lambda: port_forward_sender(get_api_client(module).configuration))
    except BlueGreenError as e:
        module.fail_json(msg=str(e), **e.details)
    except CoreException as e:
        module.fail_from_exception(e)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
