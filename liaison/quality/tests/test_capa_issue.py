"""QC issues a CAPA request (F7) to the responsible department (R-5.5.1.2, R-3.3, R-5.6.6).

Its sources are real: a complaint or return acknowledged and investigated through the
complaint services, or a satisfaction survey form of a round really sent and answered,
raised through ``satisfaction.services.dissatisfaction_raise`` (which issues through
``capa_issue``).
"""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.models import DocumentCounter
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory, WorkshopFactory, frozen_today, qc_inspector, sales
from liaison.customers.models import TimelineEntry
from liaison.customers.states import TimelineEvent
from liaison.customers.tests.factories import CustomerFactory
from liaison.quality.capa.errors import CapaErrorCode as Code
from liaison.quality.capa.services import capa_issue
from liaison.quality.models import CapaRequest, CapaStep
from liaison.quality.states import (
    CapaKind,
    CapaSource,
    CapaStatus,
    CapaStepMeaning,
    ComplaintKind,
    ComplaintStatus,
)
from liaison.quality.tests.factories import acknowledged, capa, found, investigated, voided
from liaison.satisfaction import selectors as survey_selectors
from liaison.satisfaction import services as survey_services
from liaison.satisfaction.errors import Code as SurveyCode
from liaison.satisfaction.models import SurveyForm
from liaison.satisfaction.tests import factories as survey_factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 4, 1)
# A management review whose survey round goes out today (SURVEY_LEAD_MONTHS, 2, before it).
MEETING = dt.date(2026, 6, 1)


today = frozen_today(TODAY)


@pytest.fixture
def workshop():
    return WorkshopFactory(name="一車間（沖壓）")


def nothing_written():
    return (
        CapaRequest.objects.count(),
        CapaStep.objects.count(),
        TimelineEntry.objects.filter(event=TimelineEvent.CAPA_ISSUED).count(),
        DocumentCounter.objects.filter(doc_type="CAPA").count(),
    ) == (0, 0, 0, 0)


# --- allowed ---------------------------------------------------------------------------


def test_r_5_5_1_2_qc_issues_a_capa_for_a_complaint_to_the_workshop(workshop):
    source = investigated(at_fault=True)
    inspector = qc_inspector()

    issued = capa_issue(
        source=source,
        department=workshop,
        problem="  沖壓件毛刺超標，客戶裝配劃傷  ",
        effectiveness_criterion="連續三個月同類投訴為零",
        actor=inspector,
    )

    issued.refresh_from_db()
    assert issued.number == "CAPA-2026-0001"
    assert issued.status == CapaStatus.ISSUED
    assert issued.source_kind == CapaSource.COMPLAINT
    assert issued.source == source
    assert issued.customer == source.customer
    assert issued.department == workshop
    assert issued.problem == "沖壓件毛刺超標，客戶裝配劃傷"
    assert issued.created_by == inspector
    record = issued.history.first()
    assert (record.history_change_reason, record.history_user) == (
        f"Issued for {source.number}",
        inspector,
    )
    entry = TimelineEntry.objects.get(event=TimelineEvent.CAPA_ISSUED)
    assert (entry.customer, entry.about, entry.actor) == (source.customer, issued, inspector)
    assert entry.summary.startswith(f"{issued.number} · 一車間（沖壓） · 2026-05-01")


def test_r_5_5_1_2_the_dates_default_from_the_procedure_settings(workshop, settings):
    settings.LIAISON_PROCEDURE = {"CAPA_DUE_DAYS": 10, "CAPA_EFFECTIVENESS_CHECK_DAYS": 40}

    issued = capa(department=workshop)

    assert issued.due_date == dt.date(2026, 4, 11)
    assert issued.effectiveness_check_date == dt.date(2026, 5, 11)


def test_r_5_5_1_2_a_later_due_date_moves_the_default_check_after_it(workshop):
    issued = capa(department=workshop, due_date=dt.date(2026, 9, 1))  # defaults 30 / 90 days

    assert issued.effectiveness_check_date == dt.date(2026, 10, 31)  # 60 days after the due date


def test_r_5_5_1_2_given_dates_are_kept(workshop):
    issued = capa(
        department=workshop,
        due_date=dt.date(2026, 4, 20),
        effectiveness_check_date=dt.date(2026, 4, 21),
    )

    assert (issued.due_date, issued.effectiveness_check_date) == (
        dt.date(2026, 4, 20),
        dt.date(2026, 4, 21),
    )


def test_r_5_5_2_1_a_return_is_the_source_kind_of_a_capa_for_a_return(workshop):
    issued = capa(source=investigated(at_fault=True, kind=ComplaintKind.RETURN), department=workshop)

    assert issued.source_kind == CapaSource.RETURN


