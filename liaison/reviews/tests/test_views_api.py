"""Management review pages and API: each step through the page and the API, refusals shown, roles enforced."""

import datetime as dt

import pytest
from django.urls import reverse

from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory, manager, qc_head, sales_head
from liaison.reviews.models import ReviewMeeting
from liaison.reviews.states import ActionStatus, MeetingStatus
from liaison.reviews.tests.factories import held, planned
from liaison.workspace.inbox import inbox_for

pytestmark = pytest.mark.django_db


def test_r_5_6_7_plan_and_hold_through_the_pages(client):
    chair = manager()
    client.force_login(chair)
    response = client.post(reverse("management:plan"), {
        "plan-title": "2026年下半年管理評審", "plan-meeting_date": "2026-11-27", "plan-chair": chair.pk,
        "plan-agenda": "顧客滿意度",
    })
    meeting = ReviewMeeting.objects.get()
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()

    page = client.get(meeting.get_absolute_url()).content.decode()
    assert 'id="hold-form"' in page and "顧客滿意度" in page

    refused = client.post(reverse("management:hold", args=[meeting.pk]), {"hold-minutes": "  "})
    assert refused.status_code == 200 and 'id="hold-form"' in refused.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED

    client.post(reverse("management:hold", args=[meeting.pk]), {"hold-minutes": "決議：改善交貨。"})
    owner = qc_head()
    client.post(reverse("management:action-add", args=[meeting.pk]), {
        "action-description": "客訴分析", "action-owner": owner.pk, "action-due_date": "2026-12-31",
    })
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD and meeting.actions.get().owner == owner


def test_r_5_6_7_owner_reports_done_on_the_page_and_someone_else_cannot():
    from django.test import Client

    owner, other = qc_head(), sales_head()
    meeting = held(meeting_date=dt.date(2026, 11, 20),
                   actions=[{"description": "客訴分析", "owner": owner, "due_date": dt.date(2026, 12, 31)}])
    action = meeting.actions.get()
    data = {f"complete-{action.pk}-action": action.pk, f"complete-{action.pk}-outcome": "完成"}

    stranger = Client()
    stranger.force_login(other)
    page = stranger.get(meeting.get_absolute_url()).content.decode()
    assert "complete-form" not in page
    response = stranger.post(reverse("management:action-complete", args=[meeting.pk]), data)
    # The owner rule refuses who the user is: 403, the refusal on the action's form.
    assert response.status_code == 403 and "only its owner" in response.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN

    mine = Client()
    mine.force_login(owner)
    assert "complete-form" in mine.get(meeting.get_absolute_url()).content.decode()
    mine.post(reverse("management:action-complete", args=[meeting.pk]), data)
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.outcome == "完成"


def test_calendar_lists_meetings_and_my_actions(client):
    owner = sales_head()
    held(meeting_date=dt.date(2026, 6, 15),
         actions=[{"description": "提高準時交貨率", "owner": owner, "due_date": dt.date(2026, 9, 30)}])
    upcoming = planned(meeting_date=dt.date(2026, 12, 15))
    client.force_login(owner)
    html = client.get(reverse("management:calendar")).content.decode()
    assert upcoming.number in html and 'id="my-actions"' in html and "提高準時交貨率" in html
    assert 'id="plan-form"' not in html  # a department head does not plan reviews


def test_inbox_shows_the_owners_open_actions_overdue_first():
    owner = qc_head()
    held(meeting_date=dt.date(2026, 6, 15), actions=[
        {"description": "later", "owner": owner, "due_date": dt.date(2027, 1, 31)},
        {"description": "late", "owner": owner, "due_date": dt.date(2026, 10, 31)},
    ])
    items = [item for item in inbox_for(user=owner) if item.kind == "review_action"]
    assert [(item.title.rsplit(": ", 1)[1], item.overdue) for item in items] == [("late", True), ("later", False)]
    assert inbox_for(user=UserFactory(roles=[Role.WAREHOUSE_CLERK])) == []


def test_api_plan_hold_add_complete_cancel(api_client):
    chair, owner = manager(), qc_head()
    api_client.force_authenticate(chair)
    created = api_client.post("/api/v1/review-meetings/", {
        "title": "管理評審", "meeting_date": "2026-11-27", "chair": chair.pk, "participants": [owner.pk],
    }, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    refused = api_client.post(f"/api/v1/review-meetings/{pk}/hold/", {"minutes": ""}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "review_minutes_required"
    held_meeting = api_client.post(f"/api/v1/review-meetings/{pk}/hold/", {
        "minutes": "紀要", "actions": [{"description": "x", "owner": owner.pk, "due_date": "2026-12-31"}],
    }, format="json")
    assert held_meeting.status_code == 200 and held_meeting.json()["status"] == "held"
    no_reason = api_client.patch(f"/api/v1/review-meetings/{pk}/", {"minutes": "改"}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["fields"] == {"reason": [no_reason.json()["message"]]}
    added = api_client.post(f"/api/v1/review-meetings/{pk}/actions/", {
        "description": "y", "owner": owner.pk, "due_date": "2027-01-31"}, format="json")
    assert added.status_code == 201
    action_pk = added.json()["id"]

    api_client.force_authenticate(sales_head())
    assert api_client.post(f"/api/v1/review-actions/{action_pk}/complete/", {"outcome": "done"},
                           format="json").status_code == 403
    api_client.force_authenticate(owner)
    done = api_client.post(f"/api/v1/review-actions/{action_pk}/complete/", {"outcome": "done"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert api_client.post(f"/api/v1/review-meetings/{pk}/cancel/", {"reason": "x"}, format="json").status_code == 403


@pytest.mark.parametrize("role,can_plan", [(Role.MANAGEMENT, True), (Role.QC_HEAD, False), (Role.SALES_STAFF, False)])
def test_api_planning_is_for_management_only(api_client, role, can_plan):
    api_client.force_authenticate(UserFactory(roles=[role]))
    response = api_client.post("/api/v1/review-meetings/", {
        "title": "x", "meeting_date": "2026-12-15", "chair": manager().pk}, format="json")
    assert (response.status_code == 201) == can_plan
    assert api_client.get("/api/v1/review-meetings/").status_code == 200
