"""The bounded wait: streaks of good polls, the timeout, the history; on a fake clock, so no test sleeps."""

import pytest

from ansible_collections.ecoeco.bluegreen.plugins.module_utils.elbv2.waiter import wait_for_min_healthy


class FakeClock:
    """``sleep`` advances ``now``; nothing really waits."""

    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def scripted_poll(rounds):
    """A poll() that returns one report per target group per round; the last round repeats forever."""
    calls = []

    def poll():
        met_by_group = rounds[min(len(calls), len(rounds) - 1)]
        calls.append(met_by_group)
        return [
            {"name": "tg-{0}".format(index), "min_healthy_met": met, "counts": {"healthy": int(met)}}
            for index, met in enumerate(met_by_group)
        ]

    poll.calls = calls
    return poll


@pytest.mark.parametrize(
    "rounds, consecutive, timeout, satisfied, polls",
    [
        # already healthy: one poll per required streak step, no more
        ([[True]], 1, 10, True, 1),
        ([[True]], 2, 10, True, 2),
        ([[True, True]], 3, 10, True, 3),
        # a flap resets the streak
        ([[True], [False], [True], [True]], 2, 10, True, 4),
        ([[False], [True], [False], [True], [True], [True]], 3, 20, True, 6),
        # every group must be met in the same poll
        ([[True, False], [False, True], [True, True], [True, True]], 2, 10, True, 4),
        # never healthy: polls at 0, 2, 4, 6, 8, 10 and then gives up
        ([[False]], 2, 10, False, 6),
        # healthy once, then the timeout cuts the streak short
        ([[False], [False], [True]], 2, 4, False, 3),
        # no target groups at all never satisfies the wait
        ([[]], 1, 4, False, 3),
    ],
)
def test_wait_needs_a_streak_of_met_polls_within_the_timeout(rounds, consecutive, timeout, satisfied, polls):
    clock = FakeClock()
    poll = scripted_poll(rounds)
    outcome = wait_for_min_healthy(poll, timeout=timeout, poll_interval=2, consecutive=consecutive, sleep=clock.sleep, clock=clock)
    assert bool(outcome["satisfied"]) is satisfied
    assert len(poll.calls) == polls
    assert [entry["poll"] for entry in outcome["history"]] == list(range(1, polls + 1))
    assert outcome["duration"] == pytest.approx(clock.now - 100.0)
    assert outcome["duration"] <= timeout


def test_history_records_counts_per_poll_and_elapsed_time():
    clock = FakeClock()
    poll = scripted_poll([[False, True], [True, True]])
    outcome = wait_for_min_healthy(poll, timeout=30, poll_interval=1.5, consecutive=2, sleep=clock.sleep, clock=clock)
    assert outcome["history"] == [
        {"poll": 1, "elapsed": 0.0, "min_healthy_met": False, "counts": {"tg-0": {"healthy": 0}, "tg-1": {"healthy": 1}}},
        {"poll": 2, "elapsed": 1.5, "min_healthy_met": True, "counts": {"tg-0": {"healthy": 1}, "tg-1": {"healthy": 1}}},
        {"poll": 3, "elapsed": 3.0, "min_healthy_met": True, "counts": {"tg-0": {"healthy": 1}, "tg-1": {"healthy": 1}}},
    ]
    assert outcome["duration"] == 3.0
    assert [report["name"] for report in outcome["target_groups"]] == ["tg-0", "tg-1"]


def test_last_sleep_is_shortened_to_end_exactly_at_the_timeout():
    clock = FakeClock()
    outcome = wait_for_min_healthy(scripted_poll([[False]]), timeout=5, poll_interval=2, consecutive=1, sleep=clock.sleep, clock=clock)
    assert clock.sleeps == [2, 2, 1]
    assert outcome["duration"] == 5.0
    assert outcome["target_groups"] == [{"name": "tg-0", "min_healthy_met": False, "counts": {"healthy": 0}}]


def test_satisfied_at_first_poll_does_not_sleep_with_consecutive_one():
    clock = FakeClock()
    outcome = wait_for_min_healthy(scripted_poll([[True]]), timeout=5, poll_interval=2, consecutive=1, sleep=clock.sleep, clock=clock)
    assert outcome["satisfied"] is True
    assert clock.sleeps == []
    assert outcome["duration"] == 0.0
