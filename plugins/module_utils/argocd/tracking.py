# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which Argo CD Applications deploy given live objects: the one each object's tracking id (or instance label) names.

A release edits a Service and two Deployments that an Application may deploy from Git; self-heal would undo the edits,
so the Applications that track them are the ones to freeze, and the ones whose comparison with Git says when the freeze
may end. The option ``tracking`` of argocd_sync_toggle and argocd_declared takes those objects.
"""

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.objects import APPLICATION
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.argocd.ownership import owner_claims
from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import InvalidInput, NotFound, VerificationFailed

# The option's suboptions, as both modules declare them.
TRACKING_OPTIONS = dict(
    api_version=dict(type="str", required=True),
    kind=dict(type="str", required=True),
    namespace=dict(type="str", required=True),
    name=dict(type="str", required=True),
)


def check_objects(option, objects):
    """Every entry of ``option`` names an object by non-empty apiVersion, kind, namespace and name."""
    if not objects:
        raise InvalidInput(option, "a non-empty list of objects (api_version, kind, namespace, name)", objects)
    for index, item in enumerate(objects):
        for field in TRACKING_OPTIONS:
            if not str(item.get(field) or "").strip():
                raise InvalidInput("{0}[{1}].{2}".format(option, index, field), "a non-empty string", item.get(field))


def describe(item):
    return "{0} {1}/{2}".format(item["kind"], item["namespace"], item["name"])


def tracking_applications(cluster, objects, argocd_namespace):
    """(names of the Applications in ``argocd_namespace`` that track ``objects``, sorted; the objects none tracks).

    A missing object, or one tracked by an Application in another namespace, is an error: what deploys it is then not
    what the caller thinks."""
    names, untracked = set(), []
    for item in objects:
        live = cluster.get(item["kind"], item["namespace"], item["name"], api_version=item["api_version"])
        if live is None:
            raise NotFound("{0} not found: tracking names live objects; nothing was changed".format(describe(item)), object=dict(item))
        live.setdefault("apiVersion", item["api_version"])
        live.setdefault("kind", item["kind"])
        refs = [claim.ref for claim in owner_claims(live, argocd_namespace) if claim.ref.kind == APPLICATION]
        elsewhere = [ref for ref in refs if ref.namespace != argocd_namespace]
        if elsewhere:
            raise VerificationFailed("{0} is deployed by {1}, outside namespace {2}: set namespace to {3}; nothing was changed".format(
                describe(item), elsewhere[0], argocd_namespace, elsewhere[0].namespace), object=dict(item))
        if not refs:
            untracked.append(describe(item))
        names.update(ref.name for ref in refs)
    return sorted(names), untracked
