"""R-5.6, R-4: the survey API: Sales plans, sends and enters; QC and management read; refusals as errors."""

import datetime as dt

import pytest

from liaison.core import clock
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory
from liaison.reviews.tests.factories import planned
from liaison.satisfaction.models import SurveyForm, SurveyRound
from liaison.satisfaction.tests.factories import customer_with_contact, scores, sent_round

D = dt.date


def test_r_5_6_3_sales_plans_and_sends_through_the_api(api_client, sales, django_capture_on_commit_callbacks):
    review = planned(meeting_date=D(2027, 1, 27))  # round planned for 2026-11-27, today
    customers = [customer_with_contact(), customer_with_contact()]
    api_client.force_authenticate(sales)
    plan = api_client.post("/api/v1/survey-rounds/", {"meeting": review.pk}, format="json")
    assert plan.status_code == 201, plan.data
    assert plan.data["planned_send_on"] == "2026-11-27" and plan.data["status"] == "planned"
    with django_capture_on_commit_callbacks(execute=True):
        sent = api_client.post(f"/api/v1/survey-rounds/{plan.data['id']}/send/",
                               {"customers": [c.pk for c in customers], "channel": "email"}, format="json")
    assert sent.status_code == 201, sent.data
    assert {row["state"] for row in sent.data} == {"sent"} and len(sent.data) == 2
    listed = api_client.get("/api/v1/survey-forms/", {"round": plan.data["id"], "state": "sent"})
    assert listed.status_code == 200 and listed.data["count"] == 2
    form_id = sent.data[0]["id"]
    entered = api_client.post(f"/api/v1/survey-forms/{form_id}/enter/", {"scores": scores(5, 4, 2, 4, 4)},
                              format="json")
    assert entered.status_code == 200, entered.data
    assert entered.data["state"] == "returned" and len(entered.data["scores"]) == 5
    again = api_client.post(f"/api/v1/survey-forms/{form_id}/enter/", {"scores": scores()}, format="json")
    assert again.status_code == 409 and again.data["code"] == "form_already_returned"


def test_r_5_6_4_bad_score_is_a_400_with_code(api_client, sales):
    _round, (form,) = sent_round(meeting_date=D(2027, 1, 27), customers=[customer_with_contact()], actor=sales,
                                 send_on=clock.today())
    api_client.force_authenticate(sales)
    response = api_client.post(f"/api/v1/survey-forms/{form.pk}/enter/", {"scores": scores(4, 4, 4, 4, 9)},
                               format="json")
    assert response.status_code == 400 and response.data["code"] == "score_out_of_range"
    assert SurveyForm.objects.get(pk=form.pk).returned_on is None


@pytest.mark.parametrize("role", [Role.QC_HEAD, Role.MANAGEMENT])
def test_r_4_qc_and_management_read_but_do_not_send(api_client, sales, role):
    survey_round, (form,) = sent_round(meeting_date=D(2027, 1, 27), customers=[customer_with_contact()],
                                       actor=sales, send_on=clock.today())
    api_client.force_authenticate(UserFactory(roles=[role]))
    assert api_client.get("/api/v1/survey-forms/").data["count"] == 1
    assert api_client.get(f"/api/v1/survey-rounds/{survey_round.pk}/").status_code == 200
    review = planned(meeting_date=D(2027, 6, 1))
    refused = api_client.post("/api/v1/survey-rounds/", {"meeting": review.pk}, format="json")
    assert refused.status_code == 403
    refused = api_client.post(f"/api/v1/survey-forms/{form.pk}/enter/", {"scores": scores()}, format="json")
    assert refused.status_code == 403 and SurveyRound.objects.count() == 1


def test_r_4_workshop_sees_no_surveys(db, api_client):
    api_client.force_authenticate(UserFactory(roles=[Role.WORKSHOP_LEAD]))
    assert api_client.get("/api/v1/survey-forms/").status_code == 403
    assert api_client.get("/api/v1/survey-rounds/").status_code == 403


def test_r_5_6_3_chase_run_through_the_api(api_client, sales):
    sent_round(meeting_date=D(2027, 1, 27), customers=[customer_with_contact()], actor=sales, send_on=D(2026, 11, 1))
    api_client.force_authenticate(sales)
    with clock.frozen(D(2026, 11, 16)):
        first = api_client.post("/api/v1/survey-forms/chase-run/")
        second = api_client.post("/api/v1/survey-forms/chase-run/")
    assert first.status_code == 200 and len(first.data["chased"]) == 1
    assert second.data["chased"] == []