def test_r_5_5_1_2_a_manual_capa_has_no_source_and_no_timeline_without_customer(workshop):
    issued = capa(department=workshop)

    assert issued.source_kind == CapaSource.MANUAL
    assert (issued.source_type, issued.source_id, issued.customer) == (None, None, None)
    assert not TimelineEntry.objects.exists()


def test_r_5_5_1_2_a_manual_capa_may_name_its_customer(workshop):
    customer = CustomerFactory()

    issued = capa(department=workshop, customer=customer)

    assert issued.customer == customer
    assert TimelineEntry.objects.get(event=TimelineEvent.CAPA_ISSUED).customer == customer


def test_r_4_the_issue_is_the_first_signed_step(workshop):
    inspector = qc_inspector()

    issued = capa(department=workshop, actor=inspector)

    step = CapaStep.objects.get(capa=issued)
    assert (step.meaning, step.signed_by, step.signed_at) == (
        CapaStepMeaning.ISSUED,
        inspector,
        clock.now(),
    )


def test_r_5_5_1_2_numbers_follow_each_other(workshop):
    first, second = capa(department=workshop), capa(department=workshop)

    assert (first.number, second.number) == ("CAPA-2026-0001", "CAPA-2026-0002")


# --- refused ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    [
        Role.SALES_STAFF,
        Role.SALES_HEAD,
        Role.WORKSHOP_LEAD,
        Role.RESPONSIBLE_MEMBER,
        Role.MANAGEMENT,
        Role.WAREHOUSE_CLERK,
        Role.ADMINISTRATOR,
    ],
)
def test_r_3_3_only_qc_issues_a_capa(workshop, role):
    with pytest.raises(LiaisonError) as refused:
        capa(department=workshop, actor=UserFactory(roles=[role], department=workshop))

    assert refused.value.code == Code.NOT_ALLOWED
    assert str(refused.value) == "Your role does not allow you to issue CAPA requests."
    assert nothing_written()


@pytest.mark.parametrize("role", [Role.QC_INSPECTOR, Role.QC_HEAD])
def test_r_3_3_both_qc_roles_issue(workshop, role):
    assert capa(department=workshop, actor=UserFactory(roles=[role])).status == CapaStatus.ISSUED


def test_r_4_an_inactive_qc_inspector_is_refused(workshop):
    with pytest.raises(LiaisonError) as refused:
        capa(department=workshop, actor=qc_inspector(is_active=False))

    assert refused.value.code == Code.NOT_ALLOWED
    assert nothing_written()


@pytest.mark.parametrize("criterion", ["", "   ", None])
def test_r_5_5_1_2_a_manual_capa_without_a_criterion_is_refused(workshop, criterion):
    with pytest.raises(LiaisonError) as refused:
        capa(department=workshop, effectiveness_criterion=criterion)

    assert refused.value.code == Code.CRITERION_REQUIRED
    assert refused.value.field == "effectiveness_criterion"
    assert "effectiveness criterion is required" in str(refused.value)
    assert nothing_written()


def test_r_5_5_1_2_a_capa_without_a_problem_is_refused(workshop):
    with pytest.raises(LiaisonError) as refused:
        capa(department=workshop, problem=" ")

    assert refused.value.code == Code.PROBLEM_REQUIRED
    assert nothing_written()


def test_r_5_5_1_2_a_check_date_not_after_the_due_date_is_refused(workshop):
    with pytest.raises(LiaisonError) as refused:
        capa(
            department=workshop,
            due_date=dt.date(2026, 5, 1),
            effectiveness_check_date=dt.date(2026, 5, 1),
        )

    assert refused.value.code == Code.CHECK_DATE_NOT_AFTER_DUE
    assert str(refused.value) == (
        "The effectiveness check date 2026-05-01 must be after the due date 2026-05-01."
    )
    assert nothing_written()


def test_r_5_5_1_2_a_due_date_in_the_past_is_refused(workshop):
    with pytest.raises(LiaisonError) as refused:
        capa(department=workshop, due_date=dt.date(2026, 3, 31))

    assert refused.value.code == Code.DUE_DATE_IN_PAST
    assert nothing_written()


def test_r_5_5_1_2_an_inactive_department_is_refused(workshop):
    workshop.active = False
    workshop.save()

    with pytest.raises(LiaisonError) as refused:
        capa(department=workshop)

    assert refused.value.code == Code.DEPARTMENT_INACTIVE
    assert nothing_written()


def test_r_5_5_1_2_no_capa_when_the_company_was_found_not_at_fault(workshop):
    source = investigated(at_fault=False)

    with pytest.raises(LiaisonError) as refused:
        capa(source=source, department=workshop)

    assert refused.value.code == Code.SOURCE_NOT_AT_FAULT
    assert source.number in str(refused.value)
    assert nothing_written()


