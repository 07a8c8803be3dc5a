"""Clarifications raised with the customer and their answers (R-5.2.2.2), each an F5 record."""

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
from liaison.orders.models import Clarification
from liaison.orders.services import clarification_answer, clarification_ask
from liaison.orders.tests.factories import OrderFactory, accepted_order

pytestmark = pytest.mark.django_db


def ask(order, **overrides):
    values = {
        "question": "M6 螺栓要求鍍鋅還是不鏽鋼？",
        "channel": CommunicationChannel.PHONE,
        "actor": overrides.pop("actor", None) or sales_admin(),
    }
    values.update(overrides)
    return clarification_ask(order=order, **values)


def answer(clarification, **overrides):
    values = {
        "answer": "SUS304 不鏽鋼",
        "channel": CommunicationChannel.FAX,
        "actor": overrides.pop("actor", None) or sales_admin(),
    }
    values.update(overrides)
    return clarification_answer(clarification=clarification, **values)


def clarification_records():
    return CommunicationRecord.objects.filter(topic=Topic.CLARIFICATION)


def test_r_5_2_2_2_question_is_tracked_open_and_is_an_f5_record():
    clerk = sales_admin()
    order = OrderFactory(actor=clerk)
    with clock.frozen(local(2026, 3, 2, 11)) as now:
        clarification = ask(order, actor=clerk)
    clarification.refresh_from_db()
    assert clarification.is_open and clarification.order == order
    assert (clarification.asked_at, clarification.asked_by) == (now, clerk)
    record = clarification_records().get()
    assert (record.customer, record.channel, record.direction, record.about) == (
        order.customer,
        CommunicationChannel.PHONE,
        Direction.TO_CUSTOMER,
        clarification,
    )
    assert record.source == RecordSource.AUTOMATIC and record.staff == clerk
    assert record.occurred_at == now
    assert order.number in record.summary and "鍍鋅還是不鏽鋼" in record.summary
    entry = TimelineEntry.objects.get(event=TimelineEvent.CLARIFICATION_ASKED)
    assert entry.about == clarification and entry.customer == order.customer


def test_r_5_2_2_2_answer_closes_the_clarification_and_is_an_f5_record():
    order = OrderFactory()
    with clock.frozen(local(2026, 3, 2, 11)):
        clarification = ask(order)
    clerk = sales_admin()
    with clock.frozen(local(2026, 3, 3, 9)):
        answer(clarification, actor=clerk, answered_at=local(2026, 3, 2, 16))
    clarification.refresh_from_db()
    assert not clarification.is_open
    assert (clarification.answer, clarification.answered_at, clarification.answer_recorded_by) == (
        "SUS304 不鏽鋼",
        local(2026, 3, 2, 16),
        clerk,
    )
    record = clarification_records().get(direction=Direction.FROM_CUSTOMER)
    assert (record.channel, record.occurred_at, record.about) == (
        CommunicationChannel.FAX,
        local(2026, 3, 2, 16),
        clarification,
    )
    assert "SUS304" in record.summary
    entry = TimelineEntry.objects.get(event=TimelineEvent.CLARIFICATION_ANSWERED)
    assert entry.occurred_at == local(2026, 3, 2, 16)
    assert clarification.history.first().history_change_reason == "Answered"


def test_question_must_be_written():
    order = OrderFactory()
    with pytest.raises(LiaisonError) as refused:
        ask(order, question="  ")
    assert refused.value.code == OrderErrorCode.QUESTION_REQUIRED
    assert not Clarification.objects.exists() and not clarification_records().exists()


def test_unknown_channel_is_refused():
    order = OrderFactory()
    with pytest.raises(LiaisonError) as refused:
        ask(order, channel="pigeon")
    assert refused.value.code == OrderErrorCode.UNKNOWN_CHANNEL and refused.value.field == "channel"
    assert not Clarification.objects.exists() and not clarification_records().exists()


def test_no_clarification_on_an_order_already_decided():
    order = accepted_order()
    with pytest.raises(LiaisonError) as refused:
        ask(order)
    assert refused.value.code == OrderErrorCode.ORDER_NOT_UNDER_REVIEW
    assert order.number in str(refused.value)
    assert not Clarification.objects.exists()


def test_answering_twice_is_refused_and_keeps_the_first_answer():
    clarification = answer(ask(OrderFactory()))
    with pytest.raises(LiaisonError) as refused:
        answer(clarification, answer="改成鍍鋅")
    assert refused.value.code == OrderErrorCode.ALREADY_ANSWERED and refused.value.conflict
    clarification.refresh_from_db()
    assert clarification.answer == "SUS304 不鏽鋼"
    assert clarification_records().filter(direction=Direction.FROM_CUSTOMER).count() == 1


@pytest.mark.parametrize(
    ("code", "overrides"),
    [
        (OrderErrorCode.ANSWER_REQUIRED, {"answer": ""}),
        (OrderErrorCode.UNKNOWN_CHANNEL, {"channel": "telegram"}),
        (OrderErrorCode.ANSWERED_BEFORE_ASKED, {"answered_at": local(2026, 3, 2, 10)}),
        (OrderErrorCode.OCCURRED_IN_FUTURE, {"answered_at": local(2026, 3, 2, 12)}),
    ],
)
def test_bad_answer_is_refused_and_the_clarification_stays_open(code, overrides):
    with clock.frozen(local(2026, 3, 2, 11)):
        clarification = ask(OrderFactory())
        with pytest.raises(LiaisonError) as refused:
            answer(clarification, **overrides)
    assert refused.value.code == code
    clarification.refresh_from_db()
    assert clarification.is_open and clarification.answer == ""
    assert not clarification_records().filter(direction=Direction.FROM_CUSTOMER).exists()


@pytest.mark.parametrize(
    "role", [Role.QC_INSPECTOR, Role.WORKSHOP_LEAD, Role.WAREHOUSE_CLERK, Role.MANAGEMENT]
)
def test_r_3_1_only_sales_talks_to_the_customer_about_clarifications(role):
    order = OrderFactory()
    with pytest.raises(LiaisonError) as refused:
        ask(order, actor=UserFactory(roles=[role]))
    assert refused.value.code == OrderErrorCode.NOT_ALLOWED
    clarification = ask(order, actor=UserFactory(roles=[Role.SALES_STAFF]))
    with pytest.raises(LiaisonError) as refused:
        answer(clarification, actor=UserFactory(roles=[role]))
    assert refused.value.code == OrderErrorCode.NOT_ALLOWED
    clarification.refresh_from_db()
    assert clarification.is_open
    answer(clarification, actor=UserFactory(roles=[Role.SALES_STAFF]))
