"""Replying the delivery date to the customer (R-5.2.3.3): an F5 record with the promised date."""

import datetime as dt

import pytest

from liaison.communications.models import CommunicationRecord
from liaison.communications.states import CommunicationChannel, Direction, RecordSource, Topic
from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory, local, sales_admin
from liaison.customers.models import TimelineEntry
from liaison.customers.states import TimelineEvent
from liaison.orders.errors import OrderErrorCode
from liaison.orders.services import order_delivery_reply
from liaison.orders.tests.factories import OrderFactory, accepted_order

pytestmark = pytest.mark.django_db


def reply(order, **overrides):
    values = {
        "promised_date": dt.date(2026, 3, 30),
        "channel": CommunicationChannel.FAX,
        "actor": overrides.pop("actor", None) or sales_admin(),
    }
    values.update(overrides)
    return order_delivery_reply(order=order, **values)


def assert_no_reply(order):
    order.refresh_from_db()
    assert order.promised_date is None
    assert not CommunicationRecord.objects.filter(topic=Topic.DELIVERY_REPLY).exists()
    assert not TimelineEntry.objects.filter(event=TimelineEvent.DELIVERY_REPLIED).exists()


def test_r_5_2_3_3_delivery_reply_is_an_f5_record_with_the_promised_date():
    clerk = sales_admin()
    with clock.frozen(local(2026, 3, 3, 16)) as now:
        order = accepted_order(actor=clerk)
        reply(order, actor=clerk, summary="第一批 1000 件庫存先出")
    order.refresh_from_db()
    assert order.promised_date == dt.date(2026, 3, 30)
    record = CommunicationRecord.objects.get(topic=Topic.DELIVERY_REPLY)
    assert (record.customer, record.channel, record.direction, record.about, record.staff) == (
        order.customer,
        CommunicationChannel.FAX,
        Direction.TO_CUSTOMER,
        order,
        clerk,
    )
    assert record.occurred_at == now and record.source == RecordSource.AUTOMATIC
    assert order.number in record.summary and "2026-03-30" in record.summary
    assert "第一批 1000 件庫存先出" in record.summary
    entry = TimelineEntry.objects.get(event=TimelineEvent.DELIVERY_REPLIED)
    assert entry.about == order and "2026-03-30" in entry.summary
    assert order.history.first().history_change_reason == "Delivery date replied: 2026-03-30"


def test_a_second_reply_moves_the_promised_date_and_keeps_both_records():
    with clock.frozen(local(2026, 3, 3)):
        order = accepted_order()
        reply(order)
        reply(order, promised_date=dt.date(2026, 4, 10), channel=CommunicationChannel.PHONE)
    order.refresh_from_db()
    assert order.promised_date == dt.date(2026, 4, 10)
    assert CommunicationRecord.objects.filter(topic=Topic.DELIVERY_REPLY).count() == 2


def test_no_delivery_reply_before_the_order_is_accepted():
    with clock.frozen(local(2026, 3, 3)):
        order = OrderFactory()
        with pytest.raises(LiaisonError) as refused:
            reply(order)
    assert refused.value.code == OrderErrorCode.ORDER_NOT_ACCEPTED and order.number in str(
        refused.value
    )
    assert_no_reply(order)


@pytest.mark.parametrize(
    ("code", "overrides"),
    [
        (OrderErrorCode.PROMISED_DATE_PAST, {"promised_date": dt.date(2026, 3, 2)}),
        (OrderErrorCode.UNKNOWN_CHANNEL, {"channel": "pigeon"}),
    ],
)
def test_bad_reply_is_refused(code, overrides):
    with clock.frozen(local(2026, 3, 3)):
        order = accepted_order()
        with pytest.raises(LiaisonError) as refused:
            reply(order, **overrides)
    assert refused.value.code == code
    assert_no_reply(order)


@pytest.mark.parametrize(
    "role", [Role.QC_HEAD, Role.WORKSHOP_LEAD, Role.WAREHOUSE_CLERK, Role.MANAGEMENT]
)
def test_r_3_1_only_sales_replies_to_the_customer(role):
    with clock.frozen(local(2026, 3, 3)):
        order = accepted_order()
        with pytest.raises(LiaisonError) as refused:
            reply(order, actor=UserFactory(roles=[role]))
        assert refused.value.code == OrderErrorCode.NOT_ALLOWED
        assert_no_reply(order)
        reply(order, actor=UserFactory(roles=[Role.SALES_STAFF]))



def test_the_order_not_accepted_refusal_says_what_to_do_and_reads_the_status_as_is():
    from django.utils import translation

    with pytest.raises(LiaisonError) as refused:
        order_delivery_reply(
            order=OrderFactory(), promised_date=clock.today(), channel="phone", actor=sales_admin()
        )
    assert refused.value.code == OrderErrorCode.ORDER_NOT_ACCEPTED and refused.value.conflict
    with translation.override("en"):
        message = str(refused.value)
    assert "“Under review”" in message and "decide the open review round" in message
