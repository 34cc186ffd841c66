# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What green still lacks, one sentence per domain, from one list of every green object of a kind (per poll)."""

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.workloads.rollout import rollout_pending


def _by_ref(objects):
    return {"{0}/{1}".format(obj["metadata"].get("namespace"), obj["metadata"]["name"]): obj for obj in objects}


def pending_deployments(settings, deployments):
    """{domain: why its green Deployment is not rolled out} for every domain whose Deployment is missing or rolling."""
    found = _by_ref(deployments)
    pending = {}
    for domain, name in settings.workloads:
        deployment = found.get("{0}/{1}".format(domain, name))
        if deployment is None:
            pending[domain] = "Deployment {0}/{1} with labels {2} not found".format(domain, name, settings.label_selector)
        else:
            why = rollout_pending(deployment)
            if why:
                pending[domain] = "Deployment {0}/{1} has {2}".format(domain, name, why)
    return pending


def pending_ingresses(settings, ingresses):
    """{domain: why} for every domain whose green Ingress is missing or has no load balancer hostname yet."""
    found = _by_ref(ingresses)
    pending = {}
    for domain, name in settings.workloads:
        ingress = found.get("{0}/{1}".format(domain, name))
        if ingress is None:
            pending[domain] = "Ingress {0}/{1} with labels {2} not found".format(domain, name, settings.label_selector)
        elif not any(entry.get("hostname") for entry in ((ingress.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []):
            pending[domain] = "Ingress {0}/{1} has no load balancer hostname (not admitted by the load balancer controller)".format(domain, name)
    return pending


def node_port_domains(settings, services):
    """{NodePort: domain} of every port of every green Service: instance targets listen there, which tells green's groups apart."""
    found = _by_ref(services)
    ports = {}
    for domain, name in settings.workloads:
        for port in ((found.get("{0}/{1}".format(domain, name)) or {}).get("spec") or {}).get("ports") or []:
            if port.get("nodePort"):
                ports[port["nodePort"]] = domain
    return ports


def green_groups(target_groups, ports):
    """The target groups (alb_target_health reports) with a target on a green NodePort, each with the domains it serves."""
    groups = []
    for group in target_groups:
        domains = list(dict.fromkeys(ports[target["port"]] for target in group["targets"] if target["port"] in ports))
        if domains:
            groups.append(dict(group, domains=domains))
    return groups