def test_r_5_5_1_2_no_capa_before_the_qc_head_has_found_the_fault(workshop):
    source = acknowledged()

    with pytest.raises(LiaisonError) as refused:
        capa(source=source, department=workshop)

    assert refused.value.code == Code.SOURCE_NOT_INVESTIGATED
    assert source.number in str(refused.value)
    assert nothing_written()

    issued = capa(source=found(source, at_fault=True), department=workshop)

    assert (issued.source, issued.source_kind, issued.kind) == (source, CapaSource.COMPLAINT, CapaKind.CORRECTIVE)


def test_r_5_5_1_2_no_capa_for_a_void_complaint(workshop):
    source = voided()
    assert source.status == ComplaintStatus.VOID

    with pytest.raises(LiaisonError) as refused:
        capa(source=source, department=workshop)

    assert refused.value.code == Code.SOURCE_VOID
    assert nothing_written()


def test_r_5_5_1_2_the_customer_must_be_the_complaints(workshop):
    source = investigated(at_fault=True)

    with pytest.raises(LiaisonError) as refused:
        capa(source=source, department=workshop, customer=CustomerFactory())

    assert refused.value.code == Code.CUSTOMER_MISMATCH
    assert nothing_written()


def test_r_5_5_1_2_a_record_that_is_no_feedback_cannot_be_the_source(workshop):
    with pytest.raises(LiaisonError) as refused:
        capa(source=CustomerFactory(), department=workshop)

    assert refused.value.code == Code.SOURCE_NOT_SUPPORTED
    assert not CapaRequest.objects.exists()


# --- a dissatisfied customer's survey form (R-5.6.6) -----------------------------------------


def sent_form(customer=None) -> SurveyForm:
    """The one form of a survey round really sent today by e-mail (the review on ``MEETING``)."""
    survey_round, (form,) = survey_factories.sent_round(
        meeting_date=MEETING, customers=[customer or survey_factories.customer_with_contact()], actor=sales()
    )
    assert survey_round.planned_send_on == TODAY
    return form


def answered(*values: int, comments: str = "") -> SurveyForm:
    """A form sent today and answered online by the customer today with ``values`` (quality … communication)."""
    form = sent_form()
    return survey_services.form_answer_online(
        token=form.answer_token, scores=survey_factories.scores(*values), comments=comments
    )


def raised(form: SurveyForm, *, department=None, actor=None, **kwargs) -> SurveyForm:
    """QC raises the form's dissatisfaction as a CAPA request through the satisfaction service."""
    kwargs.setdefault("problem", "交期延誤，客戶對交貨評2分")
    kwargs.setdefault("effectiveness_criterion", "下一輪調查交期評分不低於4分")
    return survey_services.dissatisfaction_raise(
        form=form, department=department or WorkshopFactory(), actor=actor or qc_inspector(), **kwargs
    )


def waiting_for_capa() -> list[SurveyForm]:
    return list(survey_selectors.dissatisfied_without_capa())


def test_r_5_6_6_qc_raises_a_capa_for_a_dissatisfied_survey_form(workshop):
    form = answered(4, 2, 3, 4, 4, comments="交期經常延誤")  # delivery 2, under the threshold of 3
    assert waiting_for_capa() == [form]
    inspector = qc_inspector()

    returned = raised(form, department=workshop, actor=inspector, problem="  交期延誤，客戶對交貨評2分  ")

    issued = CapaRequest.objects.get()
    form.refresh_from_db()
    assert returned.capa == form.capa == issued
    assert issued.number == "CAPA-2026-0001"
    assert (issued.status, issued.kind, issued.source_kind) == (
        CapaStatus.ISSUED,
        CapaKind.CORRECTIVE,
        CapaSource.SURVEY,
    )
    assert issued.source == form
    assert (issued.customer, issued.department, issued.created_by) == (form.customer, workshop, inspector)
    assert issued.problem == "交期延誤，客戶對交貨評2分"
    assert issued.effectiveness_criterion == "下一輪調查交期評分不低於4分"
    assert (issued.due_date, issued.effectiveness_check_date) == (dt.date(2026, 5, 1), dt.date(2026, 6, 30))
    step = CapaStep.objects.get(capa=issued)
    assert (step.meaning, step.signed_by) == (CapaStepMeaning.ISSUED, inspector)
    # The form leaves QC's list of dissatisfied customers waiting for a request.
    assert waiting_for_capa() == []
    # History on both sides, signed by the inspector.
    record = issued.history.first()
    assert (record.history_change_reason, record.history_user) == (f"Issued for {form}", inspector)
    record = form.history.first()
    assert (record.history_change_reason, record.history_user, record.capa_id) == (
        f"Dissatisfaction raised as {issued.number}",
        inspector,
        issued.pk,
    )
    # The customer's timeline: the request issued, and the form raised as it.
    entry = TimelineEntry.objects.get(event=TimelineEvent.CAPA_ISSUED)
    assert (entry.customer, entry.about, entry.actor) == (form.customer, issued, inspector)
    assert entry.summary.startswith(f"{issued.number} · 一車間（沖壓） · 2026-05-01")
    entry = TimelineEntry.objects.get(event=TimelineEvent.DISSATISFACTION_RAISED)
    assert (entry.customer, entry.about, entry.actor) == (form.customer, form, inspector)
    assert entry.summary == f"{form.number} → {issued.number} · 一車間（沖壓） · 交期延誤，客戶對交貨評2分"


