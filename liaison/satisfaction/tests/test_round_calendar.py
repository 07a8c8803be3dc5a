"""R-5.6.3: a survey round follows its management review, goes out in its window, and waits in Sales' inbox."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.tests.factories import manager, qc_head
from liaison.customers.models import TimelineEntry
from liaison.customers.states import TimelineEvent
from liaison.reviews import services as review_services
from liaison.reviews.models import ReviewMeeting
from liaison.reviews.tests.factories import planned
from liaison.satisfaction import services
from liaison.satisfaction.models import SurveyForm, SurveyRound
from liaison.satisfaction.states import RoundStatus
from liaison.satisfaction.tests.factories import customer_with_contact, sent_round
from liaison.workspace.inbox import inbox_for

pytestmark = pytest.mark.django_db

D = dt.date


def _planned_round(sales, meeting_date=D(2027, 3, 15)) -> SurveyRound:
    return services.round_plan(meeting=planned(meeting_date=meeting_date), actor=sales)


def _round_state(survey_round: SurveyRound):
    survey_round = SurveyRound.objects.get(pk=survey_round.pk)
    return (survey_round.status, survey_round.planned_send_on, survey_round.sent_at, survey_round.history.count(),
            SurveyForm.objects.filter(round=survey_round).count(),
            TimelineEntry.objects.filter(event=TimelineEvent.SURVEY_SENT).count())


# --- the round follows its meeting ---------------------------------------------------------------


def test_r_5_6_3_moving_the_review_moves_its_planned_round(sales):
    survey_round = _planned_round(sales)
    assert survey_round.planned_send_on == D(2027, 1, 15)
    meeting = survey_round.meeting
    review_services.meeting_update(meeting=meeting, meeting_date=D(2027, 4, 30), actor=meeting.chair)

    survey_round.refresh_from_db()
    assert survey_round.planned_send_on == D(2027, 2, 28)  # two months before, clamped to February's end
    assert survey_round.status == RoundStatus.PLANNED
    assert survey_round.history.first().history_change_reason == f"Moved with {ReviewMeeting.objects.get()}"


def test_r_5_6_3_the_lead_time_is_a_procedure_setting(sales, settings):
    settings.LIAISON_PROCEDURE = {"SURVEY_LEAD_MONTHS": 3}
    survey_round = _planned_round(sales)
    assert survey_round.planned_send_on == D(2026, 12, 15)
    review_services.meeting_update(meeting=survey_round.meeting, meeting_date=D(2027, 5, 20),
                                   actor=survey_round.meeting.chair)
    survey_round.refresh_from_db()
    assert survey_round.planned_send_on == D(2027, 2, 20)


def test_r_5_6_3_cancelling_the_review_cancels_its_planned_round(sales):
    survey_round = _planned_round(sales)
    meeting = survey_round.meeting
    review_services.meeting_cancel(meeting=meeting, reason="董事長出差", actor=meeting.chair)

    survey_round.refresh_from_db()
    assert survey_round.status == RoundStatus.CANCELLED
    assert survey_round.history.first().history_change_reason == f"Cancelled with {meeting}: 董事長出差"
    with pytest.raises(LiaisonError) as refused:
        with clock.frozen(survey_round.planned_send_on):
            services.round_send(survey_round=survey_round, customers=[customer_with_contact()], channel="email",
                                actor=sales, reason="照樣寄出")
    assert refused.value.code == "round_cancelled" and refused.value.conflict
    assert SurveyForm.objects.count() == 0


def test_r_5_6_3_a_sent_round_stays_when_its_review_is_cancelled(sales):
    survey_round, forms = sent_round(meeting_date=D(2027, 1, 27), customers=[customer_with_contact()], actor=sales)
    meeting = survey_round.meeting
    review_services.meeting_cancel(meeting=meeting, reason="改期", actor=meeting.chair)
    survey_round.refresh_from_db()
    assert survey_round.status == RoundStatus.SENT and len(forms) == 1


def test_r_5_6_3_a_review_cannot_move_before_its_round_was_sent(sales):
    survey_round, _forms = sent_round(meeting_date=D(2027, 1, 27), customers=[customer_with_contact()], actor=sales)
    meeting = survey_round.meeting
    before = _round_state(survey_round)
    with pytest.raises(LiaisonError) as refused:
        review_services.meeting_update(meeting=meeting, meeting_date=D(2026, 11, 26), actor=meeting.chair)
    assert refused.value.code == "meeting_before_round_sent" and refused.value.field == "meeting_date"
    # Refused in the meeting's own transaction: the meeting keeps its date too.
    assert ReviewMeeting.objects.get(pk=meeting.pk).meeting_date == D(2027, 1, 27)
    assert _round_state(survey_round) == before
    review_services.meeting_update(meeting=meeting, meeting_date=D(2026, 12, 20), actor=meeting.chair)
    assert ReviewMeeting.objects.get(pk=meeting.pk).meeting_date == D(2026, 12, 20)


# --- the send window -----------------------------------------------------------------------------


def _send(survey_round, day, sales, reason=""):
    with clock.frozen(day):
        return services.round_send(survey_round=survey_round, customers=[customer_with_contact()],
                                   channel="email", actor=sales, reason=reason)


def test_r_5_6_3_sending_before_the_planned_day_needs_a_reason(sales):
    survey_round = _planned_round(sales)  # goes out 2027-01-15
    before = _round_state(survey_round)
    with pytest.raises(LiaisonError) as refused:
        _send(survey_round, D(2027, 1, 14), sales, reason="   ")
    assert refused.value.code == "send_before_window" and refused.value.field == "reason"
    assert "2027-01-15" in str(refused.value)
    assert _round_state(survey_round) == before

    (form,) = _send(survey_round, D(2027, 1, 14), sales, reason="客戶春節前停工，提早寄出")
    survey_round.refresh_from_db()
    assert survey_round.status == RoundStatus.SENT
    assert form.send_reason == "客戶春節前停工，提早寄出"
    assert "客戶春節前停工，提早寄出" in form.history.first().history_change_reason
    assert "客戶春節前停工，提早寄出" in survey_round.history.first().history_change_reason


def test_r_5_6_3_sending_from_the_planned_day_to_the_meeting_needs_no_reason(sales):
    survey_round = _planned_round(sales)
    (first,) = _send(survey_round, D(2027, 1, 15), sales)
    (last,) = _send(survey_round, D(2027, 3, 15), sales)  # the meeting's own day
    assert first.send_reason == last.send_reason == ""


def test_r_5_6_3_sending_after_the_meeting_needs_a_reason(sales):
    survey_round = _planned_round(sales)
    _send(survey_round, D(2027, 1, 15), sales)
    before = _round_state(survey_round)
    with pytest.raises(LiaisonError) as refused:
        _send(survey_round, D(2027, 3, 16), sales)
    assert refused.value.code == "send_after_meeting" and "2027-03-15" in str(refused.value)
    assert _round_state(survey_round) == before
    (form,) = _send(survey_round, D(2027, 3, 16), sales, reason="客戶要求補發")
    assert form.send_reason == "客戶要求補發"
    assert survey_round.history.first().history_change_reason == "Sent outside its window (after): 客戶要求補發"


def test_r_5_6_3_sending_once_the_meeting_is_held_needs_a_reason(sales):
    survey_round = _planned_round(sales, meeting_date=D(2027, 1, 20))
    _send(survey_round, D(2026, 11, 20), sales)
    meeting = survey_round.meeting
    with clock.frozen(D(2027, 1, 20)):
        review_services.meeting_hold(meeting=meeting, minutes="評審完畢", actor=meeting.chair)
    with pytest.raises(LiaisonError) as refused:
        _send(survey_round, D(2027, 1, 20), sales)
    assert refused.value.code == "send_after_meeting"


# --- Sales' inbox on the planned day -------------------------------------------------------------


def _kinds(user, day):
    with clock.frozen(day):
        return [(item.kind, item.due_date, item.overdue) for item in inbox_for(user=user)
                if item.kind == "survey_round_send"]


def test_r_5_6_3_sales_inbox_has_the_round_on_its_planned_day(sales):
    survey_round = _planned_round(sales)  # goes out 2027-01-15; no scheduled job runs in this test
    assert _kinds(sales, D(2027, 1, 14)) == []
    assert _kinds(sales, D(2027, 1, 15)) == [("survey_round_send", D(2027, 1, 15), False)]
    assert _kinds(sales, D(2027, 1, 20)) == [("survey_round_send", D(2027, 1, 15), True)]
    assert _kinds(qc_head(), D(2027, 1, 15)) == [] and _kinds(manager(), D(2027, 1, 15)) == []

    _send(survey_round, D(2027, 1, 20), sales)
    assert _kinds(sales, D(2027, 1, 20)) == []


def test_r_5_6_3_a_cancelled_round_leaves_the_inbox(sales):
    survey_round = _planned_round(sales)
    review_services.meeting_cancel(meeting=survey_round.meeting, reason="取消", actor=survey_round.meeting.chair)
    assert _kinds(sales, D(2027, 1, 15)) == []


def test_r_5_6_3_the_send_page_asks_for_the_reason_outside_the_window(client_as, sales, english):
    survey_round = _planned_round(sales)  # goes out 2027-01-15
    customer = customer_with_contact()
    url = reverse("satisfaction:round-send", args=[survey_round.pk])
    client = client_as(sales)
    with clock.frozen(D(2027, 1, 10)):
        response = client.post(url, {"send-customers": [customer.pk], "send-channel": "fax"})
        page = response.content.decode()
        assert response.status_code == 200 and "give the reason" in page
        assert re.search(r'id="send-reason".*?goes out from 2027-01-15', page, re.S)
        assert not SurveyForm.objects.exists()

        response = client.post(url, {"send-customers": [customer.pk], "send-channel": "fax",
                                     "send-reason": "客戶月底盤點，提早寄出"})
    assert response.status_code == 302
    assert SurveyForm.objects.get(round=survey_round).send_reason == "客戶月底盤點，提早寄出"
