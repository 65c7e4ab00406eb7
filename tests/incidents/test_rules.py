from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from compliance.core.agency_time import in_zone
from incidents.detainers.rules import (
    EARLIER,
    LATER,
    AmbiguousLocalTime,
    NonexistentLocalTime,
    hold_alert_at,
    hold_deadline,
    local_to_utc,
    utc_to_local,
)

CHICAGO = ZoneInfo("America/Chicago")


def test_case_D1_48_hours_across_spring_forward():
    released = datetime(2026, 3, 7, 9, 0, tzinfo=CHICAGO)  # CST
    deadline = hold_deadline(released)
    assert deadline == datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    assert deadline.tzinfo is UTC
    assert in_zone(deadline, "America/Chicago") == "2026-03-09 10:00 CDT"
    assert deadline - released == timedelta(hours=48)  # real elapsed time, not 47 wall-clock hours


def test_case_D2_48_hours_across_fall_back():
    released = datetime(2026, 10, 31, 9, 0, tzinfo=CHICAGO)  # CDT
    deadline = hold_deadline(released)
    assert deadline == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    assert in_zone(deadline, "America/Chicago") == "2026-11-02 08:00 CST"


def test_it_counts_weekends_and_holidays_as_hours():
    # Friday before Memorial Day 2026: 48 real hours, no business-day exclusion (R4.8).
    released = datetime(2026, 5, 22, 17, 0, tzinfo=CHICAGO)
    assert hold_deadline(released) == datetime(2026, 5, 24, 22, 0, tzinfo=UTC)


def test_it_refuses_a_naive_release_time():
    with pytest.raises(ValueError, match="aware"):
        hold_deadline(datetime(2026, 3, 7, 9, 0))


def test_case_D4_alert_time_is_four_hours_before_the_deadline():
    deadline = hold_deadline(datetime(2026, 4, 10, 10, 0, tzinfo=CHICAGO))
    assert deadline == datetime(2026, 4, 12, 15, 0, tzinfo=UTC)
    assert hold_alert_at(deadline, lead_hours=4) == datetime(2026, 4, 12, 11, 0, tzinfo=UTC)


def test_case_D3_spring_forward_time_does_not_exist():
    for fold in (None, EARLIER, LATER):
        with pytest.raises(NonexistentLocalTime) as caught:
            local_to_utc(datetime(2026, 3, 8, 2, 30), CHICAGO, fold=fold)
        assert caught.value.before[0] == "CST"
        assert caught.value.after[0] == "CDT"


def test_case_D3_fall_back_time_exists_twice():
    with pytest.raises(AmbiguousLocalTime) as caught:
        local_to_utc(datetime(2026, 11, 1, 1, 30), CHICAGO, fold=None)
    assert caught.value.earlier.tzname() == "CDT"
    assert caught.value.later.tzname() == "CST"
    assert local_to_utc(datetime(2026, 11, 1, 1, 30), CHICAGO, fold=EARLIER) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    assert local_to_utc(datetime(2026, 11, 1, 1, 30), CHICAGO, fold=LATER) == datetime(2026, 11, 1, 7, 30, tzinfo=UTC)


def test_the_two_errors_are_distinct():
    assert not issubclass(NonexistentLocalTime, AmbiguousLocalTime)
    assert not issubclass(AmbiguousLocalTime, NonexistentLocalTime)


def test_an_ordinary_time_ignores_fold():
    expected = datetime(2026, 11, 1, 8, 30, tzinfo=UTC)  # 02:30 CST, after the repeat
    for fold in (None, EARLIER, LATER):
        assert local_to_utc(datetime(2026, 11, 1, 2, 30), CHICAGO, fold=fold) == expected


def test_phoenix_has_no_gap_and_no_repeat():
    phoenix = ZoneInfo("America/Phoenix")
    assert local_to_utc(datetime(2026, 3, 8, 2, 30), phoenix, fold=None) == datetime(2026, 3, 8, 9, 30, tzinfo=UTC)
    assert local_to_utc(datetime(2026, 11, 1, 1, 30), phoenix, fold=None) == datetime(2026, 11, 1, 8, 30, tzinfo=UTC)


def test_utc_to_local_is_the_inverse_including_the_repeated_hour():
    assert utc_to_local(datetime(2026, 11, 1, 6, 30, tzinfo=UTC), CHICAGO) == (datetime(2026, 11, 1, 1, 30), EARLIER)
    assert utc_to_local(datetime(2026, 11, 1, 7, 30, tzinfo=UTC), CHICAGO) == (datetime(2026, 11, 1, 1, 30), LATER)
    assert utc_to_local(datetime(2026, 3, 9, 15, 0, tzinfo=UTC), CHICAGO) == (datetime(2026, 3, 9, 10, 0), None)


def test_it_refuses_an_aware_input():
    with pytest.raises(ValueError, match="naive"):
        local_to_utc(datetime(2026, 3, 7, 9, 0, tzinfo=UTC), CHICAGO, fold=None)


def test_a_wall_clock_time_whose_utc_leaves_the_calendar_is_a_value_error_not_an_overflow():
    with pytest.raises(ValueError, match="outside the calendar"):
        local_to_utc(datetime(9999, 12, 31, 23, 30), CHICAGO, fold=None)
    with pytest.raises(ValueError, match="outside the calendar"):
        local_to_utc(datetime(1, 1, 1, 0, 10), ZoneInfo("Asia/Tokyo"), fold=None)
