# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build the RFC 6902 JSON patches of a flip and of its undo. Pure: no API calls.

Every patch starts with a ``test`` of the value that was read, so the API server applies it only
if nobody changed the field in between (compare-and-swap); a failed test is HTTP 422.
"""

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Change:
    """One string field of one object going from ``before`` to ``after``.

    ``path`` is the list of keys down to the field. ``before=None`` means the field is absent: JSON
    patch cannot test for absence, so ``parent`` (the enclosing map exactly as read) is tested
    instead. ``after=None`` removes the field.
    """

    path: tuple
    before: Optional[str]
    after: Optional[str]
    parent: Optional[dict] = None

    @property
    def pointer(self):
        return pointer(self.path)


def escape(token):
    """RFC 6901: "~" becomes "~0" first, then "/" becomes "~1"."""
    return token.replace("~", "~0").replace("/", "~1")


def pointer(tokens):
    return "".join("/" + escape(token) for token in tokens)


def flip_patch(change):
    """The compare-and-swap patch that moves the field from ``change.before`` to ``change.after``."""
    if change.before is None:
        if change.parent is None:
            raise ValueError("an absent field needs its parent map to guard the write: {0}".format(change.pointer))
        ops = [{"op": "test", "path": pointer(change.path[:-1]), "value": change.parent}]
        write = "add"
    else:
        ops = [{"op": "test", "path": change.pointer, "value": change.before}]
        write = "replace"
    if change.after is None:
        ops.append({"op": "remove", "path": change.pointer})
    else:
        ops.append({"op": write, "path": change.pointer, "value": change.after})
    return ops


def inverse(change):
    """The change that puts the field back exactly as it was read (removing it if it was absent)."""
    return Change(path=change.path, before=change.after, after=change.before)


def nested(path, value):
    """``{"spec": {"selector": {"version": value}}}`` for a path; an absent value leaves the leaf out."""
    node = {} if value is None else {path[-1]: value}
    for key in reversed(path[:-1]):
        node = {key: node}
    return node
