# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # Modules built on AnsibleAWSModule that also read Kubernetes: AWS owns validate_certs and the other connection
    # options, so Kubernetes gets only these two; the rest of kubernetes.core's settings come from K8S_AUTH_*.
    # Mirrors plugins/module_utils/kube_and_aws.py.
    DOCUMENTATION = r"""
options:
  kubeconfig:
    description:
      - Path to a kubeconfig file, or its content as a dict. Omitted, C(K8S_AUTH_KUBECONFIG) or the default kubeconfig.
      - Every other kubernetes.core connection setting is read from its C(K8S_AUTH_*) environment variable.
    type: raw
  context:
    description: The kubeconfig context to use. Omitted, C(K8S_AUTH_CONTEXT) or the kubeconfig's current context.
    type: str
"""
