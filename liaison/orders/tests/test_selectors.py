"""Reads of the orders app and My inbox: contents per role, marks, and pinned query counts."""

import datetime as dt
from decimal import Decimal

import pytest

from liaison.core import clock
from liaison.core.roles import Role
from liaison.core.tests.factories import (
    UserFactory,
    WorkshopFactory,
    frozen_today,
    local,
    member,
    review_departments,
    sales_admin,
)
from liaison.orders import selectors, services
from liaison.orders.states import ChangeKind, ChangeReasonCategory
from liaison.orders.tests.factories import OrderFactory, accepted_order, order_line
from liaison.production.services import notice_issue
from liaison.stock.services import slip_issue
from liaison.stock.tests.factories import ProductFactory
from liaison.workspace.inbox import inbox_for

pytestmark = pytest.mark.django_db

TODAY = local(2026, 3, 10)


today = frozen_today(TODAY)


def kinds(user) -> list[str]:
    return [item.kind for item in inbox_for(user=user)]


def notice_for(order, *, workshop, due_date, quantity=Decimal(10)):
    """A notice issued on 1 March, so that one due before today is late now."""
    line = order.lines.first()
    with clock.frozen(local(2026, 3, 1)):
        return notice_issue(
            order=order,
            workshop=workshop,
            due_date=due_date,
            lines=[{"product": line.product, "quantity": quantity, "order_line": line}],
            actor=sales_admin(),
        )


# The order log


def test_order_search_finds_number_po_and_customer_in_either_script():
    order = OrderFactory(customer_po="PO-778")
    OrderFactory()
    name = order.customer.registered_name  # 客戶N有限公司, Traditional
    assert list(selectors.order_search(query=order.number)) == [order]
    assert list(selectors.order_search(query="po-778")) == [order]
    assert list(selectors.order_search(query=name.replace("客戶", "客户"))) == [order]


def test_r_3_2_order_log_marks_overdue_orders_and_late_notices():
    late = accepted_order(lines=[order_line(required_date=dt.date(2026, 3, 1))])
    on_time = accepted_order(lines=[order_line(required_date=dt.date(2026, 4, 1))])
    notice_for(on_time, workshop=review_departments()["workshop-1"], due_date=dt.date(2026, 3, 5))
    rows = {order.pk: order for order in selectors.order_list()}
    assert rows[late.pk].is_overdue and not rows[late.pk].has_late_notice
    assert not rows[on_time.pk].is_overdue and rows[on_time.pk].has_late_notice
    assert rows[late.pk].first_required == dt.date(2026, 3, 1)


def test_promised_date_decides_overdue_once_replied():
    order = accepted_order(lines=[order_line(required_date=dt.date(2026, 3, 1))])
    services.order_delivery_reply(order=order, promised_date=dt.date(2026, 3, 20), channel="phone", actor=sales_admin())
    assert not selectors.order_list().get(pk=order.pk).is_overdue


def test_order_list_filters_by_status_and_received_day():
    OrderFactory(received_at=local(2026, 3, 1))
    wanted = OrderFactory(received_at=local(2026, 3, 5))
    accepted_order(received_at=local(2026, 3, 5))
    found = selectors.order_list(status="under_review", date_from=dt.date(2026, 3, 5), date_to=dt.date(2026, 3, 5))
    assert list(found) == [wanted]


# The order page


def _big_order(lines: int):
    order = accepted_order(lines=[order_line(product=ProductFactory(stock=20)) for _ in range(lines)])
    workshop = review_departments()["workshop-1"]
    for line in order.lines.all():
        notice_issue(
            order=order,
            workshop=workshop,
            due_date=dt.date(2026, 4, 1),
            lines=[{"product": line.product, "quantity": Decimal(30), "order_line": line}],
            actor=sales_admin(),
        )
    slip_issue(
        customer=order.customer,
        order=order,
        lines=[{"product": line.product, "quantity": Decimal(5), "order_line": line} for line in order.lines.all()],
        actor=sales_admin(),
    )
    return order


@pytest.mark.parametrize("lines", [1, 20])
def test_order_page_reads_in_a_fixed_number_of_queries(django_assert_num_queries, lines):
    order = _big_order(lines)
    with django_assert_num_queries(14):  # the complaints about the order among them
        page = selectors.order_page(order=order)
        for figures in page.lines:
            assert figures.line.product.code
        for review in page.review_rounds:
            for sign_off in review.sign_offs.all():
                assert sign_off.department.name
        for notice in page.notices:
            assert [line.product.code for line in notice.lines.all()]
        for slip in page.slips:
            assert [line.product.code for line in slip.lines.all()]
        assert page.chain


