"""Acceptance story 6 (R-5.6.3, R-5.6.6; R-1.3): a survey round planned from the review calendar runs itself."""

import datetime as dt

import pytest
from django.core import mail

from liaison.core import clock
from liaison.core.tests.factories import workshop
from liaison.customers.models import TimelineEntry
from liaison.customers.states import TimelineEvent
from liaison.quality.states import CapaSource
from liaison.reviews.tests.factories import planned
from liaison.satisfaction import selectors, services
from liaison.satisfaction.analysis import round_analysis
from liaison.satisfaction.models import SurveyForm
from liaison.satisfaction.states import FormState, RoundStatus
from liaison.satisfaction.tests.factories import customer_with_contact, scores

D = dt.date


@pytest.fixture
def story(db, sales, django_capture_on_commit_callbacks):
    """Review on 2026-12-15; the round goes out on 2026-10-15 to five customers (four by e-mail, one by fax)."""
    with clock.frozen(D(2026, 9, 1)):
        review = planned(meeting_date=D(2026, 12, 15))
        survey_round = services.round_plan(meeting=review, actor=sales)
    customers = [customer_with_contact() for _ in range(4)]
    fax_customer = customer_with_contact(email=False)
    with clock.frozen(D(2026, 10, 15)), django_capture_on_commit_callbacks(execute=True):
        emailed = services.round_send(survey_round=survey_round, customers=customers, channel="email", actor=sales)
        faxed = services.round_send(survey_round=survey_round, customers=[fax_customer], channel="fax", actor=sales)
    return survey_round, emailed, faxed[0]


def _events(form, event):
    return TimelineEntry.objects.filter(customer=form.customer, event=event).count()


def test_story_6_survey_round_runs_itself(story, sales, django_capture_on_commit_callbacks):
    survey_round, (unhappy, on_time, late, silent), faxed = story
    # Planned two months before the review; the forms went out that day, one e-mail per e-mailed customer.
    assert survey_round.planned_send_on == D(2026, 10, 15)
    survey_round.refresh_from_db()
    assert survey_round.status == RoundStatus.SENT
    assert len(mail.outbox) == 4
    assert {m.to[0] for m in mail.outbox} == {f.contact.email for f in (unhappy, on_time, late, silent)}
    assert all(f.chase_due_on == D(2026, 10, 30) and f.valid_until == D(2026, 12, 15) for f in (unhappy, faxed))
    assert _events(unhappy, TimelineEvent.SURVEY_SENT) == 1

    # The unhappy customer answers online on 2026-10-20: delivery scored 2.
    with clock.frozen(D(2026, 10, 20)):
        services.form_answer_online(token=unhappy.answer_token, scores=scores(4, 2, 3, 4, 4), comments="交期經常延誤")

    # Day 14: nothing is chased yet; day 15: every unreturned e-mailed form is chased, once.
    with clock.frozen(D(2026, 10, 29)), django_capture_on_commit_callbacks(execute=True):
        assert services.surveys_chase_due() == []
        assert list(selectors.forms_to_chase_by_hand()) == []
    with clock.frozen(D(2026, 10, 30)), django_capture_on_commit_callbacks(execute=True):
        chased = services.surveys_chase_due()
        again = services.surveys_chase_due()
        by_hand = list(selectors.forms_to_chase_by_hand())
    assert sorted(f.number for f in chased) == sorted(f.number for f in (on_time, late, silent))
    assert again == []
    assert len(mail.outbox) == 4 + 3
    assert by_hand == [faxed]  # the fax customer is left to Sales to phone or fax
    for form in (on_time, late, silent):
        form.refresh_from_db()
        assert form.chased_at is not None and form.chase_channel == "email"
        assert _events(form, TimelineEvent.SURVEY_CHASED) == 1

    # Returned on the last valid day it counts; one day later it is void, kept and left out.
    with clock.frozen(D(2026, 12, 15)):
        services.form_enter(form=on_time, scores=scores(5, 4, 4, 5, 5), returned_on=D(2026, 12, 15), actor=sales)
    with clock.frozen(D(2026, 12, 16)):
        services.form_enter(form=late, scores=scores(3, 3, 3, 3, 3), returned_on=D(2026, 12, 16), actor=sales)
        states = dict(selectors.form_list(survey_round=survey_round).values_list("number", "state"))
        counted = set(SurveyForm.objects.filter(round=survey_round).counted().values_list("number", flat=True))
        closed = services.rounds_close_finished()
    assert states == {
        unhappy.number: FormState.RETURNED,
        on_time.number: FormState.RETURNED,
        late.number: FormState.VOID_LATE,
        silent.number: FormState.EXPIRED,
        faxed.number: FormState.EXPIRED,
    }
    assert counted == {unhappy.number, on_time.number}
    late.refresh_from_db()
    assert late.scores.count() == 5 and late.returned_on == D(2026, 12, 16)  # nothing typed is lost
    assert _events(late, TimelineEvent.SURVEY_VOIDED) == 1
    assert _events(on_time, TimelineEvent.SURVEY_RETURNED) == 1
    assert closed == [survey_round]

    # The unhappy customer waits for QC's CAPA request.
    assert list(selectors.dissatisfied_without_capa()) == [unhappy]


def test_story_6_unhappy_customer_gets_a_capa(story, qc):
    _round, (unhappy, *_rest), _faxed = story
    with clock.frozen(D(2026, 10, 20)):
        services.form_answer_online(token=unhappy.answer_token, scores=scores(4, 2, 3, 4, 4))
    with clock.frozen(D(2026, 11, 2)):
        form = services.dissatisfaction_raise(
            form=unhappy, department=workshop(), problem="交期延誤，客戶對交貨評2分", actor=qc,
            effectiveness_criterion="下一輪調查交期評分不低於4分",
        )
    assert form.capa is not None and form.capa.source_kind == CapaSource.SURVEY and form.capa.source == form
    assert form.capa.customer == form.customer
    assert list(selectors.dissatisfied_without_capa()) == []
    assert _events(form, TimelineEvent.DISSATISFACTION_RAISED) == 1


def test_r_1_3_satisfaction_is_surveyed_and_evaluated(story, sales):
    survey_round, (unhappy, on_time, _late, _silent), _faxed = story
    with clock.frozen(D(2026, 10, 20)):
        services.form_answer_online(token=unhappy.answer_token, scores=scores(4, 2, 3, 4, 4), comments="交期經常延誤")
    with clock.frozen(D(2026, 12, 15)):
        services.form_enter(form=on_time, scores=scores(5, 4, 4, 5, 5), returned_on=D(2026, 12, 15), actor=sales)
    with clock.frozen(D(2026, 12, 20)):
        analysis = round_analysis(survey_round=survey_round)
    # Surveyed: five forms sent, two returned in time.
    assert (analysis.sent, analysis.returned, analysis.response_rate) == (5, 2, 40.0)
    # Evaluated: each criterion's mean, the weighted index (weights 0.3, 0.25, 0.15, 0.15, 0.15) ...
    assert [(c.code, c.mean) for c in analysis.criteria] == [
        ("quality", 4.5), ("delivery", 3.0), ("price", 3.5), ("service", 4.5), ("communication", 4.5)
    ]
    assert analysis.weighted_index == pytest.approx(3.975, abs=0.006)  # to two places
    # ... and who is dissatisfied (delivery scored 2): the unhappy customer, not the other.
    assert {row.form_number: row.dissatisfied for row in analysis.customers} == {
        unhappy.number: True,
        on_time.number: False,
    }
    assert analysis.dissatisfied_count == 1
