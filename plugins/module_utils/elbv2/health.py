# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure decisions over DescribeTargetHealth answers: counts, per-target records, registration gaps, min_healthy.

Nothing here talks to AWS, so every rule is tested with plain dictionaries.
"""

import re

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.errors import InvalidInput

# Every TargetHealth.State AWS documents; ``unhealthy.draining`` is counted as ``unhealthy_draining``
# so that every count is a plain identifier in Jinja.
STATES = ("healthy", "unhealthy", "initial", "draining", "unused", "unavailable", "unhealthy.draining")

# Targets in these states are being deregistered: they are leaving the group, so they neither count
# towards the registered total nor satisfy an expected target.
LEAVING_STATES = frozenset(("draining", "unhealthy.draining"))

_COUNT = re.compile(r"^\s*(\d+)\s*$")
_PERCENT = re.compile(r"^\s*(\d+)\s*%\s*$")
_MIN_HEALTHY_EXPECTED = "a whole number of targets of at least 1 (like 2) or a percentage from 1% to 100% (like '50%')"


def count_key(state):
    return state.replace(".", "_")


def parse_min_healthy(value):
    """Turn the ``min_healthy`` option into ``None`` (all registered), ``("count", n)`` or ``("percent", p)``."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidInput("min_healthy", _MIN_HEALTHY_EXPECTED, value)
    text = str(value)
    count = _COUNT.match(text)
    if count and int(count.group(1)) >= 1:
        return ("count", int(count.group(1)))
    percent = _PERCENT.match(text)
    if percent and 1 <= int(percent.group(1)) <= 100:
        return ("percent", int(percent.group(1)))
    raise InvalidInput("min_healthy", _MIN_HEALTHY_EXPECTED, value)


def required_healthy(min_healthy, registered):
    """How many healthy targets a group needs; never less than 1, because an empty group serves nothing."""
    if min_healthy is None:
        return max(registered, 1)
    kind, amount = min_healthy
    if kind == "count":
        return amount
    return max(-(-registered * amount // 100), 1)


def parse_expected_targets(entries):
    """Validate ``expected_targets`` and drop duplicates; ``None`` means no registration check."""
    if entries is None:
        return None
    expected = []
    for index, entry in enumerate(entries):
        target_id = (entry.get("id") or "").strip()
        if not target_id:
            raise InvalidInput("expected_targets[{0}].id".format(index), "an instance ID, IP address or Lambda ARN", entry.get("id"))
        port = entry.get("port")
        if port is not None and not 1 <= port <= 65535:
            raise InvalidInput("expected_targets[{0}].port".format(index), "a port from 1 to 65535", port)
        normalized = {"id": target_id, "port": port}
        if normalized not in expected:
            expected.append(normalized)
    return expected


def target_records(descriptions):
    """One record per TargetHealthDescription, sorted by id and port so that output is stable."""
    records = []
    for description in descriptions:
        target = description["Target"]
        health = description.get("TargetHealth", {})
        records.append(
            {
                "id": target["Id"],
                "port": target.get("Port"),
                "state": health.get("State"),
                "reason": health.get("Reason"),
                "description": health.get("Description"),
            }
        )
    return sorted(records, key=lambda record: (record["id"], record["port"] or 0))


def count_states(records):
    counts = dict.fromkeys((count_key(state) for state in STATES), 0)
    for record in records:
        key = count_key(record["state"])
        counts[key] = counts.get(key, 0) + 1
    return counts


def _matches(expected, record):
    return expected["id"] == record["id"] and expected["port"] in (None, record["port"])


def registration_gaps(records, expected):
    """Return ``(missing, unexpected)``: expected targets not registered, and registered targets nobody expected."""
    registered = [record for record in records if record["state"] not in LEAVING_STATES]
    missing = [entry for entry in expected if not any(_matches(entry, record) for record in registered)]
    unexpected = [
        {"id": record["id"], "port": record["port"], "state": record["state"]}
        for record in registered
        if not any(_matches(entry, record) for entry in expected)
    ]
    return missing, unexpected


def summarize_target_group(target_group, descriptions, min_healthy=None, expected=None):
    """The report for one target group, as returned in ``target_groups``."""
    records = target_records(descriptions)
    counts = count_states(records)
    registered = sum(1 for record in records if record["state"] not in LEAVING_STATES)
    required = required_healthy(min_healthy, registered)
    report = {
        "arn": target_group["TargetGroupArn"],
        "name": target_group["TargetGroupName"],
        "target_type": target_group.get("TargetType"),
        "counts": counts,
        "registered": registered,
        "healthy_required": required,
        "targets": records,
    }
    missing = []
    if expected is not None:
        missing, unexpected = registration_gaps(records, expected)
        report["missing_targets"] = missing
        report["unexpected_targets"] = unexpected
    report["all_healthy"] = registered > 0 and counts["healthy"] == registered and not missing
    report["min_healthy_met"] = counts["healthy"] >= required and not missing
    return report


def all_healthy(reports):
    """True only when there is at least one target group and every one of them is fully healthy."""
    return bool(reports) and all(report["all_healthy"] for report in reports)


def not_healthy_targets(reports):
    """Every target that is not ``healthy``, named by its target group, for failure messages."""
    return [
        dict(target_group=report["name"], **record)
        for report in reports
        for record in report["targets"]
        if record["state"] != "healthy"
    ]


def describe_shortfall(reports, shown_per_state=3):
    """One line per target group that does not meet ``min_healthy``, grouping its problem targets by state and reason.

    At most ``shown_per_state`` targets are named per group of problems, so that a message about many
    nodes stays readable; ``not_healthy_targets`` has the complete list.
    """
    lines = []
    for report in reports:
        if report["min_healthy_met"]:
            continue
        problems = {}
        for record in report["targets"]:
            if record["state"] != "healthy":
                label = "{0} ({1})".format(record["state"], record["reason"] or "no reason given")
                problems.setdefault(label, []).append(_target_name(record))
        missing = [_target_name(entry) for entry in report.get("missing_targets", [])]
        if missing:
            problems["not registered"] = missing
        details = "".join("; {0} {1}: {2}".format(len(names), label, _first(names, shown_per_state)) for label, names in problems.items())
        lines.append(
            "{0}: {1} of {2} registered targets healthy, {3} required{4}".format(
                report["name"], report["counts"]["healthy"], report["registered"], report["healthy_required"], details
            )
        )
    return lines


def _target_name(target):
    return target["id"] if target["port"] is None else "{0}:{1}".format(target["id"], target["port"])


def _first(names, shown):
    listed = ", ".join(names[:shown])
    return listed if len(names) <= shown else "{0} and {1} more".format(listed, len(names) - shown)