def test_r_5_2_3_line_figures_stock_shipped_on_notices_shortfall():
    product = ProductFactory(stock=300)
    order = accepted_order(lines=[order_line(product=product, quantity=Decimal(1000))])
    line = order.lines.get()
    slip_issue(
        customer=order.customer,
        order=order,
        lines=[{"product": product, "quantity": Decimal(100), "order_line": line}],
        actor=sales_admin(),
    )
    notice_for(order, workshop=review_departments()["workshop-1"], due_date=dt.date(2026, 4, 1), quantity=Decimal(400))
    figures = selectors.order_page(order=order).lines[0]
    assert (figures.stock, figures.shipped, figures.on_notices) == (Decimal(200), Decimal(100), Decimal(400))
    assert figures.outstanding == Decimal(900)
    assert figures.can_ship == Decimal(200)
    assert figures.shortfall == Decimal(300)


def test_r_5_5_2_3_a_replenishment_slip_is_not_counted_as_shipped_on_the_order_page():
    product = ProductFactory(stock=300)
    order = accepted_order(lines=[order_line(product=product, quantity=Decimal(100))])
    line = order.lines.get()
    clerk = sales_admin()
    slip_issue(
        customer=order.customer,
        order=order,
        lines=[{"product": product, "quantity": Decimal(100), "order_line": line}],
        actor=clerk,
    )
    slip_issue(
        customer=order.customer,
        order=order,
        replenishment=True,
        lines=[{"product": product, "quantity": Decimal(30), "order_line": line}],
        actor=clerk,
    )
    figures = selectors.order_page(order=order).lines[0]
    assert (figures.shipped, figures.outstanding, figures.stock) == (Decimal(100), Decimal(0), Decimal(170))


def test_r_5_2_3_lines_of_the_same_product_share_its_stock():
    product = ProductFactory(stock=100)
    order = accepted_order(
        lines=[order_line(product=product, quantity=Decimal(80)), order_line(product=product, quantity=Decimal(80))]
    )
    first, second = selectors.order_page(order=order).lines
    assert (first.can_ship, first.shortfall) == (Decimal(80), Decimal(0))
    assert (second.can_ship, second.shortfall) == (Decimal(20), Decimal(60))
    assert first.stock == second.stock == Decimal(100)


def test_r_5_2_3_3_a_completed_notice_does_not_bring_the_shortfall_back():
    from liaison.production.services import notice_complete

    product = ProductFactory(stock=0)
    order = accepted_order(lines=[order_line(product=product, quantity=Decimal(50))])
    notice = notice_for(
        order, workshop=review_departments()["workshop-1"], due_date=dt.date(2026, 4, 1), quantity=Decimal(50)
    )
    assert selectors.order_page(order=order).lines[0].shortfall == Decimal(0)
    notice_complete(notice=notice, actor=UserFactory(roles=[Role.ADMINISTRATOR]))
    page = selectors.order_page(order=order)
    assert (page.lines[0].shortfall, page.lines[0].can_ship) == (Decimal(0), Decimal(50))
    assert not page.shortfall_any


def test_r_5_3_chain_is_in_time_order():
    order = accepted_order()
    workshop = review_departments()["workshop-1"]
    line = order.lines.get()
    with clock.frozen(local(2026, 3, 11)):
        first = notice_issue(
            order=order,
            workshop=workshop,
            due_date=dt.date(2026, 3, 25),
            lines=[{"product": line.product, "quantity": line.quantity, "order_line": line}],
            actor=sales_admin(),
        )
    with clock.frozen(local(2026, 3, 12)):
        change = services.change_register(
            order=order,
            kind=ChangeKind.COMPANY,
            reason_category=ChangeReasonCategory.MATERIAL,
            reason="缺料",
            new_due_date=dt.date(2026, 4, 8),
            actor=sales_admin(),
        )
    chain = selectors.order_page(order=order).chain
    assert [link.kind for link in chain] == ["review_round", "notice", "change"]
    assert chain[1].record == first and chain[2].record == change


# My inbox


def test_inbox_of_a_decider_lists_orders_waiting_for_a_decision():
    order = OrderFactory()
    items = inbox_for(user=sales_admin())
    decide = [item for item in items if item.kind == "decide"]
    assert len(decide) == 1 and order.number in decide[0].title
    assert decide[0].link.endswith(f"/orders/{order.pk}/#review")


