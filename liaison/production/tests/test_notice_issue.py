"""Issuing a production notice for the shortfall (R-5.2.3.3) and a 補貨 notice (R-5.5.2.3)."""

import datetime as dt
from decimal import Decimal

import pytest

from liaison.core.errors import LiaisonError
from liaison.core.models import DocumentCounter
from liaison.core.roles import Role
from liaison.core.states import DepartmentKind
from liaison.core.tests.factories import (
    DepartmentFactory,
    UserFactory,
    WorkshopFactory,
    frozen_today,
    sales_admin,
    workshop_lead,
)
from liaison.customers.models import TimelineEntry
from liaison.customers.states import TimelineEvent
from liaison.orders.states import OrderStatus
from liaison.orders.tests.factories import accepted_order, order_in, order_line
from liaison.production.errors import ProductionErrorCode as Code
from liaison.production.models import NoticeLine, ProductionNotice
from liaison.production.services import notice_issue
from liaison.production.states import NoticeStatus
from liaison.production.tests.factories import notice
from liaison.stock.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 5, 20)


today = frozen_today(dt.date(2026, 3, 2))


def nothing_issued() -> bool:
    return not ProductionNotice.objects.exists() and not NoticeLine.objects.exists() and not (
        DocumentCounter.objects.filter(doc_type="PN", last_number__gt=0).exists()
    )


def issue(order, line, *, actor, workshop=None, quantity=50, **kwargs):
    if "lines" not in kwargs:
        kwargs["lines"] = [{"product": line.product, "order_line": line, "quantity": quantity}]
    return notice_issue(
        order=order,
        workshop=workshop or WorkshopFactory(),
        due_date=kwargs.pop("due_date", DUE),
        actor=actor,
        **kwargs,
    )


@pytest.mark.parametrize("role", [Role.SALES_ADMIN, Role.SALES_HEAD])
def test_r_5_2_3_3_sales_admin_issues_a_notice_for_the_shortfall(role):
    actor = UserFactory(roles=[role])
    order = accepted_order()
    line = order.lines.get()
    workshop = WorkshopFactory(name="一車間（沖壓）")

    issued = issue(order, line, actor=actor, workshop=workshop, quantity=50, instructions="先做 50")

    assert issued.number == "PN-2026-0001"
    assert issued.status == NoticeStatus.ISSUED
    assert (issued.order, issued.workshop, issued.due_date) == (order, workshop, DUE)
    assert issued.issued_by == actor
    assert issued.instructions == "先做 50"
    assert not issued.replenishment
    made = issued.lines.get()
    assert (made.product, made.order_line, made.quantity) == (line.product, line, Decimal(50))
    assert made.specification == line.specification  # taken from the order line
    history = issued.history.get()
    assert (history.history_change_reason, history.history_user) == ("Issued", actor)
    entry = TimelineEntry.objects.get(customer=order.customer, event=TimelineEvent.NOTICE_ISSUED)
    assert entry.about == issued
    assert entry.actor == actor
    assert entry.summary == "PN-2026-0001 · 一車間（沖壓） · 2026-05-20"


def test_notices_are_numbered_one_after_the_other():
    actor = sales_admin()
    order = accepted_order(lines=[order_line() for _ in range(3)])

    numbers = [issue(order, line, actor=actor).number for line in order.lines.order_by("line_no")]

    assert numbers == ["PN-2026-0001", "PN-2026-0002", "PN-2026-0003"]


@pytest.mark.parametrize(
    "role",
    [
        *[r for r in Role if r not in {Role.SALES_ADMIN, Role.SALES_HEAD, Role.ADMINISTRATOR}],
        "lead_of_the_workshop",
    ],
    ids=lambda role: getattr(role, "value", role),
)
def test_r_5_2_3_3_only_sales_admin_or_head_may_issue(role, english):
    workshop = WorkshopFactory()
    actor = workshop_lead(workshop) if role == "lead_of_the_workshop" else UserFactory(roles=[role])
    order = accepted_order()
    line = order.lines.get()
    timeline_before = TimelineEntry.objects.count()

    with pytest.raises(LiaisonError) as refused:
        issue(order, line, actor=actor, workshop=workshop)

    assert refused.value.code == Code.NOT_ALLOWED == "not_allowed"
    assert str(refused.value) == "Your role does not allow you to issue production notices."
    assert nothing_issued()
    assert TimelineEntry.objects.count() == timeline_before


