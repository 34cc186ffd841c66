# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn "cannot talk to the Kubernetes API server" (a urllib3 error, not an API status) into one readable
BlueGreenError naming what was being done, instead of a traceback."""

from contextlib import contextmanager

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import BlueGreenError

try:
    from urllib3.exceptions import HTTPError
except ImportError:
    # A dependency of kubernetes, reported missing with it.
    pass


@contextmanager
def reaching_api(action):
    try:
        yield
    except HTTPError as e:
        raise BlueGreenError("{0} failed: cannot reach the Kubernetes API ({1})".format(action, e)) from e
