"""The front door routes like ALB + kube-proxy, from live state: a new Ingress gets traffic through the
ALB rules moto holds, a Service whose selector stops matching loses it once kube-proxy follows, and every ALB
is reached on its own address."""

import json
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from kubernetes import dynamic
from kubernetes.client import CoreV1Api

from ecoeco_sandbox import blue_state
from ecoeco_sandbox.frontdoor import alb_url


def get(url):
    """(status, JSON body) of a GET; (None, None) when the front door does not answer."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
    except urllib.error.URLError:
        return None, None


def wait_for_status(url, wanted, timeout=90):
    deadline = time.monotonic() + timeout
    answer = (None, None)
    while time.monotonic() < deadline:
        answer = get(url)
        if answer[0] == wanted:
            return answer
        time.sleep(0.25)
    raise AssertionError("{0} did not answer {1} within {2} s; last answer {3}".format(url, wanted, timeout, answer))


def test_front_door_follows_ingress_service_and_endpoints(sandbox_env, kube):
    domain = "fd" + uuid.uuid4().hex[:6]
    dyn = dynamic.DynamicClient(kube)
    objects = [blue_state.namespace(domain), blue_state.deployment(domain, domain, replicas=1),
               blue_state.service(domain, domain), blue_state.ingress(domain, 90, domain)]
    for obj in objects:
        obj["metadata"].get("annotations", {}).pop("argocd.argoproj.io/tracking-id", None)
        dyn.resources.get(api_version=obj["apiVersion"], kind=obj["kind"]).create(body=obj, namespace=obj["metadata"].get("namespace"))
    url = "{0}/api/v1/{1}/who".format(sandbox_env["BLUEGREEN_FRONTDOOR_URL"], domain)
    try:
        status, body = wait_for_status(url, 200)
        assert (body["namespace"], body["version"], body["path"]) == (domain, "blue", "/api/v1/{0}/who".format(domain))
        assert get(url.replace("/who", "") + "x/who")[0] == 404  # /api/v1/<domain>x matches no rule

        CoreV1Api(kube).patch_namespaced_service(domain + "-api", domain, {"spec": {"selector": {"app": domain + "-api", "version": "none"}}})
        status, body = wait_for_status(url, 503, timeout=30)
        assert "no Ready endpoint" in body["frontdoor"]
    finally:
        CoreV1Api(kube).delete_namespace(domain)


def test_each_alb_is_reached_on_its_own_address(sandbox_env, kube):
    """An ALB of another team, with the same path as EcoEco's, answers on its own address; 127.0.0.1 stays ecoeco-alb."""
    name = "fd" + uuid.uuid4().hex[:6]
    alb = name + "-alb"
    dyn = dynamic.DynamicClient(kube)
    ingress = blue_state.ingress("auth", 10, name)
    ingress["metadata"]["annotations"].update({"alb.ingress.kubernetes.io/group.name": name,
                                               "alb.ingress.kubernetes.io/load-balancer-name": alb})
    objects = [blue_state.namespace(name), blue_state.deployment("auth", name, replicas=1), blue_state.service("auth", name), ingress]
    for obj in objects:
        obj["metadata"].get("annotations", {}).pop("argocd.argoproj.io/tracking-id", None)
        dyn.resources.get(api_version=obj["apiVersion"], kind=obj["kind"]).create(body=obj, namespace=obj["metadata"].get("namespace"))
    book = Path(sandbox_env["BLUEGREEN_FRONTDOOR_ALBS"])
    try:
        own_url = alb_url(alb, book, wait_seconds=60)
        assert urlsplit(own_url).hostname not in ("127.0.0.1", urlsplit(alb_url("ecoeco-alb", book)).hostname)
        status, body = wait_for_status(own_url + "/api/v1/auth/who", 200)
        assert body["namespace"] == name
        assert (get(sandbox_env["BLUEGREEN_FRONTDOOR_URL"] + "/api/v1/auth/who")[1] or {}).get("namespace") != name
    finally:
        CoreV1Api(kube).delete_namespace(name)
    deadline = time.monotonic() + 60
    while alb in json.loads(book.read_text())["load_balancers"] and time.monotonic() < deadline:
        time.sleep(0.5)
    assert alb not in json.loads(book.read_text())["load_balancers"]  # its Ingress gone, the ALB and its address go
