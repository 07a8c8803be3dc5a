"""The roles the procedure names, each a procedure setting (R-5.5.1.1–R-5.5.1.3, R-4).

The Sales head (業務部負責人) confirms a complaint Sales staff prepared and passes it to QC; the
QC head (質檢部負責人) decides the investigation's finding, verifies a CAPA request's execution and
effectiveness, and feeds the result back. Each step's roles are a setting with the heads as the
default; a changed setting gives the step to another role and takes it from the head.
"""

import datetime as dt

import pytest
from django.urls import reverse

from liaison.communications.models import CommunicationRecord
from liaison.core import procedure
from liaison.core.errors import LiaisonError
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory, frozen_today, member
from liaison.customers.models import TimelineEntry
from liaison.quality.capa.errors import CapaErrorCode
from liaison.quality.capa.services import capa_implement, capa_verify_effectiveness, capa_verify_execution
from liaison.quality.errors import QualityErrorCode
from liaison.quality.models import CapaRequest, CapaStep, Complaint
from liaison.quality.services.complaints import (
    complaint_acknowledge,
    complaint_feed_back,
    complaint_investigate,
    complaint_record_result,
    complaint_register,
)
from liaison.quality.states import CapaStatus, ComplaintStatus, Effectiveness
from liaison.quality.tests.factories import CAPA_ACTIONS, acknowledged, capa, complaint, investigated

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

today = frozen_today(dt.datetime(2026, 4, 13, 10, 30))


def confirm(actor):
    record = complaint()
    return record, lambda: complaint_acknowledge(complaint=record, actor=actor)


def investigate(actor):
    record = acknowledged()
    return record, lambda: complaint_investigate(
        complaint=record,
        cause_category="method",
        why_chain=["圖紙版本未更新"],
        root_cause="圖紙版本管理不到位",
        containment="",
        company_at_fault=True,
        actor=actor,
    )


def implemented():
    request = capa(source=investigated(at_fault=True))
    return capa_implement(capa=request, actor=member(request.department), **CAPA_ACTIONS)


def verify_execution(actor):
    request = implemented()
    return request, lambda: capa_verify_execution(capa=request, actor=actor)


def verify_effectiveness(actor):
    request = implemented()
    verifier = UserFactory(roles=[procedure.setting("CAPA_VERIFY_ROLES")[0]])  # whoever the setting names
    capa_verify_execution(capa=request, actor=verifier)
    return request, lambda: capa_verify_effectiveness(
        capa=request, effectiveness=Effectiveness.EFFECTIVE, actor=actor, early_reason="客戶已驗收新批次"
    )


def feed_back(actor):
    record = complaint_record_result(
        complaint=investigated(at_fault=False), result="非我司責任", actor=UserFactory(roles=[Role.QC_INSPECTOR])
    )
    return record, lambda: complaint_feed_back(complaint=record, channel="phone", summary="已電話說明", actor=actor)


# step → (how to take it, the setting naming its roles, the head by default, the status it leads to,
#         the words of a refusal)
STEPS = {
    "confirm": (confirm, "COMPLAINT_CONFIRM_ROLES", Role.SALES_HEAD, ComplaintStatus.ACKNOWLEDGED,
                "confirm complaints and pass them to QC"),
    "investigate": (investigate, "COMPLAINT_INVESTIGATE_ROLES", Role.QC_HEAD, ComplaintStatus.INVESTIGATED,
                    "investigate complaints"),
    "verify_execution": (verify_execution, "CAPA_VERIFY_ROLES", Role.QC_HEAD, CapaStatus.EXECUTION_VERIFIED,
                         "verify CAPA requests"),
    "verify_effectiveness": (verify_effectiveness, "CAPA_VERIFY_ROLES", Role.QC_HEAD, CapaStatus.CLOSED,
                             "verify CAPA requests"),
    "feed_back": (feed_back, "COMPLAINT_FEEDBACK_ROLES", Role.QC_HEAD, ComplaintStatus.CLOSED,
                  "feed complaint results back to customers"),
}


def snapshot(record) -> tuple:
    """The record's row and its history, the signed steps, F5 and the timeline."""
    record.refresh_from_db()
    row = {f.attname: getattr(record, f.attname) for f in type(record)._meta.concrete_fields}
    return (
        row,
        record.history.count(),
        CapaStep.objects.count(),
        CommunicationRecord.objects.count(),
        TimelineEntry.objects.count(),
    )


def refusal_code(record):
    return CapaErrorCode.NOT_ALLOWED if isinstance(record, CapaRequest) else QualityErrorCode.NOT_ALLOWED


@pytest.mark.parametrize("step", STEPS)
def test_r_5_5_1_the_head_takes_each_step_by_default(step):
    take, _setting, head, status, _words = STEPS[step]
    actor = UserFactory(roles=[head])
    record, run = take(actor)

    run()

    record.refresh_from_db()
    assert record.status == status
    assert record.history.first().history_user == actor


# Every other role is refused, the head's own staff (Sales staff, the QC inspector) included.
@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.SALES_HEAD, Role.QC_HEAD)])
def test_r_4_only_the_head_takes_each_step_by_default_and_a_refusal_changes_nothing(step, role):
    take, _setting, _head, _status, words = STEPS[step]
    record, run = take(UserFactory(roles=[role]))
    before = snapshot(record)

    with pytest.raises(LiaisonError) as refused:
        run()

    assert refused.value.code == refusal_code(record)
    assert str(refused.value) == f"Your role does not allow you to {words}."
    assert snapshot(record) == before


