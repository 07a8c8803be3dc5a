"""A complaint's life: acknowledged by Sales, investigated by QC, result, feedback, closed (R-5.5.1.1–3)."""

import datetime as dt

import pytest

from liaison.communications.models import CommunicationRecord
from liaison.communications.states import Direction, Topic
from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory, frozen_today, qc_head, sales, sales_head
from liaison.customers.models import TimelineEntry
from liaison.customers.states import TimelineEvent
from liaison.quality.errors import QualityErrorCode as Code
from liaison.quality.models import CapaRequest, Complaint
from liaison.quality.services.complaints import (
    complaint_acknowledge,
    complaint_close,
    complaint_feed_back,
    complaint_investigate,
    complaint_record_result,
    complaint_void,
)
from liaison.quality.states import ComplaintStatus
from liaison.quality.tests.factories import acknowledged, capa, carried_out, complaint, investigated

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


today = frozen_today(dt.datetime(2026, 4, 13, 10, 30))


def snapshot(record: Complaint) -> tuple:
    """Everything a refused step must leave alone: the row, its history, F5 and the timeline."""
    record.refresh_from_db()
    row = {f.attname: getattr(record, f.attname) for f in Complaint._meta.concrete_fields}
    return (
        row,
        record.history.count(),
        CommunicationRecord.objects.count(),
        TimelineEntry.objects.count(),
    )


def investigate(record, *, actor=None, at_fault=False, **overrides):
    values = {
        "cause_category": "material",
        "why_chain": ["鍍層附着力不足", "前處理除油不淨", "除油槽溫度未監控"],
        "root_cause": "除油槽溫度無記錄",
        "containment": "在庫品全部重檢",
        "company_at_fault": at_fault,
    }
    values.update(overrides)
    return complaint_investigate(complaint=record, actor=actor or qc_head(), **values)


def test_r_5_5_1_1_sales_acknowledges_and_passes_the_complaint_to_qc():
    record = complaint()
    actor = sales_head()  # the Sales head confirms what Sales staff prepared
    complaint_acknowledge(complaint=record, actor=actor)
    record.refresh_from_db()
    assert record.status == ComplaintStatus.ACKNOWLEDGED
    assert (record.acknowledged_by, record.acknowledged_at) == (actor, clock.now())
    assert record.history.first().history_change_reason == "Acknowledged, passed to QC"
    assert record.history.first().history_user == actor
    assert TimelineEntry.objects.filter(
        event=TimelineEvent.COMPLAINT_ACKNOWLEDGED, customer=record.customer
    ).exists()


def test_r_5_5_1_1_qc_does_not_acknowledge_and_nothing_changes():
    record = complaint()
    before = snapshot(record)
    with pytest.raises(LiaisonError) as refused:
        complaint_acknowledge(complaint=record, actor=qc_head())
    assert refused.value.code == Code.NOT_ALLOWED
    assert snapshot(record) == before


def test_a_complaint_is_acknowledged_once():
    record = acknowledged()
    before = snapshot(record)
    with pytest.raises(LiaisonError) as refused:
        complaint_acknowledge(complaint=record, actor=sales_head())
    assert refused.value.code == Code.WRONG_STATUS
    assert (
        str(refused.value)
        == f"{record.number} is acknowledged, with qc; it cannot be acknowledged now."
    )
    assert snapshot(record) == before


def test_r_5_5_1_2_qc_investigates_the_cause():
    record = acknowledged()
    actor = qc_head()
    investigate(record, actor=actor, at_fault=True)
    record.refresh_from_db()
    assert record.status == ComplaintStatus.INVESTIGATED
    assert record.cause_category == "material"
    assert record.why_chain == ["鍍層附着力不足", "前處理除油不淨", "除油槽溫度未監控"]
    assert record.company_at_fault is True
    assert (record.investigated_by, record.investigated_at) == (actor, clock.now())
    assert TimelineEntry.objects.filter(event=TimelineEvent.COMPLAINT_INVESTIGATED).count() == 1


@pytest.mark.parametrize(
    "role",
    [Role.SALES_STAFF, Role.SALES_HEAD, Role.WORKSHOP_LEAD, Role.MANAGEMENT, Role.ADMINISTRATOR],
)
def test_r_5_5_1_2_a_non_qc_role_investigating_is_refused_and_nothing_changes(role):
    record = acknowledged()
    before = snapshot(record)
    with pytest.raises(LiaisonError) as refused:
        investigate(record, actor=UserFactory(roles=[role]))
    assert refused.value.code == Code.NOT_ALLOWED
    assert str(refused.value) == "Your role does not allow you to investigate complaints."
    assert snapshot(record) == before


