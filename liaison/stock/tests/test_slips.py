"""Outbound slips, F8: shipping from qualified stock for an order (R-5.2.3.2) and 補貨 (R-5.5.2.3)."""

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.models import DocumentCounter
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory
from liaison.customers.models import TimelineEntry
from liaison.customers.states import TimelineEvent
from liaison.customers.tests.factories import CustomerFactory
from liaison.orders.models import Order
from liaison.orders.states import OrderStatus
from liaison.orders.tests.factories import accepted_order, order_in, order_line
from liaison.stock import selectors
from liaison.stock.errors import SlipErrorCode, StockErrorCode
from liaison.stock.models import OutboundSlip, OutboundSlipLine, QualifiedStock, StockMove
from liaison.stock.services import slip_issue
from liaison.stock.states import MoveDirection, MoveReason
from liaison.stock.tests.factories import ProductFactory

SHIPPERS = {Role.SALES_STAFF, Role.SALES_ADMIN, Role.SALES_HEAD, Role.WAREHOUSE_CLERK, Role.ADMINISTRATOR}
SLIPS = "/api/v1/outbound-slips/"


def balance(product) -> Decimal:
    return QualifiedStock.objects.get(product=product).quantity


def nothing_shipped(*products) -> bool:
    return (
        not OutboundSlip.objects.exists()
        and not OutboundSlipLine.objects.exists()
        and not StockMove.objects.filter(direction=MoveDirection.OUT).exists()
        and not DocumentCounter.objects.filter(doc_type="OUT", last_number__gt=0).exists()
        and not TimelineEntry.objects.filter(event=TimelineEvent.SHIPPED_FROM_STOCK).exists()
    )


@pytest.fixture
def clerk(db):
    return UserFactory(roles=[Role.SALES_STAFF])


@pytest.fixture
def order(db):
    """An accepted order for 100 pieces of a product with 60 in qualified stock."""
    return accepted_order(lines=[order_line(product=ProductFactory(code="HB-M6-20", name="六角螺栓", stock=60))])


@pytest.fixture
def line(order):
    return order.lines.get()


def ship(order, line, quantity, *, actor, **kwargs):
    if "lines" not in kwargs:
        kwargs["lines"] = [{"product": line.product, "order_line": line, "quantity": quantity}]
    return slip_issue(
        customer=kwargs.pop("customer", order.customer if order else None),
        order=order,
        actor=actor,
        **kwargs,
    )


# --- shipping ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_r_5_2_3_2_shipping_from_stock_decreases_it_in_the_same_transaction(order, line, clerk):
    with clock.frozen(dt.datetime(2026, 3, 2, 14, 0)) as moment:
        slip = ship(order, line, 50, actor=clerk, note="順豐快遞")

    assert slip.number == "OUT-2026-0001"
    assert (slip.customer, slip.order, slip.shipped_at, slip.note) == (order.customer, order, moment, "順豐快遞")
    assert not slip.replenishment
    assert balance(line.product) == 10
    shipped = slip.lines.get()
    assert (shipped.order_line, shipped.quantity) == (line, 50)
    move = shipped.stock_move
    assert (move.direction, move.quantity, move.reason) == (MoveDirection.OUT, 50, MoveReason.SHIPMENT)
    assert (move.document_ref, move.note, move.balance_after, move.created_by) == (
        "OUT-2026-0001",
        order.number,
        10,
        clerk,
    )
    assert slip.history.get().history_user == clerk
    entry = TimelineEntry.objects.get(event=TimelineEvent.SHIPPED_FROM_STOCK)
    assert (entry.customer, entry.about, entry.actor) == (order.customer, slip, clerk)
    assert entry.summary == f"OUT-2026-0001 · {order.number}: HB-M6-20 × 50"


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(SHIPPERS), ids=str)
def test_sales_staff_and_warehouse_ship(order, line, role):
    assert ship(order, line, 1, actor=UserFactory(roles=[role])).pk


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(set(Role) - SHIPPERS), ids=str)
def test_other_roles_may_not_ship_and_nothing_changes(order, line, role, english):
    with pytest.raises(LiaisonError) as refused:
        ship(order, line, 1, actor=UserFactory(roles=[role]))

    assert refused.value.code == SlipErrorCode.NOT_ALLOWED == "not_allowed"
    assert str(refused.value) == "Your role does not allow you to issue outbound slips."
    assert nothing_shipped()
    assert balance(line.product) == 60


