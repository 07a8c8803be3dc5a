"""Production notices (F4), issued through the production service like real data."""

import datetime as dt
from decimal import Decimal

from liaison.core import clock
from liaison.core.tests.factories import WorkshopFactory, sales_admin
from liaison.orders.tests.factories import accepted_order
from liaison.production import services
from liaison.stock.tests.factories import ProductFactory


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
    """A notice for ``quantity`` of the first line of ``order`` (a new accepted order unless given)."""
    if order is None and not replenishment:
        order = accepted_order()
    if lines is None:
        line = order.lines.order_by("line_no").first() if order is not None else None
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
