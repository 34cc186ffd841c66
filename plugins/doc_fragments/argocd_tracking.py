# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # The Argo CD modules that find Applications by what they deploy. Mirrors TRACKING_OPTIONS in
    # plugins/module_utils/argocd/tracking.py.
    DOCUMENTATION = r"""
options:
  tracking:
    description:
      - Act on the Applications in O(namespace) that deploy these live objects, as each object's
        C(argocd.argoproj.io/tracking-id) annotation (or instance label) names them, for example a release's Service and
        Deployments. An Application named without a namespace is in O(namespace).
      - An object no Application tracks is left out; when none is tracked there is nothing to act on. A missing object,
        or one tracked from another namespace, is an error, and nothing is changed.
    type: list
    elements: dict
    suboptions:
      api_version:
        description: apiVersion of the object, for example V(apps/v1).
        type: str
        required: true
      kind:
        description: Kind of the object, for example V(Deployment).
        type: str
        required: true
      namespace:
        description: Namespace of the object.
        type: str
        required: true
      name:
        description: Name of the object.
        type: str
        required: true
"""
