"""Management review services: every allowed step and every refusal, which changes nothing."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory, manager, qc_head, sales_head
from liaison.reviews import services
from liaison.reviews.errors import Code
from liaison.reviews.models import ReviewAction, ReviewMeeting
from liaison.reviews.states import ActionStatus, MeetingStatus
from liaison.reviews.tests.factories import held, planned

pytestmark = pytest.mark.django_db


def snapshot():
    """Everything a refused step could have touched."""
    return (
        list(ReviewMeeting.objects.order_by("pk").values()),
        list(ReviewAction.objects.order_by("pk").values()),
        ReviewMeeting.history.count(),
        ReviewAction.history.count(),
    )


def refused(code, call, **kwargs):
    before = snapshot()
    with pytest.raises(LiaisonError) as caught:
        call(**kwargs)
    assert caught.value.code == code
    assert snapshot() == before
    return caught.value


# --- planning -----------------------------------------------------------------------------------


def test_r_5_6_7_plan_numbers_the_meeting_and_signs_its_history():
    chair = manager()
    member = qc_head()
    meeting = services.meeting_plan(
        title="管理評審", meeting_date=dt.date(2026, 12, 15), chair=chair, participants=[chair, member],
        agenda="顧客滿意度", actor=chair,
    )
    second = planned(chair=chair)

    assert meeting.number == "MR-2026-0001" and second.number == "MR-2026-0002"
    assert meeting.status == MeetingStatus.PLANNED
    assert set(meeting.participants.all()) == {chair, member}
    row = meeting.history.latest()
    assert row.history_change_reason == "Planned" and row.history_user == chair


def _chairing(**kwargs) -> dict:
    """The manager chairs the meeting and plans it."""
    chair = manager()
    return {"title": "管理評審", "chair": chair, "actor": chair, **kwargs}


@pytest.mark.parametrize(
    ("code", "field", "plan"),
    [
        (Code.NOT_ALLOWED, None, lambda: {"title": "x", "chair": manager(), "actor": sales_head()}),
        (Code.CHAIR_NOT_MANAGER, "chair", lambda: {"title": "管理評審", "chair": qc_head(), "actor": manager()}),
        (Code.TITLE_REQUIRED, None, lambda: _chairing(title="  ")),
        (Code.PARTICIPANT_INACTIVE, None, lambda: _chairing(participants=[qc_head(is_active=False)])),
    ],
    ids=["role-without-it", "chair-not-in-management", "no-title", "inactive-participant"],
)
def test_plan_refused_and_nothing_planned(code, field, plan):
    error = refused(code, services.meeting_plan, meeting_date=dt.date(2026, 12, 15), **plan())
    if field:
        assert error.field == field
    assert not ReviewMeeting.objects.exists()


# --- updating -----------------------------------------------------------------------------------


def test_update_while_planned_needs_no_reason():
    meeting = planned()
    services.meeting_update(meeting=meeting, meeting_date=dt.date(2026, 12, 16), agenda="新議程", actor=meeting.chair)
    meeting.refresh_from_db()
    assert meeting.meeting_date == dt.date(2026, 12, 16) and meeting.agenda == "新議程"
    assert meeting.history.latest().history_change_reason == "Changed while planned"


def test_r_5_6_7_edit_of_a_held_meeting_without_reason_is_refused_and_with_one_is_kept():
    meeting = held(meeting_date=dt.date(2026, 11, 20))
    error = refused(Code.REASON_REQUIRED, services.meeting_update, meeting=meeting, minutes="改過的紀要",
                    actor=meeting.chair)
    assert error.field == "reason"

    services.meeting_update(meeting=meeting, minutes="改過的紀要", reason="補充決議", actor=meeting.chair)
    meeting.refresh_from_db()
    assert meeting.minutes == "改過的紀要"
    assert meeting.history.latest().history_change_reason == "補充決議"


def test_update_refused_on_a_cancelled_meeting_and_when_nothing_changes():
    meeting = planned()
    refused(Code.NOTHING_CHANGED, services.meeting_update, meeting=meeting, title=meeting.title, actor=meeting.chair)
    services.meeting_cancel(meeting=meeting, reason="改期", actor=meeting.chair)
    refused(Code.MEETING_CANCELLED, services.meeting_update, meeting=meeting, title="新", actor=meeting.chair)


# --- holding ------------------------------------------------------------------------------------


def test_r_5_6_7_hold_records_minutes_and_the_decided_actions():
    owner = qc_head()
    meeting = planned(meeting_date=dt.date(2026, 11, 27))
    services.meeting_hold(
        meeting=meeting,
        minutes="客訴處理及時率需提升。",
        actions=[{"description": "縮短客訴結案時間", "owner": owner, "due_date": dt.date(2027, 1, 31)}],
        actor=meeting.chair,
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD and meeting.held_at == clock.now()
    assert meeting.minutes == "客訴處理及時率需提升。"
    action = meeting.actions.get()
    assert (action.owner, action.status, action.due_date) == (owner, ActionStatus.OPEN, dt.date(2027, 1, 31))
    assert action.history.latest().history_change_reason == f"Decided at {meeting.number}"


def test_r_5_6_7_hold_without_minutes_is_refused():
    meeting = planned(meeting_date=dt.date(2026, 11, 27))
    error = refused(Code.MINUTES_REQUIRED, services.meeting_hold, meeting=meeting, minutes=" \n ", actor=meeting.chair)
    assert error.field == "minutes"
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


def test_hold_refused_before_the_meeting_date_twice_and_with_a_bad_action():
    meeting = planned(meeting_date=dt.date(2026, 12, 15))
    refused(Code.MEETING_IN_FUTURE, services.meeting_hold, meeting=meeting, minutes="紀要", actor=meeting.chair)
    today = planned(meeting_date=dt.date(2026, 11, 27))
    refused(Code.ACTION_OWNER_CANNOT_COMPLETE, services.meeting_hold, meeting=today, minutes="紀要",
            actions=[{"description": "x", "owner": UserFactory(roles=[Role.SALES_STAFF]),
                      "due_date": dt.date(2027, 1, 1)}],
            actor=today.chair)
    services.meeting_hold(meeting=today, minutes="紀要", actor=today.chair)
    refused(Code.MEETING_NOT_PLANNED, services.meeting_hold, meeting=today, minutes="紀要", actor=today.chair)


def test_hold_refused_for_a_department_head():
    meeting = planned(meeting_date=dt.date(2026, 11, 27))
    error = refused(Code.NOT_ALLOWED, services.meeting_hold, meeting=meeting, minutes="紀要", actor=qc_head())
    assert error.forbidden


def test_cancel_keeps_the_meeting_with_its_reason():
    meeting = planned()
    refused(Code.CANCEL_REASON_REQUIRED, services.meeting_cancel, meeting=meeting, reason="", actor=meeting.chair)
    services.meeting_cancel(meeting=meeting, reason="總經理出差", actor=meeting.chair)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED and meeting.cancel_reason == "總經理出差"
    assert meeting.history.latest().history_change_reason == "Cancelled: 總經理出差"
    refused(Code.MEETING_NOT_PLANNED, services.meeting_cancel, meeting=meeting, reason="again", actor=meeting.chair)


# --- actions ------------------------------------------------------------------------------------


def test_action_add_only_on_a_held_meeting():
    owner = sales_head()
    meeting = planned()
    refused(Code.MEETING_NOT_HELD, services.action_add, meeting=meeting, description="x", owner=owner,
            due_date=dt.date(2027, 1, 1), actor=meeting.chair)
    meeting = held(meeting_date=dt.date(2026, 11, 20))
    refused(Code.ACTION_DUE_BEFORE_MEETING, services.action_add, meeting=meeting, description="x", owner=owner,
            due_date=dt.date(2026, 11, 1), actor=meeting.chair)
    refused(Code.ACTION_DESCRIPTION_REQUIRED, services.action_add, meeting=meeting, description="", owner=owner,
            due_date=dt.date(2027, 1, 1), actor=meeting.chair)
    refused(Code.NOT_ALLOWED, services.action_add, meeting=meeting, description="x", owner=owner,
            due_date=dt.date(2027, 1, 1), actor=owner)
    action = services.action_add(meeting=meeting, description="提高準時交貨率", owner=owner,
                                 due_date=dt.date(2027, 1, 1), actor=meeting.chair)
    assert action.status == ActionStatus.OPEN and action.meeting == meeting


def test_r_5_6_7_owner_completes_their_action_with_its_outcome():
    owner = qc_head()
    meeting = held(meeting_date=dt.date(2026, 11, 20),
                   actions=[{"description": "客訴分析", "owner": owner, "due_date": dt.date(2026, 12, 31)}])
    action = meeting.actions.get()
    refused(Code.OUTCOME_REQUIRED, services.action_complete, action=action, outcome="", actor=owner)
    services.action_complete(action=action, outcome="已完成分析並報告", actor=owner)
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.outcome == "已完成分析並報告"
    assert action.done_at == clock.now()
    assert action.history.latest().history_user == owner
    refused(Code.ACTION_NOT_OPEN, services.action_complete, action=action, outcome="again", actor=owner)


def test_r_5_6_7_completing_someone_elses_action_is_refused_but_a_manager_may():
    owner, other = qc_head(), sales_head()
    meeting = held(meeting_date=dt.date(2026, 11, 20),
                   actions=[{"description": "客訴分析", "owner": owner, "due_date": dt.date(2026, 12, 31)}])
    action = meeting.actions.get()
    error = refused(Code.ACTION_NOT_YOURS, services.action_complete, action=action, outcome="done", actor=other)
    assert error.forbidden
    refused(Code.NOT_ALLOWED, services.action_complete, action=action, outcome="done",
            actor=UserFactory(roles=[Role.SALES_STAFF]))
    services.action_complete(action=action, outcome="由總經理確認完成", actor=manager())
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_action_cancel_by_management_with_a_reason():
    owner = qc_head()
    meeting = held(meeting_date=dt.date(2026, 11, 20),
                   actions=[{"description": "x", "owner": owner, "due_date": dt.date(2026, 12, 31)}])
    action = meeting.actions.get()
    refused(Code.NOT_ALLOWED, services.action_cancel, action=action, reason="不需要", actor=owner)
    refused(Code.CANCEL_REASON_REQUIRED, services.action_cancel, action=action, reason="", actor=meeting.chair)
    services.action_cancel(action=action, reason="併入其他措施", actor=meeting.chair)
    action.refresh_from_db()
    assert action.status == ActionStatus.CANCELLED and action.cancel_reason == "併入其他措施"


def test_services_lock_the_row_they_change():
    meeting = planned()
    with CaptureQueriesContext(connection) as queries:
        services.meeting_cancel(meeting=meeting, reason="改期", actor=meeting.chair)
    if connection.features.has_select_for_update:
        assert any("FOR UPDATE" in query["sql"] for query in queries.captured_queries)
