"""Orders as Sales registers and reviews them, made through the orders services like real data."""

import datetime as dt
from decimal import Decimal

import factory

from liaison.communications.tests.factories import received_document
from liaison.core import clock
from liaison.core.tests.factories import member, review_departments, sales, sales_admin, sales_head
from liaison.customers.tests.factories import CustomerFactory
from liaison.orders import services
from liaison.orders.models import Order, ReviewRound
from liaison.orders.states import OrderChannel, OrderStatus, ReviewOutcome
from liaison.stock.tests.factories import ProductFactory


def in_days(days: int) -> dt.date:
    return clock.today() + dt.timedelta(days=days)


def order_line(**overrides) -> dict:
    """One line of an order to register: ``OrderFactory(lines=[order_line(product=bolt, quantity=500)])``."""
    values = {
        "product": overrides.pop("product") if "product" in overrides else ProductFactory(),
        "quantity": Decimal(100),
        "specification": "M6×20 SUS304",
        "required_date": in_days(30),
    }
    values.update(overrides)
    return values


class OrderFactory(factory.django.DjangoModelFactory):
    """An order registered through ``order_register``: F1 entry and its open review round 1."""

    class Meta:
        model = Order

    customer = factory.SubFactory(CustomerFactory)
    channel = OrderChannel.WRITTEN
    customer_po = factory.Sequence(lambda n: f"PO-{n:04d}")
    lines = factory.LazyFunction(lambda: [order_line()])
    actor = factory.LazyFunction(sales_admin)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        review_departments()
        if kwargs["channel"] == OrderChannel.FAX and "received_document" not in kwargs:
            # A faxed order is registered with its catalogued fax (R-5.2.2.3), catalogued by a Sales clerk.
            kwargs["received_document"] = received_document(
                customer=kwargs["customer"], received_at=kwargs.get("received_at"), actor=sales()
            )
        return services.order_register(**kwargs)


def sign_all(review_round: ReviewRound, **answers) -> None:
    """Every department on the round signs, each by one of its own members."""
    values = {
        "capability_ok": True,
        "capacity_ok": True,
        "delivery_date_ok": True,
        "quality_ok": True,
        "opinion": "",
    }
    values.update(answers)
    for sign_off in review_round.sign_offs.select_related("department"):
        services.review_sign_off(sign_off=sign_off, actor=member(sign_off.department), **values)


def review_pass(
    review_round: ReviewRound, *, actor=None, outcome=ReviewOutcome.ACCEPTED, conditions=""
):
    """Sign, check laws and regulations, and accept a review round."""
    actor = actor or sales_admin()
    sign_all(review_round)
    services.review_legal_check(
        review_round=review_round, passed=True, note="GB/T 5782", actor=actor
    )
    return services.review_decide(
        review_round=review_round, outcome=outcome, conditions=conditions, actor=actor
    )


def accepted_order(**kwargs) -> Order:
    """An order whose first review round has been accepted."""
    order = OrderFactory(**kwargs)
    review_pass(order.review_rounds.get())
    order.refresh_from_db()
    return order


def rejected_order(**kwargs) -> Order:
    """An order whose first review round has been rejected."""
    order = OrderFactory(**kwargs)
    services.review_decide(
        review_round=order.review_rounds.get(),
        outcome=ReviewOutcome.REJECTED,
        conditions="產能不足，無法按期交貨",
        actor=sales_admin(),
    )
    order.refresh_from_db()
    return order


def order_in(status: str, **kwargs) -> Order:
    """An order in ``status``: registered, then accepted, rejected or voided through the services.

    No service completes an order yet (its transition waits for the step that will take it), so
    a completed order is an accepted one whose status is then written with ``update()``.
    """
    if status == OrderStatus.UNDER_REVIEW:
        return OrderFactory(**kwargs)
    if status == OrderStatus.VOID:
        order = OrderFactory(**kwargs)
        return services.order_void(order=order, reason="登記錯誤", actor=sales_head())
    if status in (OrderStatus.ACCEPTED, OrderStatus.COMPLETED):
        order = accepted_order(**kwargs)
    else:
        order = rejected_order(**kwargs)
    if order.status != status:
        Order.objects.filter(pk=order.pk).update(status=status)
        order.refresh_from_db(fields=["status"])
    return order
