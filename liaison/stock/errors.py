"""Error codes of the stock app, their wording for people, and its ACTIONS table."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from liaison.core.roles import actions


class StockErrorCode(StrEnum):
    INSUFFICIENT_STOCK = "insufficient_stock"
    QUANTITY_NOT_POSITIVE = "quantity_not_positive"
    PRODUCT_INACTIVE = "product_inactive"
    REASON_NOT_BY_HAND = "reason_not_by_hand"


MESSAGES = {
    StockErrorCode.INSUFFICIENT_STOCK: _(
        "Only %(available)s %(unit)s of %(product)s are in qualified stock; %(requested)s cannot be taken out."
    ),
    StockErrorCode.QUANTITY_NOT_POSITIVE: _("The quantity must be greater than zero."),
    StockErrorCode.PRODUCT_INACTIVE: _("Product %(product)s is no longer active."),
    StockErrorCode.REASON_NOT_BY_HAND: _(
        "A move for “%(reason)s” is written only by the step that causes it (an outbound slip, "
        "a return inspection). By hand, record one of: %(allowed)s."
    ),
}


class SlipErrorCode(StrEnum):
    """Refusals of the outbound slip, F8."""

    NOT_ALLOWED = "not_allowed"
    NO_LINES = "no_lines"
    ORDER_REQUIRED = "order_required"
    ORDER_NOT_ACCEPTED = "order_not_accepted"
    ORDER_OTHER_CUSTOMER = "order_other_customer"
    ORDER_LINE_REQUIRED = "order_line_required"
    ORDER_LINE_OTHER_ORDER = "order_line_other_order"
    LINE_PRODUCT_MISMATCH = "line_product_mismatch"
    OVER_SHIPPED = "over_shipped"


SLIP_MESSAGES = {
    SlipErrorCode.NO_LINES: _("An outbound slip needs at least one product to ship."),
    SlipErrorCode.ORDER_REQUIRED: _(
        "Goods leave stock for an order; only a replenishment (補貨) slip may have none."
    ),
    SlipErrorCode.ORDER_NOT_ACCEPTED: _(
        "Order %(order)s is “%(status)s”; goods are shipped only for accepted orders."
    ),
    SlipErrorCode.ORDER_OTHER_CUSTOMER: _("Order %(order)s is not an order of %(customer)s."),
    SlipErrorCode.ORDER_LINE_REQUIRED: _(
        "Say which line of order %(order)s the %(product)s are shipped for."
    ),
    SlipErrorCode.ORDER_LINE_OTHER_ORDER: _("Order line %(line)s does not belong to order %(order)s."),
    SlipErrorCode.LINE_PRODUCT_MISMATCH: _("Order line %(line)s is for %(ordered)s, not %(product)s."),
    SlipErrorCode.OVER_SHIPPED: _(
        "Order line %(line)s is for %(ordered)s %(unit)s and %(shipped)s have been shipped already; "
        "%(requested)s more would be too many."
    ),
}

# The steps of the stock app that a role must hold: the permission each needs, and its words in a refusal.
ACTIONS = actions(
    SlipErrorCode.NOT_ALLOWED,
    {
        "issue": ("stock.add_outboundslip", _("issue outbound slips")),
    },
)
