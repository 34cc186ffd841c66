"""Figures from a load's records: failures, and when every answer came from the wanted version."""


def ok(record):
    return 200 <= record["status"] < 300


def failures(records, since=0.0):
    return [r for r in records if r["t"] >= since and not ok(r)]


def settled_after(records, version, since):
    """Seconds from ``since`` until every later answer (by send time) is a success from ``version``; None if never."""
    later = sorted((r for r in records if r["t"] >= since), key=lambda r: r["t"])
    if not later:
        return None
    last_bad = None
    for index, record in enumerate(later):
        if not ok(record) or record["version"] != version:
            last_bad = index
    if last_bad is None:
        return 0.0
    if last_bad == len(later) - 1:
        return None
    return round(later[last_bad + 1]["t"] - since, 3)


def settled_per_path(records, version, since):
    """The slowest path's ``settled_after`` (None if any path never settled)."""
    by_path = {}
    for record in records:
        by_path.setdefault(record["path"], []).append(record)
    values = [settled_after(items, version, since) for items in by_path.values()]
    return None if not values or None in values else max(values)


def outage(records):
    """(failed requests, seconds from the first to the last failure, paths that failed)."""
    bad = failures(records)
    if not bad:
        return 0, 0.0, 0
    return len(bad), round(max(r["t"] for r in bad) - min(r["t"] for r in bad), 3), len({r["path"] for r in bad})


def latency_p99(records):
    values = sorted(r["latency_ms"] for r in records)
    return values[min(len(values) - 1, int(round(0.99 * (len(values) - 1))))] if values else None


def served_after(records, version, mark):
    """Seconds ``version`` kept answering after ``mark`` (negative: it had stopped before)."""
    times = [r["t"] for r in records if ok(r) and r["version"] == version]
    return round(max(times) - mark, 3) if times else None
