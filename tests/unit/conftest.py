"""Make ecoeco.bluegreen and its dependencies importable as ansible_collections.* in unit tests."""

import os
import sys

from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_CHECKOUT_COLLECTIONS = os.path.join(ROOT, ".build", "collections")
_SITE_COLLECTIONS = [p for p in sys.path if os.path.isdir(os.path.join(p, "ansible_collections"))]

_AnsibleCollectionFinder(paths=[_CHECKOUT_COLLECTIONS] + _SITE_COLLECTIONS)._install()
