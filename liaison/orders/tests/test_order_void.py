"""Voiding an order registered in error (R-5.7: numbered records are voided, never deleted)."""

from decimal import Decimal

import pytest

from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory, local, member, sales_admin, sales_head, workshop_lead
from liaison.customers.models import TimelineEntry
from liaison.customers.states import TimelineEvent
from liaison.orders.errors import OrderErrorCode
from liaison.orders.models import Order, ReviewRound
from liaison.orders.services import change_register, clarification_ask, order_void
from liaison.orders.states import (
    ChangeKind,
    ChangeReasonCategory,
    ChangeStatus,
    OrderStatus,
    ReviewRoundStatus,
)
from liaison.orders.tests.factories import OrderFactory, accepted_order, order_in, order_line
from liaison.production.services import notice_start
from liaison.production.states import NoticeStatus
from liaison.production.tests.factories import notice
from liaison.stock.services import slip_issue
from liaison.stock.tests.factories import ProductFactory
from liaison.workspace.inbox import inbox_for

pytestmark = pytest.mark.django_db

REASON = "重複登記：同一傳真登記了兩次"


def unchanged(order: Order) -> None:
    """A refused void left the order, its rounds and the timeline as they were."""
    fresh = Order.objects.get(pk=order.pk)
    assert (fresh.status, fresh.voided_at, fresh.voided_by, fresh.void_reason) == (order.status, None, None, "")
    assert not TimelineEntry.objects.filter(event=TimelineEvent.ORDER_VOIDED).exists()
    assert fresh.history.count() == order.history.count()


def test_r_5_7_the_sales_head_voids_an_order_registered_in_error():
    head = sales_head()
    with clock.frozen(local(2026, 3, 2, 9)):
        order = OrderFactory()
    number = order.number
    with clock.frozen(local(2026, 3, 2, 11)) as now:
        voided = order_void(order=order, reason=f"  {REASON} ", actor=head)
    order.refresh_from_db()
    assert voided.pk == order.pk and order.number == number
    assert (order.status, order.voided_at, order.voided_by, order.void_reason) == (
        OrderStatus.VOID, now, head, REASON
    )
    last = order.history.first()
    assert last.history_change_reason == f"Voided: {REASON}" and last.history_user == head
    # The open review round is withdrawn: nobody signs or decides it any more.
    review_round = order.review_rounds.get()
    assert review_round.status == ReviewRoundStatus.WITHDRAWN
    assert review_round.history.first().history_change_reason == f"Withdrawn: order voided: {REASON}"
    entry = TimelineEntry.objects.get(event=TimelineEvent.ORDER_VOIDED)
    assert (entry.customer, entry.actor, entry.about) == (order.customer, head, order)
    assert entry.summary == f"{number}: {REASON}"


def test_r_5_7_a_rejected_order_may_be_voided_too():
    order = order_in(OrderStatus.REJECTED)
    order_void(order=order, reason=REASON, actor=sales_head())
    order.refresh_from_db()
    assert order.status == OrderStatus.VOID
    assert order.review_rounds.get().status == ReviewRoundStatus.DECIDED


def test_r_5_7_voiding_an_accepted_order_voids_its_notice_not_yet_started():
    issued = notice(quantity=40)
    order = issued.order
    order_void(order=order, reason=REASON, actor=sales_head())
    order.refresh_from_db()
    issued.refresh_from_db()
    assert order.status == OrderStatus.VOID
    assert issued.status == NoticeStatus.VOID and issued.void_reason == f"Order {order.number} voided: {REASON}"
    assert TimelineEntry.objects.filter(event=TimelineEvent.NOTICE_VOIDED, about_id=issued.pk).exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_r_5_7_a_void_needs_its_reason(reason):
    order = OrderFactory()
    with pytest.raises(LiaisonError) as refused:
        order_void(order=order, reason=reason, actor=sales_head())
    assert refused.value.code == OrderErrorCode.VOID_REASON_REQUIRED and refused.value.field == "reason"
    unchanged(order)


