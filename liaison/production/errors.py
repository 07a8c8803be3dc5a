"""Error codes of the production app, their wording for people, and its ACTIONS table."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from liaison.core.roles import actions


class ProductionErrorCode(StrEnum):
    NOT_ALLOWED = "not_allowed"
    NOT_YOUR_WORKSHOP = "not_your_workshop"
    NOT_A_WORKSHOP = "not_a_workshop"
    ORDER_REQUIRED = "order_required"
    ORDER_NOT_ACCEPTED = "order_not_accepted"
    NO_LINES = "no_lines"
    QUANTITY_NOT_POSITIVE = "quantity_not_positive"
    PRODUCT_INACTIVE = "product_inactive"
    ORDER_LINE_OTHER_ORDER = "order_line_other_order"
    LINE_PRODUCT_MISMATCH = "line_product_mismatch"
    LINE_NOT_ON_NOTICE = "line_not_on_notice"
    DUE_DATE_REQUIRED = "due_date_required"
    DUE_DATE_IN_PAST = "due_date_in_past"
    CHANGE_OTHER_ORDER = "change_other_order"
    NOTICE_ALREADY_VOID = "notice_already_void"
    NOTICE_COMPLETED = "notice_completed"
    NOTICE_ALREADY_STARTED = "notice_already_started"
    VOID_REASON_REQUIRED = "void_reason_required"
    SUCCESSOR_INVALID = "successor_invalid"
    BEYOND_ORDER = "beyond_order"


MESSAGES = {
    ProductionErrorCode.NOT_YOUR_WORKSHOP: _(
        "Notice %(number)s belongs to %(workshop)s; only that workshop's lead records its progress."
    ),
    ProductionErrorCode.NOT_A_WORKSHOP: _(
        "%(department)s is not an active workshop; production notices go to workshops."
    ),
    ProductionErrorCode.ORDER_REQUIRED: _(
        "A production notice is issued for an order; only a replenishment (補貨) notice may have none."
    ),
    ProductionErrorCode.ORDER_NOT_ACCEPTED: _(
        "Order %(order)s is “%(status)s”; production notices are issued only for accepted orders."
    ),
    ProductionErrorCode.NO_LINES: _("A production notice needs at least one product to make."),
    ProductionErrorCode.QUANTITY_NOT_POSITIVE: _(
        "The quantity of %(product)s must be greater than zero."
    ),
    ProductionErrorCode.PRODUCT_INACTIVE: _("Product %(product)s is no longer active."),
    ProductionErrorCode.ORDER_LINE_OTHER_ORDER: _(
        "Order line %(line)s does not belong to order %(order)s."
    ),
    ProductionErrorCode.LINE_PRODUCT_MISMATCH: _(
        "Order line %(line)s is for %(ordered)s, not %(product)s."
    ),
    ProductionErrorCode.LINE_NOT_ON_NOTICE: _(
        "Notice %(number)s has no line for order line %(line)s."
    ),
    ProductionErrorCode.DUE_DATE_REQUIRED: _("Give the date the workshop must finish by."),
    ProductionErrorCode.DUE_DATE_IN_PAST: _(
        "The due date %(due_date)s is already past (today is %(today)s)."
    ),
    ProductionErrorCode.CHANGE_OTHER_ORDER: _(
        "Change %(change)s concerns order %(change_order)s, not %(order)s."
    ),
    ProductionErrorCode.NOTICE_ALREADY_VOID: _("Notice %(number)s is already void."),
    ProductionErrorCode.NOTICE_COMPLETED: _(
        "Notice %(number)s is completed; a completed notice can no longer be changed or voided."
    ),
    ProductionErrorCode.NOTICE_ALREADY_STARTED: _("Production of notice %(number)s has already started."),
    ProductionErrorCode.VOID_REASON_REQUIRED: _("Say why the notice is voided."),
    ProductionErrorCode.SUCCESSOR_INVALID: _(
        "Notice %(successor)s cannot replace %(number)s: it must be another current notice of the same order."
    ),
    ProductionErrorCode.BEYOND_ORDER: _(
        "Order line %(line)s: %(ordered)s ordered, %(shipped)s shipped, %(in_stock)s made and waiting in "
        "stock and %(on_notices)s on open notices, so at most %(left)s more can go on a notice, not "
        "%(requested)s. "
        "For goods that replace a delivery, issue a replenishment (補貨) notice."
    ),
}

# The steps of production notices: the permission each needs, and its words in a refusal.
ACTIONS = actions(
    ProductionErrorCode.NOT_ALLOWED,
    {
        "issue": ("production.issue_productionnotice", _("issue production notices")),
        "void": ("production.void_productionnotice", _("void production notices")),
        "progress": ("production.progress_productionnotice", _("record production progress")),
    },
)