def test_r_5_5_1_2_qc_investigates_only_after_sales_passed_it_on():
    record = complaint()
    before = snapshot(record)
    with pytest.raises(LiaisonError) as refused:
        investigate(record)
    assert refused.value.code == Code.WRONG_STATUS
    assert snapshot(record) == before


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"cause_category": ""}, Code.CAUSE_REQUIRED),
        ({"why_chain": []}, Code.WHY_CHAIN_INVALID),
        ({"why_chain": ["一", " "]}, Code.WHY_CHAIN_INVALID),
        ({"why_chain": ["why"] * 6}, Code.WHY_CHAIN_INVALID),
        ({"root_cause": ""}, Code.ROOT_CAUSE_REQUIRED),
        ({"company_at_fault": None}, Code.FAULT_UNDECIDED),
    ],
)
def test_r_5_5_1_2_an_incomplete_investigation_is_refused(overrides, code):
    record = acknowledged()
    before = snapshot(record)
    with pytest.raises(LiaisonError) as refused:
        investigate(record, **overrides)
    assert refused.value.code == code
    assert snapshot(record) == before


def test_r_5_5_1_2_at_fault_the_result_waits_for_a_capa_request():
    record = investigated(at_fault=True)
    before = snapshot(record)
    with pytest.raises(LiaisonError) as refused:
        complaint_record_result(complaint=record, result="更換供應商", actor=qc_head())
    assert refused.value.code == Code.CAPA_MISSING
    assert snapshot(record) == before


def test_r_5_5_1_2_at_fault_the_result_waits_until_every_capa_is_closed():
    record = investigated(at_fault=True)
    capa(source=record, closed=True)
    still_open = capa(source=record)
    before = snapshot(record)
    with pytest.raises(LiaisonError) as refused:
        complaint_record_result(complaint=record, result="已整改", actor=qc_head())
    assert refused.value.code == Code.CAPA_OPEN
    assert still_open.number in str(refused.value)
    assert snapshot(record) == before
    carried_out(still_open)
    complaint_record_result(complaint=record, result="已整改", actor=qc_head())
    record.refresh_from_db()
    assert record.status == ComplaintStatus.RESULT_RECORDED


def test_r_5_5_1_2_a_capa_of_another_complaint_does_not_count():
    record = investigated(at_fault=True)
    capa(source=investigated(at_fault=True), closed=True)
    with pytest.raises(LiaisonError) as refused:
        complaint_record_result(complaint=record, result="已整改", actor=qc_head())
    assert refused.value.code == Code.CAPA_MISSING


def test_r_5_5_1_2_the_result_is_qcs_and_not_empty():
    record = investigated()
    before = snapshot(record)
    with pytest.raises(LiaisonError) as refused:
        complaint_record_result(complaint=record, result="結果", actor=sales())
    assert refused.value.code == Code.NOT_ALLOWED
    with pytest.raises(LiaisonError) as refused:
        complaint_record_result(complaint=record, result=" ", actor=qc_head())
    assert refused.value.code == Code.RESULT_REQUIRED
    assert snapshot(record) == before


def test_r_5_5_1_3_a_close_before_feedback_says_the_feedback_closes_and_nothing_changes():
    """The procedure has no separate close (R-5.5.1.3): a close asked for on its own is told so, not a conflict."""
    record = complaint_record_result(
        complaint=investigated(), result="非我司責任", actor=qc_head()
    )
    before = snapshot(record)
    with pytest.raises(LiaisonError) as refused:
        complaint_close(complaint=record, actor=qc_head())
    assert refused.value.code == Code.CLOSE_WITHOUT_FEEDBACK
    assert not refused.value.conflict
    assert str(refused.value) == (
        f"{record.number} has no separate close: it closes when its result is fed back to the customer. "
        "Record the feedback once the result is recorded."
    )
    assert snapshot(record) == before
    assert record.status == ComplaintStatus.RESULT_RECORDED


def test_r_5_5_1_3_feedback_comes_after_the_result():
    record = investigated()
    before = snapshot(record)
    with pytest.raises(LiaisonError) as refused:
        complaint_feed_back(
            complaint=record, channel="phone", summary="已說明", actor=qc_head()
        )
    assert refused.value.code == Code.WRONG_STATUS
    assert snapshot(record) == before


