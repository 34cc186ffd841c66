# Copyright: Contributors to the ecoeco.bluegreen project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bounded wait for target group health: poll, require a streak of good polls, give up at the timeout."""

import time

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.timing import poll_until


def wait_for_min_healthy(poll, timeout, poll_interval, consecutive, sleep=time.sleep, clock=time.monotonic):
    """Call ``poll()`` until every report it returns has ``min_healthy_met`` for ``consecutive`` polls in a row.

    A streak, not a single good poll, because a target can flap between healthy and unhealthy while
    its health checks settle. ``poll()`` returns the list of target group reports of one round.
    Returns a dict: ``satisfied``, the last ``target_groups``, the ``history`` of counts per poll and
    the ``duration`` of the wait in seconds.
    """
    start = clock()
    history = []
    latest = []
    streak = 0

    def streak_long_enough():
        nonlocal latest, streak
        latest = poll()
        met = bool(latest) and all(report["min_healthy_met"] for report in latest)
        streak = streak + 1 if met else 0
        history.append(
            {
                "poll": len(history) + 1,
                "elapsed": round(clock() - start, 3),
                "min_healthy_met": met,
                "counts": {report["name"]: report["counts"] for report in latest},
            }
        )
        return streak >= consecutive

    satisfied, waited = poll_until(streak_long_enough, timeout, poll_interval, sleep=sleep, clock=clock)
    return {"satisfied": satisfied, "target_groups": latest, "history": history, "duration": round(waited, 3)}