@pytest.mark.django_db
def test_r_5_2_3_2_shipping_beyond_stock_is_refused_and_changes_nothing(order, line, clerk, english):
    with pytest.raises(LiaisonError) as refused:
        ship(order, line, 61, actor=clerk)

    assert refused.value.code == StockErrorCode.INSUFFICIENT_STOCK
    assert str(refused.value) == "Only 60 pcs of HB-M6-20 六角螺栓 are in qualified stock; 61 cannot be taken out."
    assert nothing_shipped()
    assert balance(line.product) == 60


@pytest.mark.django_db
def test_a_slip_with_one_line_short_ships_none_of_its_lines(clerk):
    order = accepted_order(
        lines=[
            order_line(product=ProductFactory(stock=60)),
            order_line(product=ProductFactory(stock=5), quantity=Decimal(10)),
        ]
    )
    line, other = order.lines.order_by("line_no")

    with pytest.raises(LiaisonError):
        ship(
            order,
            None,
            None,
            actor=clerk,
            lines=[
                {"product": line.product, "order_line": line, "quantity": 10},
                {"product": other.product, "order_line": other, "quantity": 6},
            ],
        )

    assert nothing_shipped()
    assert (balance(line.product), balance(other.product)) == (60, 5)


@pytest.mark.django_db
def test_r_5_2_3_2_shipping_beyond_the_order_line_is_refused_and_changes_nothing(clerk, english):
    order = accepted_order(lines=[order_line(product=ProductFactory(code="HB-M8", name="螺栓", stock=500))])
    line = order.lines.get()
    ship(order, line, 70, actor=clerk)
    moves = StockMove.objects.count()

    with pytest.raises(LiaisonError) as refused:
        ship(order, line, 31, actor=clerk)

    assert refused.value.code == SlipErrorCode.OVER_SHIPPED == "over_shipped"
    assert str(refused.value) == (
        f"Order line {line} is for 100 pcs and 70 have been shipped already; 31 more would be too many."
    )
    assert OutboundSlip.objects.count() == 1
    assert StockMove.objects.count() == moves
    assert balance(line.product) == 430
    assert ship(order, line, 30, actor=clerk).number == "OUT-2026-0002"  # exactly the rest is fine


@pytest.mark.django_db
def test_two_lines_of_one_slip_for_the_same_order_line_count_together(clerk):
    order = accepted_order(lines=[order_line(product=ProductFactory(stock=500))])
    line = order.lines.get()

    with pytest.raises(LiaisonError) as refused:
        ship(order, None, None, actor=clerk, lines=[{"product": line.product, "order_line": line, "quantity": 60}] * 2)

    assert refused.value.code == SlipErrorCode.OVER_SHIPPED
    assert nothing_shipped()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [OrderStatus.UNDER_REVIEW, OrderStatus.REJECTED, OrderStatus.COMPLETED, OrderStatus.VOID]
)
def test_goods_ship_only_for_an_accepted_order(clerk, status):
    order = order_in(status, lines=[order_line(product=ProductFactory(stock=10))])
    line = order.lines.get()

    with pytest.raises(LiaisonError) as refused:
        ship(order, line, 1, actor=clerk)

    assert (refused.value.code, refused.value.field) == (SlipErrorCode.ORDER_NOT_ACCEPTED, "order")
    assert nothing_shipped()


@pytest.mark.django_db
def test_an_order_of_another_customer_is_refused(order, line, clerk):
    with pytest.raises(LiaisonError) as refused:
        ship(order, line, 1, actor=clerk, customer=CustomerFactory())

    assert refused.value.code == SlipErrorCode.ORDER_OTHER_CUSTOMER
    assert nothing_shipped()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case, code",
    [
        ("no-lines", SlipErrorCode.NO_LINES),
        ("no-order-line", SlipErrorCode.ORDER_LINE_REQUIRED),
        ("other-order", SlipErrorCode.ORDER_LINE_OTHER_ORDER),
        ("other-product", SlipErrorCode.LINE_PRODUCT_MISMATCH),
        ("zero", StockErrorCode.QUANTITY_NOT_POSITIVE),
        ("negative", StockErrorCode.QUANTITY_NOT_POSITIVE),
        ("no-order", SlipErrorCode.ORDER_REQUIRED),
    ],
)
def test_bad_lines_are_refused_and_nothing_changes(order, line, clerk, case, code):
    stranger = accepted_order(customer=order.customer, lines=[order_line(product=line.product)]).lines.get()
    lines = {
        "no-lines": [],
        "no-order-line": [{"product": line.product, "quantity": 1}],
        "other-order": [{"product": line.product, "order_line": stranger, "quantity": 1}],
        "other-product": [{"product": ProductFactory(stock=5), "order_line": line, "quantity": 1}],
        "zero": [{"product": line.product, "order_line": line, "quantity": 0}],
        "negative": [{"product": line.product, "order_line": line, "quantity": "-3"}],
        "no-order": [{"product": line.product, "quantity": 1}],
    }[case]

    with pytest.raises(LiaisonError) as refused:
        slip_issue(
            customer=order.customer, order=None if case == "no-order" else order, lines=lines, actor=clerk
        )

    assert refused.value.code == code
    assert nothing_shipped()
    assert balance(line.product) == 60


