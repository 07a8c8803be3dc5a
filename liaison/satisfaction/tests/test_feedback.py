"""R-5.6.2, R-5.6.5, R-5.6.6: satisfaction from surveys, interviews and feedback; dissatisfaction at the threshold."""

import datetime as dt

import pytest
from django.urls import reverse

from liaison.communications.models import CommunicationRecord
from liaison.communications.states import CommunicationChannel
from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.tests.factories import manager, qc_head, workshop
from liaison.customers.models import TimelineEntry
from liaison.customers.states import TimelineEvent
from liaison.satisfaction import analysis, selectors, services
from liaison.satisfaction.models import SurveyForm
from liaison.satisfaction.states import FormState
from liaison.satisfaction.tests.factories import customer_with_contact, scores, sent_round
from liaison.workspace.inbox import inbox_for

pytestmark = pytest.mark.django_db

D = dt.date


def test_r_5_6_2_satisfaction_comes_from_surveys_interviews_and_feedback(sales):
    """The round's analysis counts its survey forms and the interviews and feedback of its period, all three."""
    survey_round, (surveyed,) = sent_round(meeting_date=D(2026, 12, 15), customers=[customer_with_contact()],
                                           actor=sales)  # sent 2026-10-15
    with clock.frozen(D(2026, 10, 20)):
        services.form_answer_online(token=surveyed.answer_token, scores=scores(5, 5, 5, 5, 5))
    with clock.frozen(D(2026, 11, 2)):
        services.satisfaction_record(customer=customer_with_contact(), source="interview", channel="in_person",
                                     scores=scores(3, 3, 3, 3, 3), actor=sales)
        services.satisfaction_record(customer=customer_with_contact(), source="feedback", channel="email",
                                     scores=scores(1, 1, 1, 1, 1), actor=sales)

    result = analysis.round_analysis(survey_round=survey_round)
    assert sorted(row.source for row in result.customers) == ["feedback", "interview", "survey"]
    assert result.other_sources == 2 and result.customers_total == 3
    assert result.response_rate == 100.0  # interviews and feedback are not in the rate
    assert result.weighted_index == 3.0  # (5 + 3 + 1) / 3: every source counts in the figures
    assert [(item.score, item.count) for item in result.distribution] == [(1, 5), (2, 0), (3, 5), (4, 0), (5, 5)]


def test_r_5_6_5_feedback_entered_on_a_survey_form_like_an_interview(sales):
    customer = customer_with_contact()
    form = services.satisfaction_record(customer=customer, source="feedback", channel="email",
                                        scores=scores(4, 3, 4, 4, 5), comments="來信表示交期可再縮短",
                                        occurred_on=D(2026, 11, 20), actor=sales)

    form = SurveyForm.objects.get(pk=form.pk)
    assert (form.source, form.channel, form.round_id, form.returned_on) == ("feedback", "email", None,
                                                                              D(2026, 11, 20))
    assert form.number.startswith("CSS-2026-") and form.state() == FormState.RETURNED
    assert SurveyForm.objects.counted().filter(pk=form.pk).exists()
    assert form.get_source_display() == "Customer feedback"
    line = CommunicationRecord.objects.get(customer=customer, about_id=form.pk)
    assert line.channel == CommunicationChannel.EMAIL and form.number in line.summary
    assert TimelineEntry.objects.filter(customer=customer, event=TimelineEvent.SATISFACTION_ENTERED).count() == 1


@pytest.mark.parametrize(("source", "channel", "code"), [("survey", "email", "source_invalid"),
                                                          ("feedback", "pigeon", "channel_invalid")])
def test_r_5_6_5_feedback_form_bad_input_changes_nothing(sales, source, channel, code):
    customer = customer_with_contact()
    with pytest.raises(LiaisonError) as refused:
        services.satisfaction_record(customer=customer, source=source, channel=channel, scores=scores(), actor=sales)
    assert refused.value.code == code
    assert not SurveyForm.objects.exists() and not CommunicationRecord.objects.filter(customer=customer).exists()


# --- the threshold, both sides ------------------------------------------------------------------


def _recorded(sales, lowest: int) -> SurveyForm:
    return services.satisfaction_record(customer=customer_with_contact(), source="interview",
                                        scores=scores(5, 5, lowest, 5, 5), actor=sales)