@pytest.mark.parametrize("role", [Role.SALES_STAFF, Role.SALES_ADMIN, Role.QC_HEAD, Role.MANAGEMENT])
def test_r_4_only_the_sales_head_voids_an_order(role):
    order = OrderFactory()
    with pytest.raises(LiaisonError) as refused:
        order_void(order=order, reason=REASON, actor=UserFactory(roles=[role]))
    assert refused.value.code == OrderErrorCode.NOT_ALLOWED and refused.value.forbidden
    unchanged(order)
    assert order.review_rounds.get().status == ReviewRoundStatus.OPEN


def test_r_5_7_refused_once_goods_were_shipped():
    bolt = ProductFactory(stock=500)
    order = accepted_order(lines=[order_line(product=bolt, quantity=Decimal(300))])
    slip = slip_issue(
        customer=order.customer,
        order=order,
        lines=[{"product": bolt, "quantity": Decimal(100), "order_line": order.lines.get()}],
        actor=sales_admin(),
    )
    with pytest.raises(LiaisonError) as refused:
        order_void(order=order, reason=REASON, actor=sales_head())
    assert refused.value.code == OrderErrorCode.VOID_GOODS_SHIPPED and refused.value.conflict
    assert slip.number in str(refused.value)
    unchanged(order)


@pytest.mark.parametrize("started", ["in_progress", "completed"])
def test_r_5_7_refused_once_a_notice_is_in_production(started):
    issued = notice(quantity=40)
    lead = workshop_lead(issued.workshop)
    notice_start(notice=issued, note="開工", actor=lead)
    if started == "completed":
        from liaison.production.services import notice_complete

        notice_complete(notice=issued, actor=lead)
    order = issued.order
    with pytest.raises(LiaisonError) as refused:
        order_void(order=order, reason=REASON, actor=sales_head())
    assert refused.value.code == OrderErrorCode.VOID_NOTICE_IN_PRODUCTION and refused.value.conflict
    assert issued.number in str(refused.value)
    unchanged(order)
    issued.refresh_from_db()
    assert issued.status != NoticeStatus.VOID


def test_r_5_7_refused_while_a_change_is_in_progress():
    order = accepted_order()
    change = change_register(
        order=order,
        kind=ChangeKind.CUSTOMER,
        reason_category=ChangeReasonCategory.CUSTOMER_REQUEST,
        reason="客戶要求改數量",
        change_details="2000 → 1500",
        requested_via="phone",
        actor=sales_admin(),
    )
    order.refresh_from_db()
    with pytest.raises(LiaisonError) as refused:
        order_void(order=order, reason=REASON, actor=sales_head())
    assert refused.value.code == OrderErrorCode.VOID_CHANGE_PENDING and refused.value.conflict
    assert change.number in str(refused.value)
    unchanged(order)
    change.refresh_from_db()
    assert change.status == ChangeStatus.UNDER_REVIEW


@pytest.mark.parametrize("status", [OrderStatus.VOID, OrderStatus.COMPLETED])
def test_r_5_7_a_void_or_completed_order_is_not_voided_again(status):
    order = order_in(status)
    before = Order.objects.get(pk=order.pk)
    with pytest.raises(LiaisonError) as refused:
        order_void(order=order, reason="again", actor=sales_head())
    assert refused.value.code == OrderErrorCode.ORDER_NOT_VOIDABLE and refused.value.conflict
    after = Order.objects.get(pk=order.pk)
    assert (after.status, after.void_reason, after.history.count()) == (
        before.status, before.void_reason, before.history.count()
    )


def test_r_5_7_a_voided_order_leaves_the_open_work():
    order = OrderFactory()
    clarification_ask(order=order, question="材質？", channel="phone", actor=sales_admin())
    decider, signer = sales_admin(), member("qc")
    kinds = lambda user: {item.kind for item in inbox_for(user=user)}  # noqa: E731
    assert {"decide", "clarification"} <= kinds(decider) and "sign_off" in kinds(signer)
    order_void(order=order, reason=REASON, actor=sales_head())
    assert not {"decide", "clarification"} & kinds(decider)
    assert "sign_off" not in kinds(signer)
    assert not ReviewRound.objects.filter(status=ReviewRoundStatus.OPEN).exists()
