"""R-5.6.2–R-5.6.6: rounds, returns, refusals and boundaries of the survey services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.roles import Role
from liaison.core.tests.db import data_migration_run
from liaison.core.tests.factories import UserFactory, workshop
from liaison.customers.models import TimelineEntry
from liaison.customers.states import TimelineEvent
from liaison.customers.tests.factories import CustomerFactory
from liaison.reviews.tests.factories import planned
from liaison.satisfaction import selectors, services
from liaison.satisfaction.dates import add_months
from liaison.satisfaction.models import QuestionnaireTemplate, SurveyForm, SurveyRound, SurveyScore
from liaison.satisfaction.states import FormState, RoundStatus
from liaison.satisfaction.tests.factories import customer_with_contact, default_template, scores, sent_round

D = dt.date


def _snapshot(form: SurveyForm):
    form = SurveyForm.objects.get(pk=form.pk)
    return (form.returned_on, form.comments, form.chased_at, form.capa_id, form.voided_at,
            SurveyScore.objects.filter(form=form).count(), form.history.count(),
            TimelineEntry.objects.filter(customer=form.customer).count())


# --- planning ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meeting_date", "send_on"),
    [(D(2026, 12, 15), D(2026, 10, 15)), (D(2026, 12, 31), D(2026, 10, 31)), (D(2027, 4, 30), D(2027, 2, 28))],
)
def test_r_5_6_3_round_planned_lead_months_before_the_review(sales, meeting_date, send_on):
    survey_round = services.round_plan(meeting=planned(meeting_date=meeting_date), actor=sales)
    assert survey_round.planned_send_on == send_on
    assert survey_round.status == RoundStatus.PLANNED
    assert survey_round.number.startswith(f"SR-{send_on.year}-")
    assert survey_round.template == default_template()


def test_r_5_6_3_one_round_per_review(sales):
    review = planned(meeting_date=D(2027, 6, 15))
    services.round_plan(meeting=review, actor=sales)
    with pytest.raises(LiaisonError) as refused:
        services.round_plan(meeting=review, actor=sales)
    assert refused.value.code == "round_exists" and refused.value.conflict
    assert SurveyRound.objects.count() == 1


def test_r_4_only_sales_plans_and_sends(qc, sales):
    review = planned(meeting_date=D(2027, 6, 15))
    with pytest.raises(LiaisonError) as refused:
        services.round_plan(meeting=review, actor=qc)
    assert refused.value.forbidden and SurveyRound.objects.count() == 0
    survey_round = services.round_plan(meeting=review, actor=sales)
    with pytest.raises(LiaisonError) as refused:
        services.round_send(survey_round=survey_round, customers=[customer_with_contact()], channel="email", actor=qc)
    assert refused.value.forbidden and SurveyForm.objects.count() == 0


# --- sending and month-end boundaries --------------------------------------------------------


@pytest.mark.parametrize(
    ("sent_on", "chase_on", "valid_until"),
    [(D(2026, 8, 31), D(2026, 9, 15), D(2026, 10, 31)), (D(2026, 12, 31), D(2027, 1, 15), D(2027, 2, 28))],
)
def test_r_5_6_3_sent_at_month_end(sales, sent_on, chase_on, valid_until):
    customer = customer_with_contact()
    with clock.frozen(sent_on - dt.timedelta(days=1)):
        review = planned(meeting_date=add_months(sent_on, 2))  # sent on its planned day
        survey_round = services.round_plan(meeting=review, actor=sales)
    with clock.frozen(sent_on):
        (form,) = services.round_send(survey_round=survey_round, customers=[customer], channel="fax", actor=sales)
    assert (form.chase_due_on, form.valid_until) == (chase_on, valid_until)
    assert form.state(today=chase_on - dt.timedelta(days=1)) == FormState.SENT
    assert form.state(today=chase_on) == FormState.CHASE_DUE
    assert form.state(today=valid_until) == FormState.CHASE_DUE
    assert form.state(today=valid_until + dt.timedelta(days=1)) == FormState.EXPIRED
    with clock.frozen(valid_until + dt.timedelta(days=1)):
        services.form_enter(form=form, scores=scores(), returned_on=valid_until, actor=sales)
    assert SurveyForm.objects.counted().filter(pk=form.pk).exists()


@pytest.mark.parametrize("days_late", [0, 1])
def test_r_5_6_3_void_after_two_months(sales, days_late):
    """Returned on the last valid day it counts; one day later it is void-late, kept and not counted."""
    _round, (form,) = sent_round(meeting_date=D(2027, 2, 1), customers=[customer_with_contact()], actor=sales,
                                 channel="post", send_on=D(2026, 10, 15))
    returned = D(2026, 12, 15) + dt.timedelta(days=days_late)
    with clock.frozen(returned):
        form = services.form_enter(form=form, scores=scores(5, 5, 5, 5, 5), comments="很好", returned_on=returned,
                                   actor=sales)
    counted = SurveyForm.objects.counted().filter(pk=form.pk).exists()
    event = TimelineEvent.SURVEY_VOIDED if days_late else TimelineEvent.SURVEY_RETURNED
    assert counted is (days_late == 0)
    assert form.state() == (FormState.VOID_LATE if days_late else FormState.RETURNED)
    assert form.scores.count() == 5 and form.comments == "很好"
    assert TimelineEntry.objects.filter(customer=form.customer, event=event).count() == 1


def test_r_5_6_3_state_annotation_matches_the_model(sales):
    customers = [customer_with_contact() for _ in range(3)]
    _round, forms = sent_round(meeting_date=D(2027, 2, 1), customers=customers, actor=sales, channel="fax",
                               send_on=D(2026, 10, 15))
    with clock.frozen(D(2026, 11, 1)):
        services.form_chase(form=forms[1], channel="phone", actor=sales, note="王經理說下週寄回")
    with clock.frozen(D(2026, 11, 20)):
        services.form_enter(form=forms[2], scores=scores(), actor=sales)
    for day in [D(2026, 10, 15), D(2026, 10, 29), D(2026, 10, 30), D(2026, 12, 15), D(2026, 12, 16)]:
        annotated = dict(SurveyForm.objects.with_state(today=day).values_list("pk", "state"))
        assert annotated == {form.pk: SurveyForm.objects.get(pk=form.pk).state(today=day) for form in forms}, day


def test_r_5_6_3_customer_in_a_round_once(sales):
    customer = customer_with_contact()
    survey_round, _forms = sent_round(meeting_date=D(2027, 2, 1), customers=[customer], actor=sales,
                                      send_on=clock.today())
    with pytest.raises(LiaisonError) as refused:
        services.round_send(survey_round=survey_round, customers=[customer], channel="fax", actor=sales,
                            reason="補寄傳真")
    assert refused.value.code == "already_in_round"
    assert SurveyForm.objects.count() == 1


def test_r_5_6_3_customer_without_contact_refused(sales):
    survey_round = services.round_plan(meeting=planned(meeting_date=D(2027, 2, 1)), actor=sales)
    with pytest.raises(LiaisonError) as refused, clock.frozen(survey_round.planned_send_on):
        services.round_send(survey_round=survey_round, customers=[CustomerFactory()], channel="post", actor=sales)
    assert refused.value.code == "no_contact"
    survey_round.refresh_from_db()
    assert survey_round.status == RoundStatus.PLANNED and SurveyForm.objects.count() == 0


# --- chasing -------------------------------------------------------------------------------


def test_r_5_6_3_chased_exactly_on_day_15(sales, django_capture_on_commit_callbacks):
    _round, (form,) = sent_round(meeting_date=D(2027, 2, 1), customers=[customer_with_contact()], actor=sales,
                                 send_on=D(2026, 11, 1))
    with clock.frozen(D(2026, 11, 15)), django_capture_on_commit_callbacks(execute=True):
        assert services.surveys_chase_due() == []
    with clock.frozen(D(2026, 11, 16)), django_capture_on_commit_callbacks(execute=True):
        assert services.surveys_chase_due() == [form]
        assert services.surveys_chase_due() == []
    with clock.frozen(D(2026, 11, 17)), django_capture_on_commit_callbacks(execute=True):
        assert services.surveys_chase_due() == []
    form.refresh_from_db()
    assert timezone.localdate(form.chased_at) == D(2026, 11, 16)
    assert len(mail.outbox) == 1  # one reminder (the survey itself was sent outside a captured commit)
    assert TimelineEntry.objects.filter(customer=form.customer, event=TimelineEvent.SURVEY_CHASED).count() == 1
    assert form.customer.communications.filter(topic="survey").count() == 2


def test_r_5_6_3_scheduler_command_chases_late_runs_too(sales, django_capture_on_commit_callbacks):
    """The job missed days 15–20: the form is still chased, once, when it runs."""
    _round, (form,) = sent_round(meeting_date=D(2027, 2, 1), customers=[customer_with_contact()], actor=sales,
                                 send_on=D(2026, 10, 1))
    with clock.frozen(D(2026, 10, 21)), django_capture_on_commit_callbacks(execute=True):
        call_command("liaison_scheduler", "--only", "surveys")
        call_command("liaison_scheduler")
    form.refresh_from_db()
    assert form.chased_at is not None and len(mail.outbox) == 1


def test_r_5_6_3_paper_forms_are_chased_by_hand_once(sales):
    _round, (form,) = sent_round(meeting_date=D(2027, 2, 1), customers=[customer_with_contact()], actor=sales,
                                 channel="fax", send_on=D(2026, 11, 1))
    with clock.frozen(D(2026, 11, 16)):
        assert services.surveys_chase_due() == []  # the job does not phone
        assert list(selectors.forms_to_chase_by_hand()) == [form]
        services.form_chase(form=form, channel="phone", actor=sales)
        before = _snapshot(form)
        with pytest.raises(LiaisonError) as refused:
            services.form_chase(form=form, channel="fax", actor=sales)
        assert list(selectors.forms_to_chase_by_hand()) == []
    assert refused.value.code == "already_chased" and _snapshot(form) == before


# --- the customer answers online -------------------------------------------------------------


@pytest.fixture
def emailed(sales):
    _round, (form,) = sent_round(meeting_date=D(2027, 2, 1), customers=[customer_with_contact()], actor=sales,
                                 send_on=D(2026, 10, 15))
    return form


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (scores(4, 4, 4, 4, 6), "score_out_of_range"),
        (scores(4, 4, 4, 4, 0), "score_out_of_range"),
        ({**scores(), "price": "4.5"}, "score_out_of_range"),
        ({code: 4 for code in ["quality", "delivery", "price", "service"]}, "scores_incomplete"),
        ({**scores(), "packaging": 3}, "criterion_unknown"),
    ],
)
def test_r_5_6_4_bad_answers_change_nothing(emailed, answer, code):
    before = _snapshot(emailed)
    with clock.frozen(D(2026, 10, 20)), pytest.raises(LiaisonError) as refused:
        services.form_answer_online(token=emailed.answer_token, scores=answer)
    assert refused.value.code == code
    assert _snapshot(emailed) == before


def test_r_5_6_3_answer_after_expiry_refused(emailed):
    before = _snapshot(emailed)
    with clock.frozen(D(2026, 12, 16)), pytest.raises(LiaisonError) as refused:
        services.form_answer_online(token=emailed.answer_token, scores=scores())
    assert refused.value.code == "form_expired" and _snapshot(emailed) == before
    with clock.frozen(D(2026, 12, 15)):
        services.form_answer_online(token=emailed.answer_token, scores=scores())  # the last day still counts
    assert SurveyForm.objects.counted().filter(pk=emailed.pk).exists()


def test_r_5_6_3_answer_twice_refused(emailed):
    with clock.frozen(D(2026, 10, 20)):
        services.form_answer_online(token=emailed.answer_token, scores=scores(), comments="first")
        before = _snapshot(emailed)
        with pytest.raises(LiaisonError) as refused:
            services.form_answer_online(token=emailed.answer_token, scores=scores(1, 1, 1, 1, 1), comments="second")
    assert refused.value.code == "form_already_returned" and _snapshot(emailed) == before
    assert SurveyForm.objects.get(pk=emailed.pk).comments == "first"


def test_r_5_6_3_unknown_or_void_link_refused(emailed, sales):
    with pytest.raises(LiaisonError) as refused:
        services.form_answer_online(token="not-a-token", scores=scores())
    assert refused.value.code == "form_not_found"
    services.form_void(form=emailed, reason="寄錯客戶", actor=_sales_head())
    with clock.frozen(D(2026, 10, 20)), pytest.raises(LiaisonError) as refused:
        services.form_answer_online(token=emailed.answer_token, scores=scores())
    assert refused.value.code == "form_void" and emailed.scores.count() == 0


def test_r_5_7_a_form_voided_by_hand_has_its_own_timeline_event(emailed):
    services.form_void(form=emailed, reason="寄錯客戶", actor=_sales_head())
    events = list(emailed.customer.timeline.values_list("event", flat=True))
    # Not the "returned too late" event: one event per fact.
    assert TimelineEvent.SURVEY_FORM_VOIDED in events and TimelineEvent.SURVEY_VOIDED not in events


def _sales_head():
    return UserFactory(roles=[Role.SALES_HEAD])


def test_r_5_6_3_paper_return_date_checked(emailed, sales):
    before = _snapshot(emailed)
    with clock.frozen(D(2026, 10, 20)):
        for returned_on, code in [(D(2026, 10, 21), "returned_in_future"), (D(2026, 10, 14), "returned_before_sent")]:
            with pytest.raises(LiaisonError) as refused:
                services.form_enter(form=emailed, scores=scores(), returned_on=returned_on, actor=sales)
            assert refused.value.code == code
    assert _snapshot(emailed) == before


# --- interviews and feedback ------------------------------------------------------------------


def test_r_5_6_5_interview_entered_on_a_survey_form(sales):
    customer = customer_with_contact()
    form = services.satisfaction_record(customer=customer, source="interview", scores=scores(5, 4, 3, 4, 5),
                                        comments="拜訪時客戶表示滿意", actor=sales)
    assert form.round is None and form.source == "interview" and form.number.startswith("CSS-2026-")
    assert form.state() == FormState.RETURNED
    assert SurveyForm.objects.counted().filter(pk=form.pk).exists()
    assert TimelineEntry.objects.filter(customer=customer, event=TimelineEvent.SATISFACTION_ENTERED).count() == 1
    with pytest.raises(LiaisonError) as refused:
        services.satisfaction_record(customer=customer, source="survey", scores=scores(), actor=sales)
    assert refused.value.code == "source_invalid" and SurveyForm.objects.count() == 1


# --- questionnaires ---------------------------------------------------------------------------


def _criteria(*weights):
    return [
        {"code": f"c{n}", "label_zh_hant": f"項目{n}", "label_zh_hans": f"项目{n}", "label_en": f"Item {n}",
         "weight": weight}
        for n, weight in enumerate(weights, start=1)
    ]


def test_r_5_6_4_questionnaire_weights_add_up_to_one(db):
    admin = UserFactory(roles=[Role.SALES_ADMIN])
    with pytest.raises(LiaisonError) as refused:
        services.template_save(template=QuestionnaireTemplate(name="新問卷"), criteria=_criteria("0.5", "0.4"),
                               actor=admin)
    assert refused.value.code == "template_weights_not_one"
    assert not QuestionnaireTemplate.objects.filter(name="新問卷").exists()
    template = services.template_save(template=QuestionnaireTemplate(name="新問卷"),
                                      criteria=_criteria("0.5", "0.5"), actor=admin)
    assert [c.weight for c in template.criteria.all()] == [Decimal("0.5"), Decimal("0.5")]


def test_r_5_6_4_questionnaire_in_use_keeps_its_criteria(sales, emailed):
    template = emailed.template
    with pytest.raises(LiaisonError) as refused:
        services.template_save(template=template, criteria=_criteria("1"), actor=UserFactory(roles=[Role.SALES_ADMIN]))
    assert refused.value.code == "template_in_use" and template.criteria.count() == 5


# --- dissatisfaction --------------------------------------------------------------------------


def test_r_5_6_6_dissatisfaction_listed_for_qc(emailed, sales):
    with clock.frozen(D(2026, 10, 20)):
        services.form_answer_online(token=emailed.answer_token, scores=scores(4, 4, 4, 4, 4), comments="包裝破損")
    assert list(selectors.dissatisfied_without_capa()) == []
    services.form_mark_complaint(form=emailed, is_complaint=True, actor=sales)
    assert list(selectors.dissatisfied_without_capa()) == [emailed]


def test_r_5_6_6_satisfied_or_late_form_raises_no_capa(sales, qc):
    customers = [customer_with_contact(), customer_with_contact()]
    _round, (happy, late) = sent_round(meeting_date=D(2027, 2, 1), customers=customers, actor=sales,
                                       channel="post", send_on=D(2026, 10, 15))
    with clock.frozen(D(2026, 12, 20)):
        services.form_enter(form=happy, scores=scores(), returned_on=D(2026, 11, 1), actor=sales)
        services.form_enter(form=late, scores=scores(1, 1, 1, 1, 1), returned_on=D(2026, 12, 20), actor=sales)
        for form, code in [(happy, "not_dissatisfied"), (late, "not_counted")]:
            before = _snapshot(form)
            with pytest.raises(LiaisonError) as refused:
                services.dissatisfaction_raise(form=form, department=workshop(), problem="x", actor=qc,
                                               effectiveness_criterion="y")
            assert refused.value.code == code and _snapshot(form) == before
    assert list(selectors.dissatisfied_without_capa()) == []  # the late form's 1s are not counted


def test_r_5_7_forms_voided_by_hand_before_their_own_event_are_relabelled(sales):
    # Older releases wrote a void by hand as SURVEY_VOIDED, the event of a form returned too late.
    _round, (by_hand, late) = sent_round(meeting_date=D(2027, 2, 1), actor=sales, channel="post",
                                         customers=[customer_with_contact(), customer_with_contact()],
                                         send_on=D(2026, 10, 15))
    services.form_void(form=by_hand, reason="寄錯客戶", actor=_sales_head())
    with clock.frozen(D(2026, 12, 20)):
        services.form_enter(form=late, scores=scores(), returned_on=D(2026, 12, 20), actor=sales)
        services.form_void(form=late, reason="重複寄出", actor=_sales_head())  # late, then voided by hand too
    TimelineEntry.objects.filter(event=TimelineEvent.SURVEY_FORM_VOIDED).update(event=TimelineEvent.SURVEY_VOIDED)
    data_migration_run("satisfaction", "0004_timeline_survey_form_voided")
    events = sorted(
        TimelineEntry.objects.filter(event__in=[TimelineEvent.SURVEY_VOIDED, TimelineEvent.SURVEY_FORM_VOIDED])
        .values_list("about_id", "event")
    )
    assert events == sorted([
        (by_hand.pk, TimelineEvent.SURVEY_FORM_VOIDED),
        (late.pk, TimelineEvent.SURVEY_VOIDED),
        (late.pk, TimelineEvent.SURVEY_FORM_VOIDED),
    ])
