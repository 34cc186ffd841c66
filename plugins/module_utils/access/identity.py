# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who the module runs as: the API server's answer (SelfSubjectReview), else the user the kubeconfig's context
names, which is what an operator recognises (the kubeconfig file is chosen as kubernetes.core chooses it)."""

import os

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.access.cluster import IdentityUnknown

try:
    import yaml
except ImportError:
    # A dependency of kubernetes, reported missing with it.
    pass


def find_identity(reviews, kubeconfig=None, context=None, environ=None, read_yaml=None):
    """``{"username", "groups", "source"}``: source is C(SelfSubjectReview), C(kubeconfig) or C(unknown)."""
    try:
        return dict(reviews.whoami(), source="SelfSubjectReview")
    except IdentityUnknown as unknown:
        refused = str(unknown)
    user = kubeconfig_user(kubeconfig, context, os.environ if environ is None else environ, read_yaml or _read_yaml)
    if user:
        return {"username": user, "groups": [], "source": "kubeconfig", "note": refused}
    return {"username": "an identity the API server did not name", "groups": [], "source": "unknown", "note": refused}


def describe(identity):
    """``system:serviceaccount:ns:sa (from SelfSubjectReview)`` or ``kubeconfig user alice (...)``."""
    if identity["source"] == "kubeconfig":
        return "kubeconfig user {0} ({1})".format(identity["username"], identity.get("note", ""))
    if identity["source"] == "unknown":
        return "{0} ({1})".format(identity["username"], identity.get("note", ""))
    return "{0} (from SelfSubjectReview)".format(identity["username"])


def kubeconfig_user(kubeconfig, context, environ, read_yaml):
    """The user name of the kubeconfig's context, or None when there is no readable kubeconfig."""
    config = kubeconfig if isinstance(kubeconfig, dict) else None
    if config is None:
        path = kubeconfig or environ.get("K8S_AUTH_KUBECONFIG") or (environ.get("KUBECONFIG") or "").split(os.pathsep)[0] \
            or os.path.join(environ.get("HOME") or os.path.expanduser("~"), ".kube", "config")
        try:
            config = read_yaml(os.path.expanduser(path))
        except (OSError, ValueError):
            return None
    if not isinstance(config, dict):
        return None
    wanted = context or environ.get("K8S_AUTH_CONTEXT") or config.get("current-context")
    for entry in config.get("contexts") or []:
        if isinstance(entry, dict) and entry.get("name") == wanted:
            return (entry.get("context") or {}).get("user")
    return None


def _read_yaml(path):
    with open(path, encoding="utf-8") as stream:
        try:
            return yaml.safe_load(stream)
        except yaml.YAMLError as error:
            raise ValueError(str(error)) from error
