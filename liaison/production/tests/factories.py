"""Orders, workshops and notices for the production and stock tests.

Until the orders services exist, an accepted order is made with the ORM and its
protected status set with ``update()``, as the orders-to-delivery contract allows.
"""

import datetime as dt
from decimal import Decimal

import factory

from liaison.core import clock
from liaison.core.roles import Role
from liaison.core.states import DepartmentKind
from liaison.core.tests.factories import DepartmentFactory, UserFactory
from liaison.customers.tests.factories import CustomerFactory
from liaison.orders.models import Order, OrderLine
from liaison.orders.states import OrderChannel, OrderStatus
from liaison.production import services
from liaison.stock.tests.factories import ProductFactory


class WorkshopFactory(DepartmentFactory):
    code = factory.Sequence(lambda n: f"workshop-{n}")
    name = factory.Sequence(lambda n: f"{n}車間")
    kind = DepartmentKind.WORKSHOP
    signs_contract_review = True


class OrderFactory(factory.django.DjangoModelFactory):
    """An order in the log; ``OrderFactory(status="under_review")`` for one not yet accepted."""

    class Meta:
        model = Order
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"ORD-2026-{n + 1:04d}")
    customer = factory.SubFactory(CustomerFactory)
    channel = OrderChannel.FAX
    customer_po = factory.Sequence(lambda n: f"PO-{n:05d}")

    @factory.post_generation
    def status(self, create, extracted, **kwargs):
        status = extracted or OrderStatus.ACCEPTED
        if create and status != self.status:
            Order.objects.filter(pk=self.pk).update(status=status)
            self.refresh_from_db(fields=["status"])


def order_line(order: Order, *, product=None, quantity=100, line_no=None, days=30) -> OrderLine:
    return OrderLine.objects.create(
        order=order,
        line_no=line_no or order.lines.count() + 1,
        product=product or ProductFactory(),
        quantity=Decimal(quantity),
        specification="M6×20 鍍鋅",
        required_date=clock.today() + dt.timedelta(days=days),
    )


def sales_admin(**kwargs):
    return UserFactory(roles=[Role.SALES_ADMIN], **kwargs)


def workshop_lead(workshop, **kwargs):
    return UserFactory(roles=[Role.WORKSHOP_LEAD], department=workshop, **kwargs)


def notice(
    *,
    order=None,
    workshop=None,
    quantity=50,
    due_date=None,
    actor=None,
    replenishment=False,
    lines=None,
    **kwargs,
):
    """A notice issued through the service for one line of a (new, accepted) order."""
    if order is None and not replenishment:
        order = OrderFactory()
    if lines is None:
        line = order_line(order) if order is not None else None
        lines = [
            {
                "product": line.product if line else ProductFactory(),
                "order_line": line,
                "quantity": Decimal(quantity),
            }
        ]
    return services.notice_issue(
        order=order,
        workshop=workshop or WorkshopFactory(),
        due_date=due_date or clock.today() + dt.timedelta(days=14),
        lines=lines,
        actor=actor or sales_admin(),
        replenishment=replenishment,
        **kwargs,
    )
