# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Kubernetes side of a module built on AnsibleAWSModule (documented by the doc fragment ecoeco.bluegreen.kube_and_aws),
and the one place such a module turns an error into fail_json.

AnsibleAWSModule owns validate_certs (the AWS one) and the other connection options, so the Kubernetes client takes its
settings from the two options here and kubernetes.core's K8S_AUTH_* environment variables.
"""

from contextlib import contextmanager

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import BlueGreenError
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.switch.cluster import Cluster
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException

KUBE_ARGS = dict(kubeconfig=dict(type="raw"), context=dict(type="str"))


def cluster_of(params):
    return Cluster(get_api_client(kubeconfig=params["kubeconfig"], context=params["context"]))


@contextmanager
def one_failure(module):
    """Every error raised below the module, AWS, Kubernetes or this collection's, turned into one clear fail_json."""
    try:
        yield
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    except CoreException as e:
        module.fail_json(msg="Kubernetes: {0}".format(e))
    except BlueGreenError as e:
        module.fail_json(msg=str(e), **e.details)
