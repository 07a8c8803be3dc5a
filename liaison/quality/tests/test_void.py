"""Voiding a complaint registered in error, on its page and through the API (R-5.5.1.1, R-5.7).

Only the Sales head voids, only before QC investigates, and only with a reason; the number
stays in the register. A refusal changes nothing and comes back on the form, input kept.
"""

import pytest
from django.urls import reverse

from liaison.core.roles import Role
from liaison.core.tests.db import data_migration_run
from liaison.core.tests.factories import UserFactory, frozen_today, local, qc_inspector, sales
from liaison.customers.models import TimelineEntry
from liaison.customers.states import TimelineEvent
from liaison.quality.states import ComplaintStatus
from liaison.quality.tests.factories import acknowledged, closed, complaint, investigated, voided

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


today = frozen_today(local(2026, 5, 4))


def head():
    return UserFactory(roles=[Role.SALES_HEAD])


def page_of(record) -> str:
    return reverse("quality:complaint", args=[record.pk])


def void_url(record) -> str:
    return reverse("quality:void", args=[record.pk])


def state(record) -> tuple:
    record.refresh_from_db()
    return record.status, record.void_reason, record.history.count()


# --- the page ------------------------------------------------------------------------------------


def test_r_5_5_1_1_the_void_form_is_shown_to_the_sales_head_before_the_investigation_only(client):
    registered, taken, looked_into = complaint(), acknowledged(), investigated()
    client.force_login(head())
    for record, shown in [(registered, True), (taken, True), (looked_into, False)]:
        page = client.get(page_of(record)).content.decode()
        assert ('id="complaint-void"' in page) is shown, record.status
    for someone in (sales(), qc_inspector(), UserFactory(roles=[Role.SALES_ADMIN])):
        client.force_login(someone)
        assert 'id="complaint-void"' not in client.get(page_of(registered)).content.decode()


def test_r_5_5_1_1_the_sales_head_voids_on_the_page_and_the_number_stays(client):
    record = acknowledged()
    client.force_login(head())
    response = client.post(void_url(record), {"void-reason": "同一投訴重複登記"}, follow=True)
    assert response.redirect_chain[-1][0].startswith(page_of(record))
    status, reason, _history = state(record)
    assert (status, reason) == (ComplaintStatus.VOID, "同一投訴重複登記")
    page = response.content.decode()
    assert f"{record.number} is void" in page and "同一投訴重複登記" in page
    assert 'id="complaint-void"' not in page  # nothing more to void
    # The customer's timeline says it was voided, not closed (one event per fact).
    events = set(record.customer.timeline.values_list("event", flat=True))
    assert TimelineEvent.COMPLAINT_VOIDED in events and TimelineEvent.COMPLAINT_CLOSED not in events


def test_r_5_5_1_1_void_without_a_reason_is_refused_on_the_form(client):
    record = complaint()
    before = state(record)
    client.force_login(head())
    response = client.post(void_url(record), {"void-reason": "   "})
    assert response.status_code == 200
    assert response.context["void_form"].errors["reason"]
    assert state(record) == before


def test_r_5_5_1_2_investigated_meanwhile_the_refusal_is_on_the_form_with_the_reason_kept(client):
    record = investigated()  # the page was opened before QC investigated
    before = state(record)
    client.force_login(head())
    response = client.post(void_url(record), {"void-reason": "客戶撤回投訴"})
    assert response.status_code == 200
    form = response.context["void_form"]
    assert form.non_field_errors() and record.number in form.non_field_errors()[0]
    page = response.content.decode()
    assert 'id="complaint-void"' in page and "客戶撤回投訴" in page
    assert state(record) == before


def test_r_4_sales_staff_cannot_void_by_posting_to_the_address(client):
    record = complaint()
    before = state(record)
    client.force_login(sales())
    response = client.post(void_url(record), {"void-reason": "duplicate"})
    assert response.status_code == 403  # refused for the role, before the form is read
    assert state(record) == before


# --- the API -------------------------------------------------------------------------------------


def api_url(record) -> str:
    return f"/api/v1/complaints/{record.pk}/void/"


def test_r_5_5_1_1_the_sales_head_voids_through_the_api(api_client):
    record = complaint()
    api_client.force_authenticate(head())
    response = api_client.post(api_url(record), {"reason": "重複登記"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["number"] == record.number and response.json()["status"] == ComplaintStatus.VOID
    assert state(record)[:2] == (ComplaintStatus.VOID, "重複登記")


def test_r_4_a_role_that_may_not_void_gets_403_whatever_it_sends(api_client):
    record = complaint()
    before = state(record)
    for someone in (sales(), qc_inspector()):
        api_client.force_authenticate(someone)
        for body in ({}, {"reason": "duplicate"}):
            response = api_client.post(api_url(record), body, format="json")
            # Refused for the role before the body is read, with the code the service refuses it with.
            assert response.status_code == 403 and response.json()["code"] == "not_allowed"
    assert state(record) == before


def test_r_5_5_1_1_api_void_needs_a_reason_and_comes_before_the_investigation(api_client):
    fresh, looked_into = complaint(), investigated()
    before = state(fresh), state(looked_into)
    api_client.force_authenticate(head())
    blank = api_client.post(api_url(fresh), {"reason": ""}, format="json")
    assert blank.status_code == 400 and "reason" in blank.json()["fields"]
    late = api_client.post(api_url(looked_into), {"reason": "duplicate"}, format="json")
    assert late.status_code == 409 and late.json()["code"] == "wrong_status"
    assert (state(fresh), state(looked_into)) == before


def test_r_5_7_voids_recorded_before_their_own_event_are_relabelled():
    # Older releases wrote a void as COMPLAINT_CLOSED ("<number> (Void): <reason>").
    void, done = voided(), closed()
    TimelineEntry.objects.filter(event=TimelineEvent.COMPLAINT_VOIDED).update(event=TimelineEvent.COMPLAINT_CLOSED)
    data_migration_run("quality", "0004_timeline_complaint_voided")
    assert set(TimelineEntry.objects.filter(event=TimelineEvent.COMPLAINT_VOIDED).values_list("about_id", flat=True)) == {
        void.pk
    }
    assert set(TimelineEntry.objects.filter(event=TimelineEvent.COMPLAINT_CLOSED).values_list("about_id", flat=True)) == {
        done.pk
    }
