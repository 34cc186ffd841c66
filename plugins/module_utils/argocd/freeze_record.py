# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The freeze record: what ``state=disabled`` leaves on the object so ``state=restored`` can put back exactly
the syncPolicy it found.

It is one annotation holding compact JSON. It is written when automated sync is first turned off and never
rewritten while it exists, so a second freeze cannot overwrite the policy from before the first one.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional

ANNOTATION = "bluegreen.ecoeco.io/frozen-sync-policy"
SHAPE = '{"policy": <previous syncPolicy object, or null when it was absent>, "frozen_at": "<UTC time, YYYY-MM-DDTHH:MM:SSZ>", "frozen_by": "<who>"}'
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_KEYS = ("policy", "frozen_at", "frozen_by")


class MalformedRecord(ValueError):
    """The annotation is present but is not a record in :data:`SHAPE`; the message says what is wrong."""


@dataclass(frozen=True)
class FreezeRecord:
    policy: Optional[dict]
    frozen_at: str
    frozen_by: str

    def to_dict(self):
        return {"policy": self.policy, "frozen_at": self.frozen_at, "frozen_by": self.frozen_by}

    def encode(self):
        # Sorted and compact so the same record always has the same text; <, > and & escaped as Go's encoder
        # does, so kube-apiserver's byte-wise JSON patch `test` of this text matches (see plan._guard).
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def utc_timestamp(now=None):
    return (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime(TIMESTAMP_FORMAT)


def new_record(policy, frozen_by, now=None):
    return FreezeRecord(policy=policy, frozen_at=utc_timestamp(now), frozen_by=frozen_by)


def decode(raw):
    """Parse and check an annotation value; raises :class:`MalformedRecord` on anything but :data:`SHAPE`."""
    try:
        data = json.loads(raw)
    except (TypeError, ValueError) as e:
        raise MalformedRecord("it is not valid JSON ({0})".format(e)) from e
    if not isinstance(data, dict):
        raise MalformedRecord("it is a JSON {0}, not an object".format(type(data).__name__))
    missing = [key for key in _KEYS if key not in data]
    if missing:
        raise MalformedRecord("key(s) {0} missing".format(", ".join(missing)))
    unexpected = sorted(set(data) - set(_KEYS))
    if unexpected:
        raise MalformedRecord("unexpected key(s) {0}".format(", ".join(unexpected)))
    if data["policy"] is not None and not isinstance(data["policy"], dict):
        raise MalformedRecord("policy is a {0}, not an object or null".format(type(data["policy"]).__name__))
    try:
        datetime.strptime(data["frozen_at"], TIMESTAMP_FORMAT)
    except (TypeError, ValueError) as e:
        raise MalformedRecord("frozen_at {0!r} is not a UTC time like 2025-01-31T12:00:00Z".format(data["frozen_at"])) from e
    if not isinstance(data["frozen_by"], str) or not data["frozen_by"]:
        raise MalformedRecord("frozen_by is not a non-empty string")
    return FreezeRecord(policy=data["policy"], frozen_at=data["frozen_at"], frozen_by=data["frozen_by"])