@pytest.mark.parametrize(("threshold", "lowest", "dissatisfied"), [(3, 3, False), (3, 2, True),
                                                                   (4, 4, False), (4, 3, True)])
def test_r_5_6_6_a_score_equal_to_the_threshold_is_not_dissatisfied_one_under_is(
    sales, settings, threshold, lowest, dissatisfied
):
    settings.LIAISON_PROCEDURE = {"SURVEY_DISSATISFACTION_THRESHOLD": threshold}
    form = _recorded(sales, lowest)
    assert (list(selectors.dissatisfied_without_capa()) == [form]) is dissatisfied
    raise_capa = lambda: services.dissatisfaction_raise(  # noqa: E731
        form=form, department=workshop(), problem="價格偏高", effectiveness_criterion="下一輪不低於門檻",
        actor=qc_head(),
    )
    if dissatisfied:
        assert raise_capa().capa is not None
        assert list(selectors.dissatisfied_without_capa()) == []
    else:
        with pytest.raises(LiaisonError) as refused:
            raise_capa()
        assert refused.value.code == "not_dissatisfied" and SurveyForm.objects.get(pk=form.pk).capa_id is None


# --- QC's list -----------------------------------------------------------------------------------


def _dissatisfied_items(user):
    return [(item.kind, item.link, item.overdue) for item in inbox_for(user=user) if item.kind == "survey_dissatisfied"]


def test_r_5_6_6_dissatisfied_forms_without_a_capa_wait_in_qcs_inbox(sales):
    qc = qc_head()
    unhappy = _recorded(sales, 2)
    _recorded(sales, 3)  # at the threshold: satisfied enough
    assert _dissatisfied_items(qc) == [("survey_dissatisfied", f"/satisfaction/forms/{unhappy.pk}/#capa", False)]
    assert _dissatisfied_items(sales) == [] and _dissatisfied_items(manager()) == []

    services.dissatisfaction_raise(form=unhappy, department=workshop(), problem="質量不滿意",
                                   effectiveness_criterion="下一輪不低於3分", actor=qc)
    assert _dissatisfied_items(qc) == []


# --- the page ------------------------------------------------------------------------------------


def _record_body(customer, **changes):
    body = {"record-customer": customer.pk, "record-source": "feedback", "record-channel": "email",
            "record-occurred_on": "2026-11-20", "record-comments": "來信稱讚包裝改善"}
    body.update({f"record-score_{code}": value for code, value in scores(5, 4, 4, 4, 5).items()})
    body.update(changes)
    return body


def test_r_5_6_5_sales_records_feedback_from_the_rounds_page(client_as, sales, english):
    customer = customer_with_contact(registered_name="寧波永興模具有限公司")
    client = client_as(sales)
    page = client.get(reverse("satisfaction:rounds") + "?record_q=永興").content.decode()
    assert 'id="satisfaction-record"' in page and "寧波永興模具有限公司" in page

    response = client.post(reverse("satisfaction:record"), _record_body(customer))
    form = SurveyForm.objects.get(customer=customer)
    assert response.status_code == 302 and response["Location"] == form.get_absolute_url()
    assert (form.source, form.channel, form.returned_on, form.comments) == ("feedback", "email", D(2026, 11, 20),
                                                                            "來信稱讚包裝改善")
    assert {s.criterion.code: s.score for s in form.scores.all()} == scores(5, 4, 4, 4, 5)


def test_r_5_6_5_a_refused_feedback_form_keeps_the_input_and_saves_nothing(client_as, sales, english):
    customer = customer_with_contact(registered_name="寧波永興模具有限公司")
    body = _record_body(customer, **{"record-score_price": "", "record-occurred_on": "2026-11-30"})
    response = client_as(sales).post(reverse("satisfaction:record"), body)
    page = response.content.decode()
    assert response.status_code == 200 and "is after today" in page and "來信稱讚包裝改善" in page
    assert not SurveyForm.objects.exists()


def test_r_5_6_5_qc_may_not_record_feedback(client_as, sales):
    customer = customer_with_contact()
    assert 'id="satisfaction-record"' not in client_as(qc_head()).get(reverse("satisfaction:rounds")).content.decode()
    assert client_as(qc_head()).post(reverse("satisfaction:record"), _record_body(customer)).status_code == 403
    assert not SurveyForm.objects.exists()