def test_inbox_of_a_department_lists_its_unsigned_review_lines():
    order = OrderFactory()
    inspector = member("qc")
    assert kinds(inspector) == ["sign_off"]
    sign_off = order.review_rounds.get().sign_offs.get(department__code="qc")
    services.review_sign_off(
        sign_off=sign_off,
        capability_ok=True,
        capacity_ok=True,
        delivery_date_ok=True,
        quality_ok=True,
        opinion="",
        actor=inspector,
    )
    assert kinds(inspector) == []


def test_inbox_of_sales_lists_open_clarifications_and_replies_owed():
    asked = OrderFactory()
    services.clarification_ask(order=asked, question="包裝方式？", channel="phone", actor=sales_admin())
    accepted = accepted_order()
    items = inbox_for(user=member("sales"))
    assert {item.kind for item in items} >= {"clarification", "reply_owed", "sign_off"}
    assert any(accepted.number in item.title for item in items if item.kind == "reply_owed")


def test_r_3_2_workshop_lead_sees_only_own_workshops_notices_and_late_first():
    own = review_departments()["workshop-1"]
    order = accepted_order()
    other = WorkshopFactory()
    late = notice_for(order, workshop=own, due_date=dt.date(2026, 3, 5))
    due = notice_for(order, workshop=own, due_date=dt.date(2026, 3, 12), quantity=Decimal(5))
    notice_for(order, workshop=other, due_date=dt.date(2026, 3, 6), quantity=Decimal(5))
    notice_for(order, workshop=own, due_date=dt.date(2026, 6, 1), quantity=Decimal(5))  # far off: not yet
    lead = UserFactory(roles=[Role.WORKSHOP_LEAD], department=own)
    items = [item for item in inbox_for(user=lead) if item.kind == "notice_due"]
    assert [item.due_date for item in items] == [late.due_date, due.due_date]
    assert items[0].overdue and not items[1].overdue
    assert late.number in items[0].title
    # The sales administrator follows every workshop.
    admin_items = [item for item in inbox_for(user=sales_admin()) if item.kind == "notice_due"]
    assert len(admin_items) == 3


def test_inbox_lists_agreed_changes_not_applied_for_who_can_apply_them():
    order = accepted_order()
    notice_for(order, workshop=review_departments()["workshop-1"], due_date=dt.date(2026, 3, 25))
    change = services.change_register(
        order=order,
        kind=ChangeKind.COMPANY,
        reason_category=ChangeReasonCategory.MATERIAL,
        reason="缺料",
        new_due_date=dt.date(2026, 4, 8),
        actor=sales_admin(),
    )
    services.change_record_agreement(
        change=change, agreed_by="何志強", agreed_at=local(2026, 3, 10, 8), via="phone", actor=sales_admin()
    )
    assert "change_apply" in kinds(sales_admin())
    assert "change_apply" not in kinds(member("sales"))


def test_inbox_overdue_first_then_by_due_date():
    late = accepted_order(lines=[order_line(required_date=dt.date(2026, 3, 1))])
    soon = accepted_order(lines=[order_line(required_date=dt.date(2026, 3, 20))])
    later = accepted_order(lines=[order_line(required_date=dt.date(2026, 5, 1))])
    items = [item for item in inbox_for(user=member("sales")) if item.kind == "reply_owed"]
    assert [item.overdue for item in items] == [True, False, False]
    assert [late.number in items[0].title, soon.number in items[1].title, later.number in items[2].title] == [True] * 3


def test_inbox_is_empty_for_a_role_without_order_work():
    OrderFactory()
    assert inbox_for(user=UserFactory(roles=[Role.RESPONSIBLE_MEMBER])) == []


@pytest.mark.parametrize("orders", [1, 20])
def test_inbox_reads_in_a_bounded_number_of_queries(django_assert_max_num_queries, orders):
    workshop = review_departments()["workshop-1"]
    for _ in range(orders):
        order = OrderFactory()
        services.clarification_ask(order=order, question="?", channel="phone", actor=sales_admin())
        accepted = accepted_order()
        notice_for(accepted, workshop=workshop, due_date=dt.date(2026, 3, 5))
    user = sales_admin()
    user.has_perm("orders.view_order")  # permissions are cached per user, as in a request
    # Six kinds of order work, and one kind of complaint work (complaints to acknowledge).
    with django_assert_max_num_queries(7):
        items = inbox_for(user=user)
    assert len(items) >= 4 * orders
