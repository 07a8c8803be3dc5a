"""Reads of the management review: calendar, open actions, earlier reviews' actions, delivery performance."""

import datetime as dt

import pytest

from liaison.core import clock
from liaison.core.tests.factories import WorkshopFactory, manager, qc_head, sales_head, workshop_lead
from liaison.production import services as production_services
from liaison.production.tests.factories import notice
from liaison.reviews import selectors, services
from liaison.reviews.tests.factories import held, planned

pytestmark = pytest.mark.django_db


def made(workshop, *, issued: dt.date, due: dt.date, completed: dt.date | None = None):
    """A production notice issued on ``issued``, due on ``due``, completed on ``completed`` (or still open)."""
    with clock.frozen(issued):
        record = notice(workshop=workshop, due_date=due)
    if completed is not None:
        with clock.frozen(completed):
            production_services.notice_complete(notice=record, actor=workshop_lead(workshop))
    return record


@pytest.fixture
def notices():
    stamping = WorkshopFactory(name="一車間（沖壓）")
    assembly = WorkshopFactory(name="二車間（裝配）")
    made(stamping, issued=dt.date(2026, 9, 1), due=dt.date(2026, 10, 10), completed=dt.date(2026, 10, 8))
    made(stamping, issued=dt.date(2026, 9, 1), due=dt.date(2026, 10, 10), completed=dt.date(2026, 10, 13))
    made(stamping, issued=dt.date(2026, 9, 1), due=dt.date(2026, 11, 1), completed=dt.date(2026, 11, 6))
    made(assembly, issued=dt.date(2026, 9, 1), due=dt.date(2026, 11, 10), completed=dt.date(2026, 11, 10))
    made(assembly, issued=dt.date(2026, 9, 1), due=dt.date(2026, 11, 20))  # open, 7 days late today
    made(assembly, issued=dt.date(2026, 9, 1), due=dt.date(2026, 12, 20))  # open, not due yet
    made(assembly, issued=dt.date(2026, 3, 1), due=dt.date(2026, 4, 1), completed=dt.date(2026, 5, 1))  # before
    return stamping, assembly


def test_r_3_2_delivery_performance_per_workshop_on_a_known_data_set(django_assert_num_queries, notices):
    with django_assert_num_queries(1):
        performance = selectors.delivery_performance(start=dt.date(2026, 6, 16), end=dt.date(2026, 12, 15))

    rows = {row.workshop: row.as_dict() for row in performance.rows}
    assert rows["一車間（沖壓）"] == {
        "workshop": "一車間（沖壓）", "completed": 3, "on_time": 1, "late": 2, "on_time_rate": 33.3,
        "mean_days_late": 4.0, "open_overdue": 0,
    }
    assert rows["二車間（裝配）"] == {
        "workshop": "二車間（裝配）", "completed": 1, "on_time": 1, "late": 0, "on_time_rate": 100.0,
        "mean_days_late": None, "open_overdue": 1,
    }
    total = performance.total
    assert (total.completed, total.on_time, total.late, total.mean_days_late, total.open_overdue) == (4, 2, 2, 4.0, 1)


def test_delivery_performance_leaves_void_notices_out(notices):
    stamping, _assembly = notices
    with clock.frozen(dt.date(2026, 9, 1)):
        record = notice(workshop=stamping, due_date=dt.date(2026, 10, 1))
        production_services.notice_void(notice=record, reason="客戶取消", actor=record.issued_by)
    performance = selectors.delivery_performance(start=dt.date(2026, 6, 16), end=dt.date(2026, 12, 15))
    assert performance.total.open_overdue == 1


def test_r_5_6_7_previous_review_actions_status_of_earlier_decisions(django_assert_num_queries):
    head, qc = sales_head(), qc_head()
    first = held(meeting_date=dt.date(2026, 1, 10),
                 actions=[{"description": "更新客戶資料表", "owner": head, "due_date": dt.date(2026, 3, 31)}])
    previous = held(
        meeting_date=dt.date(2026, 6, 15),
        actions=[
            {"description": "提高準時交貨率", "owner": head, "due_date": dt.date(2026, 9, 30)},
            {"description": "客訴分析", "owner": qc, "due_date": dt.date(2026, 8, 31)},
            {"description": "增加回訪", "owner": head, "due_date": dt.date(2026, 12, 31)},
        ],
    )
    services.action_complete(action=previous.actions.get(description="客訴分析"), outcome="完成", actor=qc)
    done_first = first.actions.get()
    meeting = planned(meeting_date=dt.date(2026, 12, 15))
    cancelled = planned(meeting_date=dt.date(2026, 9, 1))
    services.meeting_cancel(meeting=cancelled, reason="改期", actor=cancelled.chair)

    assert selectors.meeting_previous(meeting=meeting) == previous
    with django_assert_num_queries(1):
        actions = selectors.previous_review_actions(meeting=meeting, previous=previous)

    assert [(a.description, a.status, a.is_overdue) for a in actions] == [
        ("更新客戶資料表", "open", True),
        ("提高準時交貨率", "open", True),
        ("增加回訪", "open", False),
        ("客訴分析", "done", False),
    ]
    services.action_complete(action=done_first, outcome="完成", actor=head)
    assert "更新客戶資料表" not in [a.description for a in selectors.previous_review_actions(meeting=meeting)]


def test_review_period_runs_from_the_day_after_the_previous_meeting_or_six_months_back():
    meeting = planned(meeting_date=dt.date(2026, 12, 15))
    assert selectors.review_period(meeting=meeting, previous=None) == (dt.date(2026, 6, 16), dt.date(2026, 12, 15))
    previous = held(meeting_date=dt.date(2026, 7, 1))
    assert selectors.review_period(meeting=meeting, previous=previous) == (dt.date(2026, 7, 2), dt.date(2026, 12, 15))
    assert selectors.months_before(dt.date(2026, 8, 31), 6) == dt.date(2026, 2, 28)


def test_calendar_upcoming_and_past_with_survey_rounds(django_assert_num_queries):
    chair = manager()
    past = held(meeting_date=dt.date(2026, 6, 15), chair=chair)
    soon = planned(meeting_date=dt.date(2026, 12, 15), chair=chair)
    later = planned(meeting_date=dt.date(2027, 6, 15), chair=chair)
    with django_assert_num_queries(2):
        calendar = selectors.meeting_calendar()
    assert [entry.meeting for entry in calendar.upcoming] == [soon, later]
    assert [entry.meeting for entry in calendar.past] == [past]


def test_actions_open_overdue_first_for_one_owner(django_assert_num_queries):
    head, qc = sales_head(), qc_head()
    held(meeting_date=dt.date(2026, 6, 15), actions=[
        {"description": "later", "owner": head, "due_date": dt.date(2027, 1, 31)},
        {"description": "late", "owner": head, "due_date": dt.date(2026, 10, 31)},
        {"description": "other", "owner": qc, "due_date": dt.date(2026, 7, 31)},
    ])
    with django_assert_num_queries(1):
        mine = list(selectors.actions_open(owner=head))
    assert [(a.description, a.is_overdue) for a in mine] == [("late", True), ("later", False)]