@pytest.mark.parametrize("step", STEPS)
def test_r_5_5_1_3_a_changed_setting_gives_the_step_to_another_role_and_takes_it_from_the_head(step, settings):
    take, setting, head, status, _words = STEPS[step]
    other = Role.SALES_STAFF if head == Role.SALES_HEAD else Role.QC_INSPECTOR
    settings.LIAISON_PROCEDURE = {setting: (other.value,)}

    record, run = take(UserFactory(roles=[head]))
    before = snapshot(record)
    with pytest.raises(LiaisonError) as refused:
        run()
    assert refused.value.code == refusal_code(record)
    assert snapshot(record) == before

    actor = UserFactory(roles=[other])
    record, run = take(actor)
    run()
    record.refresh_from_db()
    assert record.status == status
    assert record.history.first().history_user == actor


def test_r_5_5_1_3_a_setting_may_name_a_role_the_role_table_does_not_give_the_step(settings):
    # Feeding back by the Sales head: the setting decides, not the permission table.
    settings.LIAISON_PROCEDURE = {"COMPLAINT_FEEDBACK_ROLES": ("sales_head", "qc_head")}
    head = UserFactory(roles=[Role.SALES_HEAD])
    record, run = feed_back(head)

    run()

    record.refresh_from_db()
    assert (record.status, record.feedback_by) == (ComplaintStatus.CLOSED, head)


def test_r_5_5_1_1_staff_prepare_the_head_confirms_and_both_are_on_record():
    staff, head = UserFactory(roles=[Role.SALES_STAFF]), UserFactory(roles=[Role.SALES_HEAD])
    record = complaint(actor=staff)
    assert record.status == ComplaintStatus.REGISTERED

    complaint_acknowledge(complaint=record, actor=head)

    record.refresh_from_db()
    assert (record.created_by, record.acknowledged_by, record.status) == (staff, head, ComplaintStatus.ACKNOWLEDGED)
    assert [(h.history_user, h.history_change_reason) for h in record.history.order_by("history_id")] == [
        (staff, "Registered"),
        (head, "Acknowledged, passed to QC"),
    ]


def test_r_5_5_1_2_the_qc_inspector_records_the_result_the_head_decided():
    # The finding is the head's; recording the result on F6 stays with QC (質檢部), inspector included.
    inspector = UserFactory(roles=[Role.QC_INSPECTOR])
    record = complaint_record_result(complaint=investigated(at_fault=False), result="非我司責任", actor=inspector)
    assert (record.status, record.result_recorded_by) == (ComplaintStatus.RESULT_RECORDED, inspector)


def test_r_5_5_1_1_registering_is_still_open_to_sales_staff():
    staff = UserFactory(roles=[Role.SALES_STAFF])
    record = complaint_register(
        customer=complaint().customer, channel="phone", complaint_date=dt.date(2026, 4, 13), content="包裝破損",
        actor=staff,
    )
    assert Complaint.objects.get(pk=record.pk).created_by == staff


# --- pages, inbox and API follow the setting ----------------------------------------------------


def test_r_5_5_1_1_the_complaint_page_offers_confirmation_to_the_head_only(client_as):
    record = complaint()
    staff_page = client_as(UserFactory(roles=[Role.SALES_STAFF])).get(record.get_absolute_url())
    head_page = client_as(UserFactory(roles=[Role.SALES_HEAD])).get(record.get_absolute_url())
    assert 'id="complaint-acknowledge"' not in staff_page.text
    assert 'id="complaint-acknowledge"' in head_page.text


def test_r_5_5_1_1_staff_posting_the_confirmation_are_refused_on_the_page(client_as):
    record = complaint()
    response = client_as(UserFactory(roles=[Role.SALES_STAFF])).post(
        reverse("quality:acknowledge", args=[record.pk]), {}
    )
    assert response.status_code == 403
    assert "Your role does not allow you to confirm complaints and pass them to QC." in response.text
    record.refresh_from_db()
    assert record.status == ComplaintStatus.REGISTERED


def test_r_5_5_1_2_the_inbox_follows_the_setting(client_as, settings):
    acknowledged()
    head, inspector = UserFactory(roles=[Role.QC_HEAD]), UserFactory(roles=[Role.QC_INSPECTOR])
    kind = 'data-kind="complaint_investigate"'
    assert kind in client_as(head).get("/inbox/").text
    assert kind not in client_as(inspector).get("/inbox/").text

    settings.LIAISON_PROCEDURE = {"COMPLAINT_INVESTIGATE_ROLES": ("qc_inspector",)}
    assert kind not in client_as(head).get("/inbox/").text
    assert kind in client_as(inspector).get("/inbox/").text


def test_r_5_5_1_2_the_api_refuses_verification_to_the_inspector_and_follows_the_setting(api_client, settings):
    request = implemented()
    inspector = UserFactory(roles=[Role.QC_INSPECTOR])
    url = f"/api/v1/capa-requests/{request.pk}/verify-execution/"
    api_client.force_authenticate(inspector)

    refused = api_client.post(url, {}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "capa_not_allowed")

    settings.LIAISON_PROCEDURE = {"CAPA_VERIFY_ROLES": ("qc_inspector",)}
    answer = api_client.post(url, {}, format="json")
    assert (answer.status_code, answer.json()["status"]) == (200, CapaStatus.EXECUTION_VERIFIED)
