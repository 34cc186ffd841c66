# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the smoke test sends: the endpoints of each service by mode, and one request per endpoint and check.

Modes: ``url`` calls one base URL per domain; ``endpoints`` every Ready endpoint address of the Service's
EndpointSlices (rewritten to where this host reaches it); ``port_forward`` every Ready pod behind those endpoints
through the API server's port-forward. A service without a Ready endpoint is unreachable, with why.
"""

import re

NO_ENDPOINT_HINT = " (is the Service there, are its pods Ready?)"


def _slice_ports(slice_, port_name):
    ports = slice_.get("ports") or []
    return [port for port in ports if port.get("name") == port_name] if port_name else ports


def _reach(address, rewrite):
    return re.sub(rewrite["pattern"], rewrite["replacement"], address) if rewrite else address


def _service_endpoints(domain, namespace, service, slices, settings):
    """(endpoints, unreachable) of one service from its EndpointSlices, in ``endpoints`` or ``port_forward`` mode."""
    endpoints, unreachable = [], []
    for slice_ in slices:
        meta = slice_.get("metadata") or {}
        if meta.get("namespace") != namespace or (meta.get("labels") or {}).get("kubernetes.io/service-name") != service:
            continue
        ports = _slice_ports(slice_, settings["port_name"])
        if not ports:
            continue
        port = ports[0]["port"]
        for endpoint in slice_.get("endpoints") or []:
            if not (endpoint.get("conditions") or {}).get("ready", True):
                continue
            target = endpoint.get("targetRef") or {}
            pod = target.get("name", "") if target.get("kind") == "Pod" else ""
            if settings["mode"] == "port_forward":
                if pod:
                    endpoints.append({"domain": domain, "endpoint": "pod {0}:{1} (port-forward)".format(pod, port),
                                      "pod": {"namespace": target.get("namespace") or namespace, "name": pod, "port": port}})
                else:
                    unreachable.append({"domain": domain, "endpoint": ",".join(endpoint.get("addresses") or []),
                                        "problem": "a Ready endpoint that is not a pod cannot be port-forwarded to"})
                continue
            for address in endpoint.get("addresses") or []:
                reached = _reach(address, settings["endpoint_rewrite"])
                host = "[{0}]".format(reached) if ":" in reached else reached
                endpoints.append({"domain": domain,
                                  "endpoint": "{0}:{1}{2}".format(address, port, " (pod {0})".format(pod) if pod else ""),
                                  "base_url": "{0}://{1}:{2}".format(settings["scheme"], host, port)})
    return endpoints, unreachable


def _unique(endpoints):
    seen, unique = set(), []
    for endpoint in endpoints:
        key = repr(sorted(endpoint.items()))
        if key not in seen:
            seen.add(key)
            unique.append(endpoint)
    return unique


def endpoints_of(services, settings, slices, read_error=""):
    """{"endpoints": [...], "unreachable": [...]}: how each (domain, namespace, Service) is reached."""
    endpoints, unreachable = [], []
    for domain, namespace, service in services:
        if settings["mode"] == "url":
            base_url = settings["base_urls"][domain].rstrip("/")
            endpoints.append({"domain": domain, "endpoint": base_url, "base_url": base_url})
            continue
        found, problems = _service_endpoints(domain, namespace, service, slices, settings)
        unreachable.extend(problems)
        if not found:
            unreachable.append({"domain": domain, "endpoint": "{0}/{1}".format(namespace, service), "problem": "no Ready endpoint{0}{1}".format(
                " with port " + settings["port_name"] if settings["port_name"] else "", ": " + read_error if read_error else NO_ENDPOINT_HINT)})
        endpoints.extend(_unique(found))
    return {"endpoints": endpoints, "unreachable": unreachable}


def requests_for(endpoints, checks, scheme):
    """One http_check request per endpoint and check that applies to its domain (a check without domain: all)."""
    requests = []
    for endpoint in endpoints:
        for check in checks:
            if check.get("domain", endpoint["domain"]) != endpoint["domain"]:
                continue
            request = {"domain": endpoint["domain"], "endpoint": endpoint["endpoint"], "method": check.get("method", "GET"),
                       "path": check["path"], "status": int(check.get("status", 200)), "json_contains": check.get("json_contains") or {}}
            if "pod" in endpoint:
                request.update(pod=endpoint["pod"], scheme=scheme)
            else:
                request["url"] = endpoint["base_url"] + check["path"]
            if "body" in check:
                request["body"] = check["body"]
            requests.append(request)
    return requests