# --- 補貨 -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_r_5_5_2_3_a_replenishment_slip_is_marked_and_moves_stock_as_replenishment(clerk):
    customer = CustomerFactory()
    product = ProductFactory(code="HB-M6-20", stock=10)

    slip = slip_issue(
        customer=customer, lines=[{"product": product, "quantity": 10}], actor=clerk, replenishment=True
    )

    assert slip.replenishment and slip.order is None
    assert slip.lines.get().stock_move.reason == MoveReason.REPLENISHMENT
    assert balance(product) == 0
    assert TimelineEntry.objects.get(event=TimelineEvent.SHIPPED_FROM_STOCK).summary == (
        f"{slip.number} · 補貨: HB-M6-20 × 10"
    )


@pytest.mark.django_db
def test_r_5_5_2_3_a_replacement_is_not_counted_against_the_order_line(clerk):
    order = accepted_order(lines=[order_line(product=ProductFactory(stock=200))])
    line = order.lines.get()
    ship(order, line, 100, actor=clerk)

    # Delivered in full; no service completes an order yet.
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.COMPLETED)

    replacement = ship(order, line, 30, actor=clerk, replenishment=True)

    assert replacement.replenishment
    assert selectors.shipped_by_order_line(order=order) == {line.pk: 100}
    assert balance(line.product) == 70


# --- selectors ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_slip_list_runs_two_queries_and_filters(order, line, clerk, django_assert_num_queries):
    ship(order, line, 10, actor=clerk)
    ship(order, line, 5, actor=clerk)
    slip_issue(customer=order.customer, lines=[{"product": line.product, "quantity": 1}], actor=clerk,
               replenishment=True)

    with django_assert_num_queries(2):
        slips = list(selectors.slip_list())
        shown = [(s.number, s.customer.registered_name, [(x.product.code, x.stock_move.pk) for x in s.lines.all()])
                 for s in slips]
    assert [s[0] for s in shown] == ["OUT-2026-0003", "OUT-2026-0002", "OUT-2026-0001"]
    assert selectors.slip_list(replenishment=True).count() == 1
    assert selectors.slip_list(order=order).count() == 2  # the 補貨 slip has no order
    with django_assert_num_queries(1):
        assert selectors.shipped_by_order_line(order=order) == {line.pk: 15}


# --- back office and API ---------------------------------------------------------------------


@pytest.mark.django_db
def test_slip_admin_lists_and_shows_read_only(client, order, line, clerk, django_assert_num_queries):
    slip = ship(order, line, 10, actor=clerk)
    client.force_login(UserFactory(roles=[Role.WAREHOUSE_CLERK]))

    listing = client.get(reverse("admin:stock_outboundslip_changelist"))
    detail = client.get(reverse("admin:stock_outboundslip_change", args=[slip.pk]))

    assert listing.status_code == 200 and slip.number in listing.content.decode()
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert client.get(reverse("admin:stock_outboundslip_add")).status_code == 403
    assert client.post(reverse("admin:stock_outboundslip_delete", args=[slip.pk])).status_code == 403