@pytest.mark.parametrize(
    "status", [OrderStatus.UNDER_REVIEW, OrderStatus.REJECTED, OrderStatus.COMPLETED, OrderStatus.VOID]
)
def test_a_notice_needs_an_accepted_order(status, english):
    order = order_in(status)
    line = order.lines.get()

    with pytest.raises(LiaisonError) as refused:
        issue(order, line, actor=sales_admin())

    assert refused.value.code == Code.ORDER_NOT_ACCEPTED
    assert refused.value.field == "order"
    assert order.number in str(refused.value)
    assert nothing_issued()


def test_r_5_5_2_3_a_replenishment_notice_may_have_no_order():
    product = ProductFactory()

    issued = notice_issue(
        order=None,
        workshop=WorkshopFactory(),
        due_date=DUE,
        lines=[{"product": product, "quantity": 20, "specification": "補貨 20 件"}],
        actor=sales_admin(),
        replenishment=True,
    )

    assert issued.replenishment
    assert issued.order is None
    assert issued.lines.get().specification == "補貨 20 件"
    assert not TimelineEntry.objects.filter(event=TimelineEvent.NOTICE_ISSUED).exists()


def test_r_5_5_2_3_a_replenishment_notice_may_replace_goods_of_a_completed_order():
    order = order_in(OrderStatus.COMPLETED)

    issued = issue(order, order.lines.get(), actor=sales_admin(), replenishment=True)

    assert issued.replenishment and issued.order == order
    assert TimelineEntry.objects.get(event=TimelineEvent.NOTICE_ISSUED).summary.endswith("· 補貨")


def test_a_regular_notice_without_order_is_refused():
    with pytest.raises(LiaisonError) as refused:
        notice_issue(
            order=None,
            workshop=WorkshopFactory(),
            due_date=DUE,
            lines=[{"product": ProductFactory(), "quantity": 5}],
            actor=sales_admin(),
        )

    assert refused.value.code == Code.ORDER_REQUIRED
    assert nothing_issued()


@pytest.mark.parametrize(
    "department",
    [
        lambda: DepartmentFactory(kind=DepartmentKind.WAREHOUSE),
        lambda: DepartmentFactory(kind=DepartmentKind.QC),
        lambda: WorkshopFactory(active=False),
    ],
    ids=["warehouse", "qc", "inactive-workshop"],
)
def test_a_notice_goes_only_to_an_active_workshop(department):
    order = accepted_order()

    with pytest.raises(LiaisonError) as refused:
        issue(order, order.lines.get(), actor=sales_admin(), workshop=department())

    assert refused.value.code == Code.NOT_A_WORKSHOP
    assert refused.value.field == "workshop"
    assert nothing_issued()


@pytest.mark.parametrize("quantity", [0, -5, "abc", "NaN"])
def test_a_quantity_that_is_not_positive_is_refused(quantity):
    order = accepted_order()

    with pytest.raises(LiaisonError) as refused:
        issue(order, order.lines.get(), actor=sales_admin(), quantity=quantity)

    assert refused.value.code == Code.QUANTITY_NOT_POSITIVE
    assert nothing_issued()


def test_a_notice_without_lines_is_refused():
    order = accepted_order()

    with pytest.raises(LiaisonError) as refused:
        issue(order, None, actor=sales_admin(), lines=[])

    assert refused.value.code == Code.NO_LINES
    assert nothing_issued()


def test_a_line_of_another_order_is_refused():
    order, other = accepted_order(), accepted_order()
    line = other.lines.get()

    with pytest.raises(LiaisonError) as refused:
        issue(order, line, actor=sales_admin())

    assert refused.value.code == Code.ORDER_LINE_OTHER_ORDER
    assert nothing_issued()


def test_a_line_must_make_the_product_ordered():
    order = accepted_order()
    line = order.lines.get()

    with pytest.raises(LiaisonError) as refused:
        issue(
            order,
            line,
            actor=sales_admin(),
            lines=[{"product": ProductFactory(), "order_line": line, "quantity": 5}],
        )

    assert refused.value.code == Code.LINE_PRODUCT_MISMATCH
    assert nothing_issued()


