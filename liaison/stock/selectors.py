"""Reads of the stock app."""

from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from liaison.stock.models import Product, QualifiedStock, StockMove


def stock_of(*, product: Product) -> Decimal:
    """Qualified finished-goods quantity of one product."""
    row = QualifiedStock.objects.filter(product=product).values_list("quantity", flat=True).first()
    return row if row is not None else Decimal(0)


def stock_for_products(*, product_ids) -> dict[int, Decimal]:
    """Qualified quantity per product id, in one query."""
    rows = QualifiedStock.objects.filter(product_id__in=list(product_ids)).values_list("product_id", "quantity")
    found = dict(rows)
    return {pk: found.get(pk, Decimal(0)) for pk in product_ids}


def stock_moves_of(*, product: Product) -> QuerySet:
    return StockMove.objects.filter(product=product).select_related("created_by").order_by("-created_at", "-pk")


def stock_figures() -> list[dict]:
    products = Product.objects.filter(active=True).count()
    empty = QualifiedStock.objects.filter(product__active=True, quantity=0).count()
    return [
        {"title": _("Active products"), "value": products, "link": "admin:stock_product_changelist"},
        {"title": _("Products out of stock"), "value": empty, "link": "admin:stock_qualifiedstock_changelist"},
    ]