@pytest.mark.django_db
def test_slip_admin_list_queries_do_not_grow_with_slips(client, order, line, clerk):
    ship(order, line, 1, actor=clerk)
    client.force_login(UserFactory(roles=[Role.SALES_STAFF]))
    url = reverse("admin:stock_outboundslip_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(3):
        ship(order, line, 1, actor=clerk)
    with CaptureQueriesContext(connection) as four:
        client.get(url)
    assert len(four) == len(one)


@pytest.mark.django_db
def test_api_issues_a_slip(api_client, order, line, clerk):
    api_client.force_authenticate(UserFactory(roles=[Role.WAREHOUSE_CLERK]))

    response = api_client.post(
        SLIPS,
        {
            "customer": order.customer.pk,
            "order": order.pk,
            "lines": [{"product": line.product.pk, "order_line": line.pk, "quantity": "20"}],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["number"] == "OUT-2026-0001"
    assert response.json()["lines"][0]["quantity"] == "20.000"
    assert balance(line.product) == 40


@pytest.mark.django_db
def test_api_refuses_beyond_stock_with_its_code(api_client, order, line):
    api_client.force_authenticate(UserFactory(roles=[Role.SALES_STAFF]))

    response = api_client.post(
        SLIPS,
        {
            "customer": order.customer.pk,
            "order": order.pk,
            "lines": [{"product": line.product.pk, "order_line": line.pk, "quantity": "99"}],
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "insufficient_stock"
    assert nothing_shipped()


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_api_slips_by_role(api_client, order, line, clerk, role):
    slip = ship(order, line, 1, actor=clerk)
    api_client.force_authenticate(UserFactory(roles=[role]))
    readers = SHIPPERS | {Role.QC_INSPECTOR, Role.QC_HEAD, Role.MANAGEMENT}

    listing = api_client.get(SLIPS)
    detail = api_client.get(f"{SLIPS}{slip.pk}/")
    issued = api_client.post(
        SLIPS,
        {
            "customer": order.customer.pk,
            "order": order.pk,
            "lines": [{"product": line.product.pk, "order_line": line.pk, "quantity": "1"}],
        },
        format="json",
    )

    assert listing.status_code == (200 if role in readers else 403)
    assert detail.status_code == (200 if role in readers else 403)
    assert issued.status_code == (201 if role in SHIPPERS else 403)
    assert api_client.delete(f"{SLIPS}{slip.pk}/").status_code in {403, 405}
    assert OutboundSlip.objects.filter(pk=slip.pk).exists()


@pytest.mark.django_db
def test_api_slip_list_runs_a_fixed_number_of_queries(api_client, order, line, clerk, django_assert_num_queries):
    ship(order, line, 1, actor=clerk)
    api_client.force_authenticate(clerk)
    api_client.get(SLIPS)
    with django_assert_num_queries(3):  # count, slips, lines
        api_client.get(SLIPS)
    ship(order, line, 1, actor=clerk)
    with django_assert_num_queries(3):
        assert api_client.get(SLIPS).json()["count"] == 2


# --- two clerks at once, on PostgreSQL ---------------------------------------------------------


@pytest.fixture
def slow_stock_writes(monkeypatch):
    """Hold each writer between reading the balance and writing it back, so that they overlap."""
    save = QualifiedStock.save

    def slow_save(self, *args, **kwargs):
        time.sleep(0.05)
        return save(self, *args, **kwargs)

    monkeypatch.setattr(QualifiedStock, "save", slow_save)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_r_5_2_3_2_two_clerks_shipping_the_last_units_at_once_never_go_below_zero(slow_stock_writes):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    product = ProductFactory(stock=5)
    # Two orders of one customer, so the order row lock does not serialise them: the stock lock must.
    customer = CustomerFactory()
    orders = [
        accepted_order(customer=customer, lines=[order_line(product=product, quantity=Decimal(5))]) for _ in range(2)
    ]
    lines = [order.lines.get() for order in orders]
    clerks = [UserFactory(roles=[Role.SALES_STAFF]), UserFactory(roles=[Role.WAREHOUSE_CLERK])]
    start = threading.Barrier(2)
    outcomes = []

    def ship_last_units(index: int) -> None:
        try:
            start.wait(timeout=10)
            slip_issue(
                customer=customer,
                order=orders[index],
                lines=[{"product": product, "order_line": lines[index], "quantity": 4}],
                actor=clerks[index],
            )
            outcomes.append("shipped")
        except LiaisonError as error:
            outcomes.append(error.code)
        except Exception as error:  # an IntegrityError would mean the lock did not hold
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=ship_last_units, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(map(str, outcomes)) == ["insufficient_stock", "shipped"], outcomes
    assert balance(product) == 1
    assert OutboundSlip.objects.count() == 1
    assert OutboundSlipLine.objects.get().stock_move.balance_after == 1
    assert list(DocumentCounter.objects.filter(doc_type="OUT").values_list("last_number", flat=True)) == [1]
