"""The steering committee's pure rules (community.steering_committee.rules; DOMAIN.md R3.6)."""

from datetime import date

import pytest

from community.steering_committee import rules


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_months_are_added_on_the_calendar_and_clamped_to_month_ends(day, months, expected):
    assert rules.add_months(day, months) == expected


def test_the_clock_runs_from_the_last_meeting_or_from_the_start_of_the_requirement():
    assert rules.next_meeting_due(last_held=None, counted_from=date(2026, 1, 10), interval_months=3) == date(
        2026, 4, 10
    )
    assert rules.next_meeting_due(
        last_held=date(2026, 2, 1), counted_from=date(2026, 1, 10), interval_months=3
    ) == date(2026, 5, 1)
    # A meeting before the agreement was signed does not start its clock.
    assert rules.next_meeting_due(
        last_held=date(2025, 12, 1), counted_from=date(2026, 1, 10), interval_months=3
    ) == date(2026, 4, 10)


def test_a_meeting_is_missed_only_from_the_day_after_it_was_due():
    kwargs = {"last_held": date(2026, 2, 1), "counted_from": date(2026, 1, 1), "interval_months": 3}
    assert rules.meeting_missed(today=date(2026, 5, 1), **kwargs) is False
    assert rules.meeting_missed(today=date(2026, 5, 2), **kwargs) is True


@pytest.mark.parametrize(
    ("start", "end", "interval", "expected"),
    [
        (date(2026, 7, 1), date(2026, 9, 30), 3, 1),
        (date(2026, 1, 1), date(2026, 12, 31), 3, 4),
        (date(2026, 1, 1), date(2026, 12, 31), 12, 1),
        (date(2026, 1, 1), date(2027, 1, 31), 12, 2),
        (date(2026, 1, 1), date(2026, 1, 1), 1, 1),
        (date(2026, 1, 1), date(2026, 12, 31), 1, 12),
    ],
)
def test_meetings_required_counts_every_started_interval(start, end, interval, expected):
    assert rules.meetings_required(start=start, end=end, interval_months=interval) == expected


def test_meetings_required_refuses_a_backwards_period_or_a_zero_interval():
    with pytest.raises(ValueError):
        rules.meetings_required(start=date(2026, 2, 1), end=date(2026, 1, 1), interval_months=3)
    with pytest.raises(ValueError):
        rules.meetings_required(start=date(2026, 1, 1), end=date(2026, 2, 1), interval_months=0)


def test_quorum_is_the_setting_or_more_than_half_of_the_voting_members():
    assert rules.quorum_needed(voting_members=7, quorum=None) == 4
    assert rules.quorum_needed(voting_members=8, quorum=None) == 5
    assert rules.quorum_needed(voting_members=8, quorum=3) == 3
    assert rules.quorum_met(present_voting=4, voting_members=7, quorum=None) is True
    assert rules.quorum_met(present_voting=3, voting_members=7, quorum=None) is False
    assert rules.quorum_met(present_voting=0, voting_members=0, quorum=None) is False
