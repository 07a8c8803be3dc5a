"""QC issues a CAPA request (F7) to the responsible department (R-5.5.1.2, R-3.3)."""

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
    CapaSource,
    CapaStatus,
    CapaStepMeaning,
    ComplaintKind,
    ComplaintStatus,
)
from liaison.quality.tests.factories import capa, complaint, investigated
from liaison.satisfaction.tests import factories as survey_factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 4, 1)


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


def test_r_5_5_1_2_no_capa_for_a_void_complaint(workshop):
    source = complaint()
    type(source).objects.filter(pk=source.pk).update(status=ComplaintStatus.VOID)

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


def test_r_5_6_6_a_survey_form_as_source_says_it_is_a_survey(workshop):
    # The surveys app sits above quality: its form names its kind of source (capa_source_kind).
    _round, (form,) = survey_factories.sent_round(
        meeting_date=TODAY + dt.timedelta(days=90), customers=[survey_factories.customer_with_contact()],
        actor=sales(),
        send_on=TODAY,
    )

    issued = capa(source=form, department=workshop)

    assert issued.source_kind == CapaSource.SURVEY
    assert issued.source_type == ContentType.objects.get_for_model(form)
