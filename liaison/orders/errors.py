"""Error codes of the orders app, their wording for people (``MESSAGES``), and its ACTIONS table."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from liaison.core.roles import actions


class OrderErrorCode(StrEnum):
    NOT_ALLOWED = "not_allowed"
    NOT_YOUR_DEPARTMENT = "not_your_department"
    LINES_REQUIRED = "lines_required"
    LINE_INCOMPLETE = "line_incomplete"
    QUANTITY_NOT_POSITIVE = "quantity_not_positive"
    PRODUCT_INACTIVE = "product_inactive"
    RECEIVED_IN_FUTURE = "received_in_future"
    DOCUMENT_OTHER_CUSTOMER = "document_other_customer"
    DOCUMENT_VOID = "document_void"
    FAX_DOCUMENT_REQUIRED = "fax_document_required"
    DOCUMENT_NOT_FAX = "document_not_fax"
    REVIEW_DEPARTMENTS_MISSING = "review_departments_missing"
    UNKNOWN_CHANNEL = "unknown_channel"
    ORDER_NOT_UNDER_REVIEW = "order_not_under_review"
    ORDER_NOT_ACCEPTED = "order_not_accepted"
    QUESTION_REQUIRED = "question_required"
    ANSWER_REQUIRED = "answer_required"
    ALREADY_ANSWERED = "already_answered"
    ANSWERED_BEFORE_ASKED = "answered_before_asked"
    OCCURRED_IN_FUTURE = "occurred_in_future"
    ROUND_NOT_OPEN = "round_not_open"
    SIGN_OFF_INCOMPLETE = "sign_off_incomplete"
    OPINION_REQUIRED = "opinion_required"
    LEGAL_CHECK_INCOMPLETE = "legal_check_incomplete"
    LEGAL_NOTE_REQUIRED = "legal_note_required"
    UNKNOWN_OUTCOME = "unknown_outcome"
    SIGN_OFFS_MISSING = "sign_offs_missing"
    SIGN_OFF_OBJECTION = "sign_off_objection"
    LEGAL_CHECK_MISSING = "legal_check_missing"
    LEGAL_CHECK_FAILED = "legal_check_failed"
    CLARIFICATION_OPEN = "clarification_open"
    CONDITIONS_REQUIRED = "conditions_required"
    OBJECTION_UNANSWERED = "objection_unanswered"
    REJECTION_REASON_REQUIRED = "rejection_reason_required"
    PROMISED_DATE_PAST = "promised_date_past"
    UNKNOWN_CHANGE_KIND = "unknown_change_kind"
    WRONG_CHANGE_CATEGORY = "wrong_change_category"
    REASON_REQUIRED = "reason_required"
    NEW_DUE_DATE_REQUIRED = "new_due_date_required"
    CHANGE_PENDING = "change_pending"
    CHANGE_NOT_OPEN = "change_not_open"
    CHANGE_AGREED_BY_REVIEW = "change_agreed_by_review"
    AGREED_BY_REQUIRED = "agreed_by_required"
    CHANGE_NOT_AGREED = "change_not_agreed"
    LINE_NOT_IN_ORDER = "line_not_in_order"
    QUANTITY_BELOW_SHIPPED = "quantity_below_shipped"
    WITHDRAWAL_REASON_REQUIRED = "withdrawal_reason_required"
    CHANGE_NOT_WITHDRAWABLE = "change_not_withdrawable"
    REQUEST_CHANNEL_REQUIRED = "request_channel_required"
    VOID_REASON_REQUIRED = "void_reason_required"
    ORDER_NOT_VOIDABLE = "order_not_voidable"
    VOID_GOODS_SHIPPED = "void_goods_shipped"
    VOID_NOTICE_IN_PRODUCTION = "void_notice_in_production"
    VOID_CHANGE_PENDING = "void_change_pending"


MESSAGES = {
    OrderErrorCode.NOT_YOUR_DEPARTMENT: _(
        "Only a member of %(department)s signs for %(department)s on %(review)s."
    ),
    OrderErrorCode.LINES_REQUIRED: _("An order needs at least one product line."),
    OrderErrorCode.LINE_INCOMPLETE: _(
        "Line %(line)s needs a product, a quantity and a required delivery date."
    ),
    OrderErrorCode.QUANTITY_NOT_POSITIVE: _("Line %(line)s: the quantity must be more than zero."),
    OrderErrorCode.PRODUCT_INACTIVE: _("Line %(line)s: product %(product)s is no longer active."),
    OrderErrorCode.RECEIVED_IN_FUTURE: _(
        "An order cannot have been received later than now (%(now)s)."
    ),
    OrderErrorCode.DOCUMENT_OTHER_CUSTOMER: _(
        "Received document %(document)s came from %(sender)s, not from %(customer)s."
    ),
    OrderErrorCode.DOCUMENT_VOID: _("Received document %(document)s is void."),
    OrderErrorCode.FAX_DOCUMENT_REQUIRED: _(
        "A faxed order is registered with its fax: catalogue the fax under Received documents first, "
        "then choose it here."
    ),
    OrderErrorCode.DOCUMENT_NOT_FAX: _(
        "Received document %(document)s came by %(channel)s; a faxed order links the fax it came on."
    ),
    OrderErrorCode.REVIEW_DEPARTMENTS_MISSING: _(
        "The contract review form has no active department of %(kinds)s to sign it; "
        "an administrator names them under Departments."
    ),
    OrderErrorCode.UNKNOWN_CHANNEL: _(
        "“%(channel)s” is not a channel of the communication record."
    ),
    OrderErrorCode.ORDER_NOT_UNDER_REVIEW: _("Order %(order)s is %(status)s, not under review."),
    OrderErrorCode.ORDER_NOT_ACCEPTED: _(
        "Order %(order)s is “%(status)s”, not accepted. Delivery replies and changes are recorded "
        "once its contract review has accepted it: decide the open review round first. "
        "A rejected, completed or void order takes no more."
    ),
    OrderErrorCode.QUESTION_REQUIRED: _("Write the question put to the customer."),
    OrderErrorCode.ANSWER_REQUIRED: _("Write the customer's answer."),
    OrderErrorCode.ALREADY_ANSWERED: _(
        "The clarification “%(question)s” was already answered on %(when)s."
    ),
    OrderErrorCode.ANSWERED_BEFORE_ASKED: _(
        "The answer cannot come before the question was asked (%(asked)s)."
    ),
    OrderErrorCode.OCCURRED_IN_FUTURE: _(
        "%(when)s is later than now; record it once it has happened."
    ),
    OrderErrorCode.ROUND_NOT_OPEN: _(
        "Review %(review)s is %(status)s; it can no longer be changed."
    ),
    OrderErrorCode.SIGN_OFF_INCOMPLETE: _(
        "Answer all four points (capability, capacity, delivery date, quality requirements) "
        "with yes or no."
    ),
    OrderErrorCode.OPINION_REQUIRED: _("Say in the opinion why %(department)s answered no."),
    OrderErrorCode.LEGAL_CHECK_INCOMPLETE: _(
        "Say whether the product meets the applicable laws and regulations."
    ),
    OrderErrorCode.LEGAL_NOTE_REQUIRED: _("Say which law or regulation the product does not meet."),
    OrderErrorCode.UNKNOWN_OUTCOME: _("“%(outcome)s” is not an outcome of a contract review."),
    OrderErrorCode.SIGN_OFFS_MISSING: _(
        "Review %(review)s cannot pass before every department has signed; "
        "still missing: %(departments)s."
    ),
    OrderErrorCode.SIGN_OFF_OBJECTION: _(
        "%(departments)s answered no on %(review)s: "
        "accept with conditions saying how it will be met, or reject."
    ),
    OrderErrorCode.LEGAL_CHECK_MISSING: _(
        "Review %(review)s cannot pass before the check against laws and regulations is recorded."
    ),
    OrderErrorCode.LEGAL_CHECK_FAILED: _(
        "Review %(review)s cannot pass: the product does not meet laws and regulations (%(note)s)."
    ),
    OrderErrorCode.CLARIFICATION_OPEN: _(
        "Order %(order)s still has %(count)s open clarification(s): %(questions)s"
    ),
    OrderErrorCode.CONDITIONS_REQUIRED: _(
        "Write the conditions under which the order is accepted."
    ),
    OrderErrorCode.OBJECTION_UNANSWERED: _(
        "%(departments)s answered “cannot meet” on %(review)s: say how each will be met "
        "before accepting with conditions."
    ),
    OrderErrorCode.REJECTION_REASON_REQUIRED: _("Write why the order is rejected."),
    OrderErrorCode.PROMISED_DATE_PAST: _("The promised delivery date %(date)s is already past."),
    OrderErrorCode.UNKNOWN_CHANGE_KIND: _("“%(kind)s” is not a kind of contract change."),
    OrderErrorCode.WRONG_CHANGE_CATEGORY: _(
        "“%(category)s” is not a reason category for the kind “%(kind)s”; "
        "choose one of: %(allowed)s."
    ),
    OrderErrorCode.REASON_REQUIRED: _("Write the reason for the change."),
    OrderErrorCode.NEW_DUE_DATE_REQUIRED: _(
        "A delay needs the new delivery date proposed to the customer."
    ),
    OrderErrorCode.CHANGE_PENDING: _(
        "Order %(order)s already has change %(change)s in progress (%(status)s). "
        "Apply it once agreed, withdraw it (for instance when the customer refuses it), "
        "or wait for the decision of its review round; then register the new change."
    ),
    OrderErrorCode.CHANGE_NOT_OPEN: _(
        "Change %(change)s is %(status)s; it can no longer be agreed."
    ),
    OrderErrorCode.CHANGE_AGREED_BY_REVIEW: _(
        "Change %(change)s was asked for by the customer; "
        "it is agreed by deciding its review round."
    ),
    OrderErrorCode.AGREED_BY_REQUIRED: _("Write who agreed at the customer."),
    OrderErrorCode.REQUEST_CHANNEL_REQUIRED: _(
        "Say how the customer asked for the change (phone, fax, e-mail…); "
        "it goes on the communication record (F5)."
    ),
    OrderErrorCode.CHANGE_NOT_AGREED: _(
        "Change %(change)s is %(status)s; a new production notice is issued only after agreement."
    ),
    OrderErrorCode.LINE_NOT_IN_ORDER: _("Line %(line)s is not a line of order %(order)s."),
    OrderErrorCode.QUANTITY_BELOW_SHIPPED: _(
        "Line %(line)s: %(shipped)s have already been shipped; the quantity cannot go below that."
    ),
    OrderErrorCode.WITHDRAWAL_REASON_REQUIRED: _(
        "Write why the change is withdrawn, for instance what the customer said when refusing it."
    ),
    OrderErrorCode.CHANGE_NOT_WITHDRAWABLE: _(
        "Change %(change)s is %(status)s; only a change not yet applied, rejected or withdrawn "
        "can be withdrawn."
    ),
    OrderErrorCode.VOID_REASON_REQUIRED: _(
        "Write why the order is voided, for instance that the same fax was registered twice."
    ),
    OrderErrorCode.ORDER_NOT_VOIDABLE: _(
        "Order %(order)s is %(status)s; only an order under review, accepted or rejected can be voided."
    ),
    OrderErrorCode.VOID_GOODS_SHIPPED: _(
        "Goods of order %(order)s have already been shipped (outbound slip %(slip)s); "
        "it can no longer be voided."
    ),
    OrderErrorCode.VOID_NOTICE_IN_PRODUCTION: _(
        "Production notice %(notice)s of order %(order)s is %(status)s; the order can no longer be voided."
    ),
    OrderErrorCode.VOID_CHANGE_PENDING: _(
        "Order %(order)s has change %(change)s in progress (%(status)s): withdraw it first, then void the order."
    ),
}

# The steps of the orders app: the permission each needs, and its words in a refusal.
ACTIONS = actions(
    OrderErrorCode.NOT_ALLOWED,
    {
        "register": ("orders.add_order", _("register orders")),
        "ask": ("orders.add_clarification", _("raise clarifications")),
        "answer": ("orders.change_clarification", _("record answers to clarifications")),
        "sign": ("orders.change_reviewsignoff", _("sign contract reviews")),
        "legal": ("orders.change_reviewround", _("record the check against laws and regulations")),
        "decide": ("orders.decide_reviewround", _("decide contract reviews")),
        "reply": ("orders.change_order", _("reply delivery dates")),
        "change": ("orders.add_changeentry", _("register contract changes")),
        "agree": ("orders.change_changeentry", _("record the customer's agreement to a change")),
        "withdraw": ("orders.change_changeentry", _("withdraw contract changes")),
        "apply": ("orders.change_changeentry", _("apply contract changes")),
        # An order registered in error: the Sales head only (R-5.7, numbered records are voided).
        "void": ("orders.void_order", _("void orders")),
    },
)