def test_r_5_5_1_3_feedback_needs_what_was_said_and_a_qc_role():
    record = complaint_record_result(
        complaint=investigated(), result="非我司責任", actor=qc_head()
    )
    before = snapshot(record)
    with pytest.raises(LiaisonError) as refused:
        complaint_feed_back(complaint=record, channel="phone", summary="", actor=qc_head())
    assert refused.value.code == Code.FEEDBACK_SUMMARY_REQUIRED
    with pytest.raises(LiaisonError) as refused:
        complaint_feed_back(
            complaint=record, channel="phone", summary="已說明", actor=sales()
        )
    assert refused.value.code == Code.NOT_ALLOWED
    assert snapshot(record) == before


def test_story_4_a_complaint_not_at_fault_closes_without_capa_with_feedback():
    """Story 4, second half: the company is not at fault; no CAPA, the customer hears back, closed."""
    record = investigated(at_fault=False)
    inspector = qc_head()
    complaint_record_result(
        complaint=record, result="客戶使用了錯誤的扭力，非產品問題", actor=inspector
    )
    complaint_feed_back(
        complaint=record, channel="email", summary="已書面說明正確扭力值", actor=inspector
    )
    record.refresh_from_db()
    assert record.status == ComplaintStatus.CLOSED
    assert record.feedback_at == record.closed_at == clock.now()
    assert record.feedback_by == inspector
    assert not CapaRequest.objects.exists()
    answer = CommunicationRecord.objects.get(
        customer=record.customer, direction=Direction.TO_CUSTOMER
    )
    assert (answer.topic, answer.channel, answer.about) == (
        Topic.COMPLAINT_FEEDBACK,
        "email",
        record,
    )
    events = list(
        TimelineEntry.objects.filter(customer=record.customer, event__startswith="complaint_")
        .order_by("pk")
        .values_list("event", flat=True)
    )
    assert events == [
        TimelineEvent.COMPLAINT_REGISTERED,
        TimelineEvent.COMPLAINT_ACKNOWLEDGED,
        TimelineEvent.COMPLAINT_INVESTIGATED,
        TimelineEvent.COMPLAINT_RESULT_FED_BACK,
        TimelineEvent.COMPLAINT_CLOSED,
    ]
    # Closed by the feedback: a close asked for afterwards answers the closed complaint and writes nothing.
    before = snapshot(record)
    assert complaint_close(complaint=record, actor=inspector).status == ComplaintStatus.CLOSED
    assert snapshot(record) == before


def test_story_4_at_fault_closes_once_its_capa_is_closed_and_fed_back():
    record = investigated(at_fault=True)
    capa(source=record, closed=True)
    complaint_record_result(complaint=record, result="糾正措施有效", actor=qc_head())
    complaint_feed_back(
        complaint=record, channel="visit", summary="拜訪說明整改", actor=qc_head()
    )
    record.refresh_from_db()
    assert record.status == ComplaintStatus.CLOSED


# --- void: numbered records are voided, never deleted (R-5.7) ------------------------------------


def test_r_5_5_1_1_the_sales_head_voids_a_complaint_registered_in_error_and_its_number_stays():
    head = UserFactory(roles=[Role.SALES_HEAD])
    record = complaint()

    complaint_void(complaint=record, reason="同一投訴重複登記", actor=head)

    record.refresh_from_db()
    assert record.status == ComplaintStatus.VOID
    assert (record.voided_by, record.void_reason) == (head, "同一投訴重複登記")
    assert Complaint.objects.filter(number=record.number).exists()
    assert record.history.first().history_change_reason == "Voided: 同一投訴重複登記"
    assert TimelineEntry.objects.filter(about_id=record.pk, summary__contains="同一投訴重複登記").exists()


@pytest.mark.parametrize(
    ("who", "reason", "code"),
    [("sales", "duplicate", Code.NOT_ALLOWED), ("head", "  ", Code.VOID_REASON_REQUIRED)],
)
def test_r_5_5_1_1_void_refused_to_sales_staff_and_without_a_reason_changes_nothing(who, reason, code):
    actor = sales() if who == "sales" else UserFactory(roles=[Role.SALES_HEAD])
    record = complaint()
    before = snapshot(record)

    with pytest.raises(LiaisonError) as refused:
        complaint_void(complaint=record, reason=reason, actor=actor)

    assert refused.value.code == code
    assert snapshot(record) == before


def test_r_5_5_1_2_an_investigated_complaint_cannot_be_voided():
    record = investigated()
    before = snapshot(record)

    with pytest.raises(LiaisonError) as refused:
        complaint_void(complaint=record, reason="duplicate", actor=UserFactory(roles=[Role.SALES_HEAD]))

    assert refused.value.code == Code.WRONG_STATUS
    assert snapshot(record) == before
