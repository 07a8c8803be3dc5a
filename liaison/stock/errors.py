"""Error codes of the stock app."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class StockErrorCode(StrEnum):
    INSUFFICIENT_STOCK = "insufficient_stock"
    QUANTITY_NOT_POSITIVE = "quantity_not_positive"
    PRODUCT_INACTIVE = "product_inactive"


MESSAGES = {
    StockErrorCode.INSUFFICIENT_STOCK: _(
        "Only %(available)s %(unit)s of %(product)s are in qualified stock; %(requested)s cannot be taken out."
    ),
    StockErrorCode.QUANTITY_NOT_POSITIVE: _("The quantity must be greater than zero."),
    StockErrorCode.PRODUCT_INACTIVE: _("Product %(product)s is no longer active."),
}
