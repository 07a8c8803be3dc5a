"""Writes of the stock app: every change of qualified stock is a stock move.

Every write here is a building block in a plain transaction: the orders app ships (F8) and the
quality app replaces goods through ``slip_issue``, production completes into stock through
``stock_move_record``, and the back office saves products and manual moves inside its own.
"""

from decimal import Decimal

from django.db import transaction
from django.utils.text import format_lazy

from liaison.core import clock
from liaison.core.errors import refuse
from liaison.core.models import User, linked_model
from liaison.core.quantities import format_quantity, positive_quantity
from liaison.core.roles import require
from liaison.core.services import number_next, sign_history
from liaison.customers.services import timeline_record
from liaison.customers.states import TimelineEvent
from liaison.stock.errors import ACTIONS, MESSAGES, SLIP_MESSAGES, SlipErrorCode, StockErrorCode
from liaison.stock.models import (
    OutboundSlip,
    OutboundSlipLine,
    Product,
    QualifiedStock,
    StockMove,
)
from liaison.stock.selectors import shipped_by_order_line
from liaison.stock.states import MANUAL_MOVE_REASONS, MoveDirection, MoveReason


@transaction.atomic
def product_save(*, product: Product, actor: User | None, reason: str = "") -> Product:
    """Create or update a product; a new product starts with an empty stock row."""
    creating = product._state.adding
    if creating:
        product.created_by = actor
    product.updated_by = actor
    product.full_clean()
    sign_history(product, actor=actor, reason=reason or ("Registered" if creating else "Changed"))
    product.save()
    if creating:
        QualifiedStock.objects.create(product=product)
    return product


@transaction.atomic
def stock_move_record(
    *,
    product: Product,
    direction: MoveDirection,
    quantity: Decimal,
    reason: MoveReason,
    actor: User | None,
    document_ref: str = "",
    note: str = "",
) -> StockMove:
    """Move qualified stock in or out; refuse to take out more than there is.

    Locks the product's stock row, so two clerks shipping the last pieces at once
    are served one after the other and the second is refused. Everything is
    checked before the first write, so a refused move leaves no trace.
    """
    quantity = positive_quantity(quantity)
    if quantity is None:
        raise refuse(MESSAGES, StockErrorCode.QUANTITY_NOT_POSITIVE, field="quantity")
    if not product.active:
        raise refuse(MESSAGES, StockErrorCode.PRODUCT_INACTIVE, field="product", product=str(product))
    # A product saved without product_save (a data migration, a bulk load) has no row yet.
    stock, _created = QualifiedStock.objects.select_for_update().get_or_create(product=product)
    if direction == MoveDirection.OUT:
        balance = stock.quantity - quantity
        if balance < 0:
            raise refuse(
                MESSAGES,
                StockErrorCode.INSUFFICIENT_STOCK,
                field="quantity",
                available=format_quantity(stock.quantity),
                unit=product.unit,
                product=str(product),
                requested=format_quantity(quantity),
            )
    else:
        balance = stock.quantity + quantity
    move = StockMove(
        product=product,
        direction=direction,
        quantity=quantity,
        reason=reason,
        document_ref=document_ref,
        note=note,
        balance_after=balance,
        created_by=actor,
        updated_by=actor,
    )
    move.full_clean()  # an unknown direction or reason stops here, before any write
    sign_history(move, actor=actor, reason=f"Stock {direction}: {reason}")
    stock.quantity = balance
    stock.save(update_fields=["quantity"])
    move.save()
    return move


def stock_move_by_hand(
    *,
    product: Product,
    direction: MoveDirection,
    quantity: Decimal,
    reason: MoveReason,
    actor: User | None,
    document_ref: str = "",
    note: str = "",
) -> StockMove:
    """Record a clerk's own stock move: an opening balance, production, a count correction, other.

    Shipments, replenishments (補貨) and good returns come only from the outbound slip
    and the return inspection, so each such move has its document behind it.
    """
    if reason not in MANUAL_MOVE_REASONS:
        raise refuse(
            MESSAGES,
            StockErrorCode.REASON_NOT_BY_HAND,
            field="reason",
            reason=MoveReason(reason).label if reason in MoveReason.values else reason,
            allowed=format_lazy(", ".join("{}" for _r in MANUAL_MOVE_REASONS), *(r.label for r in MANUAL_MOVE_REASONS)),
        )
    return stock_move_record(
        product=product,
        direction=direction,
        quantity=quantity,
        reason=reason,
        actor=actor,
        document_ref=document_ref,
        note=note,
    )


# --- outbound slips, F8 -----------------------------------------------------------------

SLIP_TYPE = "OUT"


def _slip_order(*, order, customer, replenishment: bool):
    """The order locked, so two clerks shipping against it are served one after the other."""
    order = linked_model(OutboundSlip, "order").objects.select_for_update(of=("self",)).select_related("customer").get(
        pk=order.pk
    )
    if order.customer_id != customer.pk:
        raise refuse(
            SLIP_MESSAGES,
            SlipErrorCode.ORDER_OTHER_CUSTOMER, field="order", order=order.number, customer=str(customer)
        )
    # A replacement (補貨) may follow an order already delivered in full.
    if not order.takes_deliveries(replacement=replenishment):
        raise refuse(
            SLIP_MESSAGES,
            SlipErrorCode.ORDER_NOT_ACCEPTED,
            field="order",
            order=order.number,
            status=order.get_status_display(),
        )
    return order


