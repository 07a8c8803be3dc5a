"""The communication record, F5 (R-5.4): manual lines and lines added by procedure steps."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from liaison.communications.errors import CommunicationErrorCode
from liaison.communications.models import CommunicationRecord, ReceivedDocument
from liaison.communications.services import communication_record
from liaison.communications.states import CommunicationChannel, Direction, RecordSource, Topic
from liaison.communications.tests.factories import communication, received_document
from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.roles import Role
from liaison.core.tests.factories import local
from liaison.customers.models import TimelineEntry
from liaison.customers.selectors import timeline_for
from liaison.customers.states import TimelineEvent
from liaison.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_r_5_4_manual_record_keeps_every_f5_column(sales_user):
    customer = CustomerFactory()
    with clock.frozen(local(2026, 5, 6, 15)):
        record = communication_record(
            customer=customer,
            channel=CommunicationChannel.VISIT,
            direction=Direction.TO_CUSTOMER,
            topic=Topic.PRODUCT_INFORMATION,
            summary=" 介紹新型不鏽鋼螺栓 ",
            occurred_at=local(2026, 5, 6, 10),
            actor=sales_user,
        )
    record.refresh_from_db()
    assert (
        record.customer,
        record.occurred_at,
        record.channel,
        record.direction,
        record.topic,
    ) == (
        customer,
        local(2026, 5, 6, 10),
        CommunicationChannel.VISIT,
        Direction.TO_CUSTOMER,
        Topic.PRODUCT_INFORMATION,
    )
    assert record.summary == "介紹新型不鏽鋼螺栓"
    assert record.staff == sales_user and record.source == RecordSource.MANUAL
    assert record.about is None
    assert record.history.get().history_change_reason == "Recorded"


def test_r_5_4_automatic_step_record_appears_on_the_customer_timeline(sales_user):
    """A later step (here: replying to a received fax) adds its F5 line in one call."""
    document = received_document(actor=sales_user)
    with clock.frozen(local(2026, 5, 7, 9)) as now:
        record = communication_record(
            customer=document.customer,
            channel=CommunicationChannel.FAX,
            direction=Direction.TO_CUSTOMER,
            topic=Topic.DELIVERY_REPLY,
            summary="交期回覆：5 月 20 日出貨",
            about=document,
            actor=sales_user,
            automatic=True,
        )
    assert record.source == RecordSource.AUTOMATIC and record.about == document
    assert record.occurred_at == now
    [entry] = timeline_for(customer=document.customer, event=TimelineEvent.COMMUNICATION_RECORDED)
    assert entry.about == record
    assert entry.summary == "交期回覆：5 月 20 日出貨"
    assert entry.actor == sales_user and entry.occurred_at == now


def test_r_5_4_automatic_record_may_come_from_a_scheduled_step_without_a_user():
    record = communication(
        actor=None, automatic=True, topic=Topic.SURVEY, channel=CommunicationChannel.EMAIL
    )
    assert record.staff is None and record.source == RecordSource.AUTOMATIC


def test_manual_record_needs_a_staff_member():
    customer = CustomerFactory()
    with pytest.raises(LiaisonError) as refused:
        communication(customer=customer, actor=None)
    assert refused.value.code == CommunicationErrorCode.NOT_ALLOWED
    assert not CommunicationRecord.objects.exists()
    assert not TimelineEntry.objects.filter(event=TimelineEvent.COMMUNICATION_RECORDED).exists()


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("channel", {"channel": "telegram"}),
        ("direction", {"direction": "sideways"}),
        ("topic", {"topic": "gossip"}),
        ("summary", {"summary": "  "}),
    ],
)
def test_invalid_record_is_refused_and_nothing_written(sales_user, field, overrides):
    with pytest.raises(ValidationError) as refused:
        communication(actor=sales_user, **overrides)
    assert field in refused.value.message_dict
    assert not CommunicationRecord.objects.exists()
    assert not TimelineEntry.objects.filter(event=TimelineEvent.COMMUNICATION_RECORDED).exists()


def test_record_in_the_future_is_refused(sales_user):
    with clock.frozen(local(2026, 5, 6, 9)):
        with pytest.raises(LiaisonError) as refused:
            communication(occurred_at=local(2026, 5, 6, 12), actor=sales_user)
    assert refused.value.code == CommunicationErrorCode.OCCURRED_IN_FUTURE
    assert not CommunicationRecord.objects.exists()


def test_about_an_unsaved_record_is_refused(sales_user):
    with pytest.raises(LiaisonError) as refused:
        communication(about=ReceivedDocument(), actor=sales_user)
    assert refused.value.code == CommunicationErrorCode.ABOUT_NOT_SAVED
    assert not CommunicationRecord.objects.exists()


def test_r_5_4_record_is_written_inside_the_calling_steps_transaction(sales_user):
    """A step that fails after adding its F5 line leaves no line behind."""
    customer = CustomerFactory()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            communication(customer=customer, actor=sales_user, automatic=True)
            raise RuntimeError("the step itself failed")
    assert not CommunicationRecord.objects.exists()
    assert timeline_for(customer=customer, event=TimelineEvent.COMMUNICATION_RECORDED) == []


@pytest.mark.parametrize("role", ["qc_inspector", "management", "workshop_lead"])
def test_r_4_manual_record_needs_the_add_permission(user_with_role, role):
    with pytest.raises(LiaisonError) as refused:
        communication(actor=user_with_role(Role(role)))
    assert refused.value.code == CommunicationErrorCode.NOT_ALLOWED and refused.value.forbidden
    assert not CommunicationRecord.objects.exists()
    assert not TimelineEntry.objects.filter(event=TimelineEvent.COMMUNICATION_RECORDED).exists()


def test_r_5_5_1_3_a_step_records_for_a_role_that_does_not_write_f5_by_hand(user_with_role):
    """QC feeds a complaint's result back: the step, not QC's role, writes the F5 line."""
    qc = user_with_role(Role.QC_HEAD)
    record = communication(actor=qc, automatic=True, topic=Topic.COMPLAINT_FEEDBACK)
    assert record.staff == qc and record.source == RecordSource.AUTOMATIC


@pytest.mark.parametrize("automatic", [False, True])
def test_about_a_record_of_another_customer_is_refused(sales_user, automatic):
    document = received_document(actor=sales_user)
    with pytest.raises(LiaisonError) as refused:
        communication(customer=CustomerFactory(), about=document, actor=sales_user, automatic=automatic)
    assert refused.value.code == CommunicationErrorCode.ABOUT_OTHER_CUSTOMER
    assert refused.value.field == "about"
    assert not CommunicationRecord.objects.exists()


def test_about_a_record_of_the_same_customer_is_kept(sales_user):
    document = received_document(actor=sales_user)
    record = communication(customer=document.customer, about=document, actor=sales_user)
    assert record.about == document


def test_record_reads_in_local_time(sales_user, settings):
    settings.TIME_ZONE = "Asia/Taipei"

    with clock.frozen(local(2026, 5, 6, 12)):
        record = communication(occurred_at=local(2026, 5, 6, 10), actor=sales_user)
    record.refresh_from_db()  # back from the database in UTC
    assert str(record).startswith("2026-05-06 10:00")
    [entry] = timeline_for(customer=record.customer, event=TimelineEvent.COMMUNICATION_RECORDED)
    entry.refresh_from_db()
    assert str(entry).startswith("2026-05-06 10:00")
    assert timezone.localtime(entry.occurred_at).hour == 10
