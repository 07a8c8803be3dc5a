"""A small order chain to print, written with the ORM so the forms are tested on their own.

Services of the other apps enforce the procedure (and are tested with their apps); the printouts
need records in the states the forms show (void, superseded, 補貨, answered and open clarifications)
with fixed numbers and moments weeks apart, which the services would only give by replaying the
whole story day by day. So the rows, statuses included, are written directly.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from liaison.communications.models import CommunicationRecord, ReceivedDocument
from liaison.communications.states import CommunicationChannel, Direction, ReceivedChannel, Topic
from liaison.core.models import Department
from liaison.core.states import DepartmentKind
from liaison.core.tests.factories import UserFactory, local, review_departments
from liaison.customers.models import Customer
from liaison.customers.tests.factories import CustomerFactory
from liaison.orders.models import ChangeEntry, Clarification, Order, OrderLine, ReviewRound, ReviewSignOff
from liaison.orders.states import (
    ChangeKind,
    ChangeReasonCategory,
    ChangeStatus,
    OrderChannel,
    OrderStatus,
    ReviewOutcome,
    ReviewRoundReason,
    ReviewRoundStatus,
)
from liaison.production.models import NoticeLine, ProductionNotice
from liaison.production.states import NoticeStatus
from liaison.stock.models import OutboundSlip, OutboundSlipLine, StockMove
from liaison.stock.states import MoveDirection, MoveReason
from liaison.stock.tests.factories import ProductFactory

CUSTOMER_NAME = "深圳市華豐五金製品有限公司"
LONG_TEXT = (
    "紙箱包裝，每箱 500 件，外箱標示客戶料號及批號；棧板纏繞膜固定，"
    "每批隨貨附出廠檢驗報告及材質證明（RoHS、REACH），交貨前三天傳真出貨通知。"
)


@dataclass
class Chain:
    customer: Customer
    order: Order
    review_round: ReviewRound
    old_notice: ProductionNotice
    notice: ProductionNotice
    replenishment_notice: ProductionNotice
    slip: OutboundSlip
    workshop: Department


def chain(*, customer_name: str = CUSTOMER_NAME) -> Chain:
    """An order with lines, clarifications, a decided review, two changes, three notices, a slip, F5 records."""
    clerk = UserFactory(first_name="美玲", last_name="陳")
    customer = CustomerFactory(registered_name=customer_name, short_name="華豐")
    departments = list(review_departments().values())  # sales, qc, workshop-1, warehouse
    workshop = departments[2]
    bolt = ProductFactory(code="HB-M6-20", name="六角螺栓 M6×20", specification="8.8級 鍍鋅")
    nut = ProductFactory(code="HN-M6", name="六角螺母 M6", specification="8級 鍍鋅")
    fax = ReceivedDocument.objects.create(
        number="FAX-2026-0001", channel=ReceivedChannel.FAX, customer=customer,
        received_at=local(2026, 3, 2, 9), summary="訂單 PO-778",
    )
    order = Order.objects.create(
        number="ORD-2026-0001", customer=customer, channel=OrderChannel.FAX, customer_po="PO-778",
        received_document=fax, received_at=local(2026, 3, 2, 9), delivery_terms="FOB 深圳，分兩批交貨",
        packaging=LONG_TEXT, post_delivery="保固一年；每批附出廠檢驗報告", created_by=clerk,
    )
    lines = [
        OrderLine.objects.create(
            order=order, line_no=1, product=bolt, quantity=Decimal(5000), specification="M6×20 8.8級 鍍鋅",
            required_date=dt.date(2026, 4, 15),
        ),
        OrderLine.objects.create(
            order=order, line_no=2, product=nut, quantity=Decimal("2500.5"), required_date=dt.date(2026, 4, 15)
        ),
    ]
    Clarification.objects.create(
        order=order, question="鍍鋅顏色：白鋅還是彩鋅？", asked_at=local(2026, 3, 2, 11), asked_by=clerk,
        answer="白鋅", answered_at=local(2026, 3, 3, 9),
    )
    Clarification.objects.create(order=order, question="第二批交期可否延後一週？", asked_at=local(2026, 3, 3, 14))
    review_round = ReviewRound.objects.create(
        order=order, number=1, reason=ReviewRoundReason.NEW_ORDER, opened_at=local(2026, 3, 2, 9),
        legal_check_passed=True, legal_check_note="符合 GB/T 5782 及 RoHS", created_by=clerk,
    )
    for department in departments:
        ReviewSignOff.objects.create(
            review_round=review_round, department=department, capability_ok=True, capacity_ok=True,
            delivery_date_ok=department.kind != DepartmentKind.WORKSHOP, quality_ok=True,
            opinion="產能緊張，第二批需延後三天" if department.kind == DepartmentKind.WORKSHOP else "可接受",
            # The workshop's "cannot meet", answered when the round was accepted with conditions.
            objection_answer="週六加班" if department.kind == DepartmentKind.WORKSHOP else "",
        )
    ReviewSignOff.objects.filter(review_round=review_round).update(signed_at=local(2026, 3, 4, 10), signed_by=clerk)
    ReviewRound.objects.filter(pk=review_round.pk).update(
        status=ReviewRoundStatus.DECIDED, outcome=ReviewOutcome.ACCEPTED_WITH_CONDITIONS,
        conditions="第二批交期延至 4 月 18 日", decided_at=local(2026, 3, 5, 10), decided_by=clerk,
    )
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.ACCEPTED)
    delay = ChangeEntry.objects.create(
        number="CHG-2026-0001", order=order, kind=ChangeKind.COMPANY, reason_category=ChangeReasonCategory.MATERIAL,
        reason="線材供應商延遲交貨", change_details="第一批交期延至 4 月 22 日", new_due_date=dt.date(2026, 4, 22),
        customer_agreed_by="王經理", customer_agreed_at=local(2026, 3, 20, 15), customer_agreed_via="phone",
        created_by=clerk,
    )
    ChangeEntry.objects.filter(pk=delay.pk).update(status=ChangeStatus.APPLIED)
    ChangeEntry.objects.create(
        number="CHG-2026-0002", order=order, kind=ChangeKind.CUSTOMER,
        reason_category=ChangeReasonCategory.CUSTOMER_REQUEST, reason="客戶追加數量", change_details="螺栓 5000 → 6000",
        created_by=clerk,
    )
    notice = ProductionNotice.objects.create(
        number="F4-2026-0002", order=order, workshop=workshop, due_date=dt.date(2026, 4, 22), issued_by=clerk,
        issued_at=local(2026, 3, 21, 9), change=delay, instructions="先做螺栓，完成後通知倉庫",
    )
    old_notice = ProductionNotice.objects.create(
        number="F4-2026-0001", order=order, workshop=workshop, due_date=dt.date(2026, 4, 15), issued_by=clerk,
        issued_at=local(2026, 3, 5, 11),
    )
    ProductionNotice.objects.filter(pk=old_notice.pk).update(
        status=NoticeStatus.VOID, voided_at=local(2026, 3, 21, 9), voided_by=clerk,
        void_reason="物料延誤，客戶同意延期", superseded_by=notice,
    )
    for target in (old_notice, notice):
        NoticeLine.objects.create(
            notice=target, order_line=lines[0], product=bolt, quantity=Decimal(2500), specification="M6×20 8.8級 鍍鋅"
        )
    replenishment_notice = ProductionNotice.objects.create(
        number="F4-2026-0003", order=order, workshop=workshop, due_date=dt.date(2026, 5, 10), replenishment=True,
        issued_by=clerk, issued_at=local(2026, 5, 2, 9),
    )
    NoticeLine.objects.create(notice=replenishment_notice, product=bolt, quantity=Decimal(20))
    slip = OutboundSlip.objects.create(
        number="OUT-2026-0001", customer=customer, order=order, replenishment=True, shipped_at=local(2026, 5, 3, 15),
        note="退貨補發", created_by=clerk,
    )
    move = StockMove.objects.create(
        product=bolt, direction=MoveDirection.OUT, quantity=Decimal(10), reason=MoveReason.REPLENISHMENT,
        document_ref=slip.number, balance_after=Decimal(0),
    )
    OutboundSlipLine.objects.create(slip=slip, order_line=lines[0], product=bolt, quantity=Decimal(10), stock_move=move)
    order_type = ContentType.objects.get_for_model(Order)
    for day, topic, summary in [
        (2, Topic.ORDER_HANDLING, "收到傳真訂單 PO-778，已登記"),
        (5, Topic.DELIVERY_REPLY, "回覆交期：第一批 4 月 15 日，第二批 4 月 18 日"),
        (20, Topic.ORDER_CHANGE, "電話告知物料延誤，王經理同意第一批延至 4 月 22 日。" + LONG_TEXT),
    ]:
        CommunicationRecord.objects.create(
            customer=customer, occurred_at=local(2026, 3, day, 15), channel=CommunicationChannel.PHONE,
            direction=Direction.TO_CUSTOMER, topic=topic, summary=summary, staff=clerk,
            about_type=order_type, about_id=order.pk,
        )
    CommunicationRecord.objects.create(
        customer=customer, occurred_at=local(2025, 12, 1), channel=CommunicationChannel.EMAIL,
        direction=Direction.FROM_CUSTOMER, topic=Topic.INQUIRY, summary="去年的詢價（不在期間內）", staff=clerk,
    )
    return Chain(
        customer=customer, order=order, review_round=review_round, old_notice=old_notice, notice=notice,
        replenishment_notice=replenishment_notice, slip=slip, workshop=workshop,
    )
