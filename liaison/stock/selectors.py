"""Reads of the stock app."""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum

from liaison.stock.models import (
    OutboundSlip,
    OutboundSlipLine,
    Product,
    QualifiedStock,
    StockMove,
)


def product_choices() -> QuerySet[Product]:
    """Active products, by code: what an order line or a returned line can name."""
    return Product.objects.filter(active=True).order_by("code")


def stock_of(*, product: Product) -> Decimal:
    """Qualified finished-goods quantity of one product."""
    row = QualifiedStock.objects.filter(product=product).values_list("quantity", flat=True).first()
    return row if row is not None else Decimal(0)


def stock_for_products(*, product_ids: Iterable[int]) -> dict[int, Decimal]:
    """Qualified quantity per product id, in one query; a product without stock gets 0."""
    product_ids = list(product_ids)
    found = dict(
        QualifiedStock.objects.filter(product_id__in=product_ids).values_list(
            "product_id", "quantity"
        )
    )
    return {pk: found.get(pk, Decimal(0)) for pk in product_ids}


def stock_list() -> QuerySet[QualifiedStock]:
    """Qualified stock of every product, by product code."""
    return QualifiedStock.objects.select_related("product").order_by("product__code")


def stock_move_list(*, product_id: int | None = None) -> QuerySet[StockMove]:
    """The stock ledger, newest first; optionally one product's moves only."""
    moves = StockMove.objects.select_related("product", "created_by").order_by("-created_at", "-pk")
    if product_id is not None:
        moves = moves.filter(product_id=product_id)
    return moves


def stock_moves_of(*, product: Product) -> QuerySet[StockMove]:
    """One product's moves, newest first."""
    return stock_move_list(product_id=product.pk)


def stock_figures() -> dict[str, int]:
    """For the dashboard: how many products are active (``active``) and how many of them are out of stock (``empty``)."""
    return {
        "active": Product.objects.filter(active=True).count(),
        "empty": QualifiedStock.objects.filter(product__active=True, quantity=0).count(),
    }


# --- outbound slips, F8 -----------------------------------------------------------------


def slip_list(
    *, customer=None, order=None, replenishment: bool | None = None
) -> QuerySet[OutboundSlip]:
    """Outbound slips, newest first: two queries (slips, then their lines)."""
    slips = OutboundSlip.objects.select_related("customer", "order", "created_by").prefetch_related(
        Prefetch(
            "lines",
            queryset=OutboundSlipLine.objects.select_related("product", "order_line", "stock_move"),
        )
    )
    if customer is not None:
        slips = slips.filter(customer=customer)
    if order is not None:
        slips = slips.filter(order=order)
    if replenishment is not None:
        slips = slips.filter(replenishment=replenishment)
    return slips.order_by("-shipped_at", "-pk")


def slip_get(*, pk: int) -> OutboundSlip:
    """One slip with its lines (raises ``OutboundSlip.DoesNotExist``)."""
    return slip_list().get(pk=pk)


def shipped_by_order_line(*, order) -> dict[int, Decimal]:
    """What regular slips have shipped of each line of ``order``, in one query.

    Replenishment (補貨) slips replace goods and are not counted against the order.
    """
    return dict(
        OutboundSlipLine.objects.filter(order_line__order=order, slip__replenishment=False)
        .values("order_line_id")
        .annotate(total=Sum("quantity"))
        .values_list("order_line_id", "total")
    )