def _slip_lines(*, lines, order, replenishment: bool) -> list[dict]:
    """Check the lines; a regular slip must not ship an order line beyond what was ordered."""
    checked = []
    for line in lines:
        product = line["product"]
        order_line = line.get("order_line")
        quantity = positive_quantity(line.get("quantity"))
        if quantity is None:
            raise refuse(MESSAGES, StockErrorCode.QUANTITY_NOT_POSITIVE, field="lines")
        if order_line is None and order is not None and not replenishment:
            raise refuse(
                SLIP_MESSAGES,
                SlipErrorCode.ORDER_LINE_REQUIRED, field="lines", order=order.number, product=str(product)
            )
        if order_line is not None:
            if order is None or order_line.order_id != order.pk:
                raise refuse(
                    SLIP_MESSAGES,
                    SlipErrorCode.ORDER_LINE_OTHER_ORDER,
                    field="lines",
                    line=str(order_line),
                    order=order.number if order else "—",
                )
            if order_line.product_id != product.pk:
                raise refuse(
                    SLIP_MESSAGES,
                    SlipErrorCode.LINE_PRODUCT_MISMATCH,
                    field="lines",
                    line=str(order_line),
                    ordered=str(order_line.product),
                    product=str(product),
                )
        checked.append({"product": product, "order_line": order_line, "quantity": quantity})
    if not checked:
        raise refuse(SLIP_MESSAGES, SlipErrorCode.NO_LINES, field="lines")
    if not replenishment:
        _refuse_over_shipping(checked, order=order)
    return checked


def _refuse_over_shipping(lines: list[dict], *, order) -> None:
    """Shipped before (regular slips only) plus this slip must not exceed the ordered quantity."""
    wanted: dict[int, Decimal] = {}
    by_id = {}
    for line in lines:
        order_line = line["order_line"]
        if order_line is not None:
            wanted[order_line.pk] = wanted.get(order_line.pk, Decimal(0)) + line["quantity"]
            by_id[order_line.pk] = order_line
    if not wanted:
        return
    shipped = shipped_by_order_line(order=order)
    for pk, quantity in wanted.items():
        order_line = by_id[pk]
        before = shipped.get(pk, Decimal(0))
        if before + quantity > order_line.quantity:
            raise refuse(
                SLIP_MESSAGES,
                SlipErrorCode.OVER_SHIPPED,
                field="lines",
                line=str(order_line),
                ordered=format_quantity(order_line.quantity),
                unit=order_line.product.unit,
                shipped=format_quantity(before),
                requested=format_quantity(quantity),
            )


@transaction.atomic
def slip_issue(
    *,
    customer,
    lines,
    actor: User,
    order=None,
    replenishment: bool = False,
    note: str = "",
) -> OutboundSlip:
    """Ship from qualified stock on an outbound slip, F8 (R-5.2.3.2); 補貨 when a replacement.

    ``lines`` are dicts ``{product, quantity, order_line=None}``. Each line takes its
    goods out with a stock move in this same transaction, so slip and stock never
    disagree and stock never goes below zero, even with two clerks at once (the
    order row and the stock rows are locked). A regular slip ships for an accepted
    order of the customer, each line for one order line, never more than was ordered
    less what regular slips have already shipped. A replenishment slip (R-5.5.2.3) may
    have no order; it replaces goods, so it is not counted against the order lines.
    """
    require(actor, ACTIONS["issue"])
    if order is None and not replenishment:
        raise refuse(SLIP_MESSAGES, SlipErrorCode.ORDER_REQUIRED, field="order")
    if order is not None:
        order = _slip_order(order=order, customer=customer, replenishment=replenishment)
    checked = _slip_lines(lines=lines, order=order, replenishment=replenishment)
    # Lock the stock rows in one order, so two slips for the same products cannot deadlock.
    list(
        QualifiedStock.objects.select_for_update()
        .filter(product_id__in={line["product"].pk for line in checked})
        .order_by("product_id")
    )
    slip = OutboundSlip(
        customer=customer,
        order=order,
        replenishment=replenishment,
        shipped_at=clock.now(),
        note=(note or "").strip(),
        created_by=actor,
        updated_by=actor,
    )
    slip.full_clean(exclude=["number"])
    slip.number = number_next(doc_type=SLIP_TYPE)
    sign_history(slip, actor=actor, reason="Issued (replenishment)" if replenishment else "Issued")
    slip.save()
    reason = MoveReason.REPLENISHMENT if replenishment else MoveReason.SHIPMENT
    for line in checked:
        move = stock_move_record(
            product=line["product"],
            direction=MoveDirection.OUT,
            quantity=line["quantity"],
            reason=reason,
            actor=actor,
            document_ref=slip.number,
            note=order.number if order else "",
        )
        slip_line = OutboundSlipLine(
            slip=slip,
            order_line=line["order_line"],
            product=line["product"],
            quantity=line["quantity"],
            stock_move=move,
            created_by=actor,
            updated_by=actor,
        )
        slip_line.full_clean()
        sign_history(slip_line, actor=actor, reason="Issued")
        slip_line.save()
    shipped = ", ".join(f"{line['product'].code} × {format_quantity(line['quantity'])}" for line in checked)
    mark = " · 補貨" if replenishment else ""
    timeline_record(
        customer=customer,
        event=TimelineEvent.SHIPPED_FROM_STOCK,
        actor=actor,
        summary=f"{slip.number}{' · ' + order.number if order else ''}{mark}: {shipped}",
        about=slip,
    )
    return slip
