"""R-5.6.3: the month arithmetic behind the send, chase and validity dates."""

import calendar
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.satisfaction.dates import add_months


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 8, 31), 2, dt.date(2026, 10, 31)),
        (dt.date(2026, 12, 31), -2, dt.date(2026, 10, 31)),
        (dt.date(2026, 12, 31), 2, dt.date(2027, 2, 28)),
        (dt.date(2027, 12, 31), 2, dt.date(2028, 2, 29)),
        (dt.date(2026, 11, 30), 2, dt.date(2027, 1, 30)),
        (dt.date(2026, 10, 31), 2, dt.date(2026, 12, 31)),
        (dt.date(2026, 4, 30), -2, dt.date(2026, 2, 28)),
        (dt.date(2026, 12, 15), -2, dt.date(2026, 10, 15)),
        (dt.date(2026, 1, 15), -2, dt.date(2025, 11, 15)),
        (dt.date(2026, 10, 15), 2, dt.date(2026, 12, 15)),
    ],
)
def test_r_5_6_3_add_months_clamps_to_month_end(day, months, expected):
    assert add_months(day, months) == expected


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)), st.integers(-60, 60))
def test_r_5_6_3_add_months_property(day, months):
    moved = add_months(day, months)
    # The calendar month moves by exactly ``months``.
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    # The day is kept, or clamped to the last day of a shorter month.
    last = calendar.monthrange(moved.year, moved.month)[1]
    assert moved.day == min(day.day, last)
    # Going there and back never lands after the start (only clamping can shorten it).
    assert add_months(moved, -months) <= day
    if day.day <= 28:
        assert add_months(moved, -months) == day