def test_an_inactive_product_is_refused():
    order = accepted_order()
    line = order.lines.get()
    line.product.active = False
    line.product.save()

    with pytest.raises(LiaisonError) as refused:
        issue(order, line, actor=sales_admin())

    assert refused.value.code == Code.PRODUCT_INACTIVE
    assert nothing_issued()


def test_a_due_date_already_past_is_refused(english):
    order = accepted_order()

    with pytest.raises(LiaisonError) as refused:
        issue(order, order.lines.get(), actor=sales_admin(), due_date=dt.date(2026, 3, 1))

    assert refused.value.code == Code.DUE_DATE_IN_PAST
    assert str(refused.value) == "The due date 2026-03-01 is already past (today is 2026-03-02)."
    assert nothing_issued()


def test_a_due_date_of_today_is_accepted():
    order = accepted_order()

    assert issue(order, order.lines.get(), actor=sales_admin(), due_date=dt.date(2026, 3, 2)).pk


def test_a_change_of_another_order_is_refused():
    from liaison.orders.models import ChangeEntry

    order, other = accepted_order(), accepted_order()
    change = ChangeEntry.objects.create(
        number="CHG-2026-0001", order=other, kind="company", reason_category="material", reason="缺料"
    )

    with pytest.raises(LiaisonError) as refused:
        issue(order, order.lines.get(), actor=sales_admin(), change=change)

    assert refused.value.code == Code.CHANGE_OTHER_ORDER
    assert nothing_issued()


def test_the_factory_issues_through_the_service():
    issued = notice()
    assert issued.number.startswith("PN-2026-")


def test_r_5_2_3_3_a_notice_beyond_what_is_left_to_deliver_is_refused_and_nothing_issued():
    actor = sales_admin()
    order = accepted_order()
    line = order.lines.get()
    issue(order, line, actor=actor, quantity=70)
    with pytest.raises(LiaisonError) as refused:
        issue(order, line, actor=actor, quantity=40)  # 70 are on a notice already: 30 are left
    assert refused.value.code == Code.BEYOND_ORDER and refused.value.field == "lines"
    assert ProductionNotice.objects.count() == 1
    assert DocumentCounter.objects.get(doc_type="PN").last_number == 1
    issue(order, line, actor=actor, quantity=30)  # exactly what is left


def test_r_5_5_2_3_a_replenishment_notice_is_not_bound_by_the_order_quantity():
    actor = sales_admin()
    order = accepted_order()
    line = order.lines.get()
    issue(order, line, actor=actor, quantity=100)
    extra = issue(order, line, actor=actor, quantity=20, replenishment=True)
    assert extra.replenishment and ProductionNotice.objects.count() == 2


def test_r_5_3_2_a_notice_for_what_was_already_made_and_is_in_stock_is_refused():
    """Goods a completed notice made for the order wait in stock: a second notice for them would over-produce."""
    from liaison.production.services import notice_complete

    actor = sales_admin()
    order = accepted_order()
    line = order.lines.get()
    made = issue(order, line, actor=actor, quantity=100)
    notice_complete(notice=made, actor=UserFactory(roles=[Role.ADMINISTRATOR]))
    with pytest.raises(LiaisonError) as refused:
        issue(order, line, actor=actor, quantity=10)
    assert refused.value.code == Code.BEYOND_ORDER and refused.value.field == "lines"
    assert "100" in str(refused.value)
    assert ProductionNotice.objects.count() == 1


def test_r_5_3_2_a_successor_that_would_over_produce_is_refused():
    from liaison.production.services import notice_complete, notice_supersede

    actor = sales_admin()
    order = accepted_order()
    line = order.lines.get()
    made = issue(order, line, actor=actor, quantity=60)
    notice_complete(notice=made, actor=UserFactory(roles=[Role.ADMINISTRATOR]))
    open_one = issue(order, line, actor=actor, quantity=40)
    with pytest.raises(LiaisonError) as refused:
        notice_supersede(notice=open_one, reason="改期", actor=actor, line_quantities={line.pk: Decimal(50)})
    assert refused.value.code == Code.BEYOND_ORDER
    open_one.refresh_from_db()
    assert open_one.status == NoticeStatus.ISSUED and ProductionNotice.objects.count() == 2
    # Exactly what is left is fine: the notice it replaces does not count against itself.
    successor = notice_supersede(notice=open_one, reason="改期", actor=actor, line_quantities={line.pk: Decimal(40)})
    assert successor.lines.get().quantity == Decimal(40)