def test_r_5_6_6_a_survey_form_as_source_says_it_is_a_survey(workshop):
    # The surveys app sits above quality: its form names its kind of source (capa_source_kind).
    form = raised(answered(1, 4, 4, 4, 4), department=workshop)

    assert form.capa.source_kind == CapaSource.SURVEY
    assert form.capa.source_type == ContentType.objects.get_for_model(SurveyForm)
    assert form.capa.source_id == form.pk


def test_r_5_6_6_a_complaint_in_the_comments_is_dissatisfaction_too(workshop):
    form = answered(4, 4, 4, 4, 4, comments="上批貨包裝破損，請改善")
    assert waiting_for_capa() == []  # no score under the threshold
    survey_services.form_mark_complaint(form=form, is_complaint=True, actor=sales())
    assert waiting_for_capa() == [form]

    form = raised(form, department=workshop, problem="包裝破損投訴")

    assert (form.capa.source, form.capa.source_kind) == (form, CapaSource.SURVEY)
    assert waiting_for_capa() == []


@pytest.mark.parametrize(
    ("threshold", "lowest", "dissatisfied"),
    [
        (None, 2, True),  # the default threshold, 3: a 2 is under it
        (None, 3, False),  # a score equal to the threshold is not
        (4, 3, True),
        (4, 4, False),
    ],
)
def test_r_5_6_6_only_a_score_under_the_threshold_raises_a_capa(workshop, settings, threshold, lowest, dissatisfied):
    if threshold is not None:
        settings.LIAISON_PROCEDURE = {"SURVEY_DISSATISFACTION_THRESHOLD": threshold}
    form = answered(5, 5, lowest, 5, 5)

    if dissatisfied:
        assert raised(form, department=workshop).capa.source == form
        return
    with pytest.raises(LiaisonError) as refused:
        raised(form, department=workshop)

    assert refused.value.code == SurveyCode.NOT_DISSATISFIED
    assert form.number in str(refused.value)
    assert SurveyForm.objects.get(pk=form.pk).capa_id is None
    assert nothing_written()


@pytest.mark.parametrize("returned", [False, True], ids=["not_returned", "returned_too_late"])
def test_r_5_6_6_a_form_not_counted_raises_no_capa(workshop, returned):
    form = sent_form()
    if returned:  # valid until 2026-06-01 (SURVEY_VALID_MONTHS, 2): entered from paper a day later, void
        with clock.frozen(dt.date(2026, 6, 2)):
            survey_services.form_enter(form=form, scores=survey_factories.scores(1, 1, 1, 1, 1), actor=sales())

    with pytest.raises(LiaisonError) as refused:
        raised(form, department=workshop)

    assert refused.value.code == SurveyCode.NOT_COUNTED
    assert SurveyForm.objects.get(pk=form.pk).capa_id is None
    assert nothing_written()


def test_r_5_6_6_a_form_raises_one_capa_only(workshop):
    form = raised(answered(4, 2, 3, 4, 4), department=workshop)

    with pytest.raises(LiaisonError) as refused:
        raised(form, department=workshop)

    assert refused.value.code == SurveyCode.CAPA_EXISTS
    assert str(refused.value) == f"Survey form {form.number} already has CAPA request {form.capa}."
    assert list(CapaRequest.objects.values_list("number", flat=True)) == ["CAPA-2026-0001"]


@pytest.mark.parametrize("role", [Role.SALES_STAFF, Role.SALES_HEAD, Role.MANAGEMENT])
def test_r_3_3_only_qc_raises_a_dissatisfied_customers_capa(workshop, role):
    form = answered(4, 2, 3, 4, 4)

    with pytest.raises(LiaisonError) as refused:
        raised(form, department=workshop, actor=UserFactory(roles=[role]))

    assert refused.value.code == Code.NOT_ALLOWED
    assert nothing_written()
    assert not TimelineEntry.objects.filter(event=TimelineEvent.DISSATISFACTION_RAISED).exists()
    assert waiting_for_capa() == [form]  # still waiting: the form was not linked
