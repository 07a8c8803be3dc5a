"""Acceptance stories 1–3 of SPEC.md, end to end through the services.

1. A fax order: catalogued, logged, clarified, reviewed, half from stock, half made,
   delivery replied — all on the customer's timeline.
2. A material shortage delays it: registered, agreed by phone, the notice replaced.
3. The customer changes the quantity: round 2, register entry, a third notice.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from liaison.communications.models import CommunicationRecord
from liaison.communications.services import received_document_catalogue
from liaison.communications.states import CommunicationChannel, Direction, ReceivedChannel, Topic
from liaison.communications.tests.factories import pdf
from liaison.core import clock
from liaison.core.tests.factories import local, member, review_departments, sales_admin, workshop
from liaison.customers.selectors import timeline_for
from liaison.customers.states import TimelineEvent
from liaison.customers.tests.factories import CustomerFactory
from liaison.orders import services
from liaison.orders.models import Order
from liaison.orders.states import (
    ChangeKind,
    ChangeReasonCategory,
    ChangeStatus,
    OrderChannel,
    OrderStatus,
    ReviewOutcome,
    ReviewRoundReason,
)
from liaison.production.models import ProductionNotice
from liaison.production.services import notice_issue
from liaison.production.states import NoticeStatus
from liaison.stock.models import OutboundSlip
from liaison.stock.selectors import stock_of
from liaison.stock.services import slip_issue
from liaison.stock.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@dataclass
class Story:
    order: Order
    clerk: object
    admin: object
    notice: ProductionNotice | None = None


def sign_every_department(review_round, **answers):
    for sign_off in review_round.sign_offs.select_related("department"):
        services.review_sign_off(
            sign_off=sign_off,
            capability_ok=True,
            capacity_ok=True,
            delivery_date_ok=True,
            quality_ok=True,
            opinion=answers.get(sign_off.department.code, ""),
            actor=member(sign_off.department.code),
        )


def story_1() -> Story:
    """A fax order for 2000 bolts; stock holds 1000."""
    review_departments()
    clerk, admin = member("sales"), sales_admin()
    with clock.frozen(local(2026, 1, 5)):
        customer = CustomerFactory(registered_name="蘇州瑞豐機電設備有限公司")
    bolt = ProductFactory(code="HB-M6-20", stock=1000)

    with clock.frozen(local(2026, 3, 2, 8)):
        fax = received_document_catalogue(
            customer=customer,
            channel=ReceivedChannel.FAX,
            summary="訂單 PO-778",
            upload=pdf(),
            actor=clerk,
        )
    with clock.frozen(local(2026, 3, 2, 9)):
        order = services.order_register(
            customer=customer,
            channel=OrderChannel.FAX,
            received_document=fax,
            received_at=fax.received_at,
            customer_po="PO-778",
            lines=[
                {
                    "product": bolt,
                    "quantity": Decimal(2000),
                    "specification": "M6×20",
                    "required_date": dt.date(2026, 3, 31),
                }
            ],
            packaging="紙箱，每箱 500 件",
            actor=clerk,
        )
    with clock.frozen(local(2026, 3, 2, 10)):
        clarification = services.clarification_ask(
            order=order,
            question="材質：鍍鋅還是 SUS304？",
            channel=CommunicationChannel.PHONE,
            actor=clerk,
        )
    with clock.frozen(local(2026, 3, 2, 15)):
        services.clarification_answer(
            clarification=clarification,
            answer="SUS304",
            channel=CommunicationChannel.FAX,
            actor=clerk,
        )
    review_round = order.review_rounds.get()
    with clock.frozen(local(2026, 3, 3, 9)):
        sign_every_department(review_round, **{"workshop-1": "可於 3 月 25 日前完成 1000 件"})
        services.review_legal_check(
            review_round=review_round, passed=True, note="GB/T 5782-2016", actor=clerk
        )
    with clock.frozen(local(2026, 3, 3, 11)):
        services.review_decide(
            review_round=review_round, outcome=ReviewOutcome.ACCEPTED, conditions="", actor=admin
        )
    line = order.lines.get()
    with clock.frozen(local(2026, 3, 3, 14)):
        slip_issue(
            customer=customer,
            order=order,
            lines=[{"product": bolt, "quantity": Decimal(1000), "order_line": line}],
            actor=clerk,
        )
    with clock.frozen(local(2026, 3, 3, 15)):
        notice = notice_issue(
            order=order,
            workshop=workshop(),
            due_date=dt.date(2026, 3, 25),
            lines=[{"product": bolt, "quantity": Decimal(1000), "order_line": line}],
            actor=admin,
        )
    with clock.frozen(local(2026, 3, 3, 16)):
        services.order_delivery_reply(
            order=order,
            promised_date=dt.date(2026, 3, 27),
            channel=CommunicationChannel.FAX,
            actor=clerk,
            summary="1000 件已出貨，餘 1000 件 3 月 27 日交貨",
        )
    order.refresh_from_db()
    return Story(order=order, clerk=clerk, admin=admin, notice=notice)


def story_2(story: Story) -> Story:
    """The material for the second half is short: the delivery slips two weeks."""
    with clock.frozen(local(2026, 3, 10, 9)):
        change = services.change_register(
            order=story.order,
            kind=ChangeKind.COMPANY,
            reason_category=ChangeReasonCategory.MATERIAL,
            reason="SUS304 線材缺貨，供應商延後兩週",
            new_due_date=dt.date(2026, 4, 8),
            actor=story.clerk,
        )
    with clock.frozen(local(2026, 3, 10, 11)):
        services.change_record_agreement(
            change=change,
            agreed_by="陳經理（採購）",
            agreed_at=local(2026, 3, 10, 10),
            via=CommunicationChannel.PHONE,
            actor=story.clerk,
        )
        [successor] = services.change_apply(change=change, actor=story.admin)
    return Story(order=story.order, clerk=story.clerk, admin=story.admin, notice=successor)


def story_3(story: Story) -> Story:
    """The customer raises the order from 2000 to 2500 pieces."""
    with clock.frozen(local(2026, 3, 12, 9)):
        change = services.change_register(
            order=story.order,
            kind=ChangeKind.CUSTOMER,
            reason_category=ChangeReasonCategory.CUSTOMER_REQUEST,
            reason="客戶追加 500 件",
            change_details="數量 2000 → 2500",
            requested_via=CommunicationChannel.FAX,
            actor=story.clerk,
        )
    second = story.order.review_rounds.get(number=2)
    with clock.frozen(local(2026, 3, 12, 14)):
        sign_every_department(second)
        services.review_legal_check(
            review_round=second, passed=True, note="GB/T 5782-2016", actor=story.clerk
        )
        services.review_decide(
            review_round=second, outcome=ReviewOutcome.ACCEPTED, conditions="", actor=story.admin
        )
    line = story.order.lines.get()
    with clock.frozen(local(2026, 3, 12, 15)):
        [successor] = services.change_apply(
            change=change, actor=story.admin, line_quantities={line.pk: Decimal(2500)}
        )
    story.order.refresh_from_db()
    return Story(order=story.order, clerk=story.clerk, admin=story.admin, notice=successor)


def test_story_1_fax_order_from_receipt_to_delivery_reply():
    story = story_1()
    order = story.order
    assert order.received_document.number == "FAX-2026-0001"
    assert order.number == "ORD-2026-0001" and order.status == OrderStatus.ACCEPTED
    assert order.promised_date == dt.date(2026, 3, 27)
    [clarification] = order.clarifications.all()
    assert clarification.answer == "SUS304" and not clarification.is_open
    review_round = order.review_rounds.get()
    assert review_round.outcome == ReviewOutcome.ACCEPTED
    assert all(s.signed_at <= review_round.decided_at for s in review_round.sign_offs.all())
    # Stock covered half, the other half is made.
    slip = OutboundSlip.objects.get(order=order)
    assert slip.lines.get().quantity == Decimal(1000)
    assert stock_of(product=order.lines.get().product) == Decimal(0)
    assert story.notice.lines.get().quantity == Decimal(1000)
    # Every exchange with the customer is an F5 record.
    f5 = list(CommunicationRecord.objects.filter(customer=order.customer).order_by("occurred_at"))
    assert [(r.topic, r.direction) for r in f5] == [
        (Topic.CLARIFICATION, Direction.TO_CUSTOMER),
        (Topic.CLARIFICATION, Direction.FROM_CUSTOMER),
        (Topic.DELIVERY_REPLY, Direction.TO_CUSTOMER),
    ]
    # All of it on the customer's timeline, in order.
    events = [entry.event for entry in reversed(timeline_for(customer=order.customer))]
    assert events == [
        TimelineEvent.CUSTOMER_REGISTERED,
        TimelineEvent.DOCUMENT_RECEIVED,
        TimelineEvent.ORDER_REGISTERED,
        TimelineEvent.REVIEW_OPENED,
        TimelineEvent.COMMUNICATION_RECORDED,
        TimelineEvent.CLARIFICATION_ASKED,
        TimelineEvent.COMMUNICATION_RECORDED,
        TimelineEvent.CLARIFICATION_ANSWERED,
        TimelineEvent.REVIEW_SIGNED,
        TimelineEvent.REVIEW_SIGNED,
        TimelineEvent.REVIEW_SIGNED,
        TimelineEvent.REVIEW_SIGNED,
        TimelineEvent.REVIEW_ACCEPTED,
        TimelineEvent.SHIPPED_FROM_STOCK,
        TimelineEvent.NOTICE_ISSUED,
        TimelineEvent.COMMUNICATION_RECORDED,
        TimelineEvent.DELIVERY_REPLIED,
    ]


def test_story_2_material_shortage_delays_the_order():
    story = story_2(story_1())
    original, successor = story_1_notice(story.order), story.notice
    change = story.order.changes.get()
    assert (
        change.kind == ChangeKind.COMPANY
        and change.reason_category == ChangeReasonCategory.MATERIAL
    )
    assert change.status == ChangeStatus.APPLIED
    assert (change.customer_agreed_by, change.customer_agreed_via) == (
        "陳經理（採購）",
        CommunicationChannel.PHONE,
    )
    assert original.status == NoticeStatus.VOID and original.superseded_by == successor
    assert successor.status == NoticeStatus.ISSUED and successor.due_date == dt.date(2026, 4, 8)
    assert successor.change == change
    story.order.refresh_from_db()
    assert story.order.promised_date == dt.date(2026, 4, 8)  # the agreed date is the promise now
    agreement = CommunicationRecord.objects.get(topic=Topic.ORDER_CHANGE)
    assert (
        agreement.channel == CommunicationChannel.PHONE
        and agreement.direction == Direction.FROM_CUSTOMER
    )
    events = [
        entry.event
        for entry in reversed(timeline_for(customer=story.order.customer))
        if entry.occurred_at >= local(2026, 3, 10, 0)
    ]
    assert events == [
        TimelineEvent.CHANGE_REGISTERED,
        TimelineEvent.COMMUNICATION_RECORDED,
        TimelineEvent.CHANGE_AGREED,
        TimelineEvent.NOTICE_ISSUED,
        TimelineEvent.NOTICE_VOIDED,
        TimelineEvent.CHANGE_APPLIED,
    ]


def test_story_3_customer_changes_the_quantity_three_notices_one_current():
    story = story_3(story_2(story_1()))
    order = story.order
    rounds = list(order.review_rounds.order_by("number"))
    assert [(r.number, r.reason, r.outcome) for r in rounds] == [
        (1, ReviewRoundReason.NEW_ORDER, ReviewOutcome.ACCEPTED),
        (2, ReviewRoundReason.CUSTOMER_CHANGE, ReviewOutcome.ACCEPTED),
    ]
    delay, increase = order.changes.order_by("created_at")
    assert rounds[1].change == increase and increase.status == ChangeStatus.APPLIED
    assert [delay.number, increase.number] == ["CHG-2026-0001", "CHG-2026-0002"]
    assert order.lines.get().quantity == Decimal(2500) and order.status == OrderStatus.ACCEPTED
    # The chain order → notices stays readable: two void, each pointing to its successor.
    chain = list(order.production_notices.order_by("issued_at", "pk"))
    assert [n.number for n in chain] == ["PN-2026-0001", "PN-2026-0002", "PN-2026-0003"]
    assert [n.status for n in chain] == [NoticeStatus.VOID, NoticeStatus.VOID, NoticeStatus.ISSUED]
    assert chain[0].superseded_by == chain[1] and chain[1].superseded_by == chain[2]
    assert [n.change for n in chain] == [None, delay, increase]
    assert chain[2].lines.get().quantity == Decimal(1500)  # 1000 still to make + 500 more
    assert chain[2].due_date == dt.date(2026, 4, 8)
    request, decision = CommunicationRecord.objects.filter(about_id=increase.pk, topic=Topic.ORDER_CHANGE).order_by(
        "occurred_at"
    )
    assert (request.direction, request.channel) == (Direction.FROM_CUSTOMER, CommunicationChannel.FAX)
    assert (decision.direction, decision.channel) == (Direction.TO_CUSTOMER, CommunicationChannel.FAX)
    events = [
        entry.event
        for entry in reversed(timeline_for(customer=order.customer))
        if entry.occurred_at >= local(2026, 3, 12, 0)
    ]
    assert events == [
        TimelineEvent.COMMUNICATION_RECORDED,  # the customer's request (F5)
        TimelineEvent.CHANGE_REGISTERED,
        TimelineEvent.REVIEW_OPENED,
        *[TimelineEvent.REVIEW_SIGNED] * 4,
        TimelineEvent.COMMUNICATION_RECORDED,  # the decision, back to the customer (F5)
        TimelineEvent.REVIEW_ACCEPTED,
        TimelineEvent.NOTICE_ISSUED,
        TimelineEvent.NOTICE_VOIDED,
        TimelineEvent.CHANGE_APPLIED,
    ]


def test_r_1_1_requirements_recorded_reviewed_cleared_and_re_reviewed_on_change():
    """Requirements recorded and reviewed, differences cleared, changes re-reviewed, customer told."""
    story = story_3(story_2(story_1()))
    order = story.order
    assert order.lines.exists() and order.packaging
    assert not order.clarifications.filter(answered_at__isnull=True).exists()
    assert order.review_rounds.count() == 2
    assert not order.review_rounds.filter(decided_at__isnull=True).exists()
    told = CommunicationRecord.objects.filter(customer=order.customer).values_list(
        "topic", flat=True
    )
    assert {Topic.CLARIFICATION, Topic.DELIVERY_REPLY, Topic.ORDER_CHANGE} <= set(told)


def story_1_notice(order: Order) -> ProductionNotice:
    return order.production_notices.order_by("issued_at", "pk").first()
