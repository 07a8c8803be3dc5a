"""Error codes of the quality app (complaints, returns, nonconformance, other feedback) and its ACTIONS table.

CAPA requests (``capa/errors.py``) and QC's report (``report/errors.py``) have their own.
"""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from liaison.core.roles import actions
from liaison.production.errors import ACTIONS as PRODUCTION_ACTIONS
from liaison.stock.errors import ACTIONS as STOCK_ACTIONS


class QualityErrorCode(StrEnum):
    NOT_ALLOWED = "not_allowed"
    CONTENT_REQUIRED = "content_required"
    CHANNEL_INVALID = "channel_invalid"
    COMPLAINT_DATE_IN_FUTURE = "complaint_date_in_future"
    ORDER_OTHER_CUSTOMER = "order_other_customer"
    PRODUCT_INACTIVE = "product_inactive"
    RETURN_LINES_REQUIRED = "return_lines_required"
    RETURN_LINES_ON_COMPLAINT = "return_lines_on_complaint"
    QUANTITY_NOT_POSITIVE = "quantity_not_positive"
    RETURNED_MORE_THAN_SHIPPED = "returned_more_than_shipped"
    WRONG_STATUS = "wrong_status"
    CAUSE_REQUIRED = "cause_required"
    WHY_CHAIN_INVALID = "why_chain_invalid"
    ROOT_CAUSE_REQUIRED = "root_cause_required"
    FAULT_UNDECIDED = "fault_undecided"
    RESULT_REQUIRED = "result_required"
    CAPA_MISSING = "capa_missing"
    CAPA_OPEN = "capa_open"
    RETURN_NOT_INSPECTED = "return_not_inspected"
    FEEDBACK_SUMMARY_REQUIRED = "feedback_summary_required"
    CLOSE_WITHOUT_FEEDBACK = "close_without_feedback"
    NOT_A_RETURN = "not_a_return"
    INSPECTION_QUANTITY_NEGATIVE = "inspection_quantity_negative"
    ARRIVED_MORE_THAN_RETURNED = "arrived_more_than_returned"
    INSPECTED_MORE_THAN_ARRIVED = "inspected_more_than_arrived"
    INSPECTION_INCOMPLETE = "inspection_incomplete"
    REPLACEMENT_MORE_THAN_RETURNED = "replacement_more_than_returned"
    NONCONFORMITY_REQUIRED = "nonconformity_required"
    ALREADY_DISPOSED = "already_disposed"
    DISPOSITION_INVALID = "disposition_invalid"
    CONCESSION_NOT_AUTHORISED = "concession_not_authorised"
    NOTHING_TO_REPLACE = "nothing_to_replace"
    ALREADY_REPLACED = "already_replaced"
    WORKSHOP_REQUIRED = "workshop_required"
    FEEDBACK_KIND_INVALID = "feedback_kind_invalid"
    RECEIVED_IN_FUTURE = "received_in_future"
    ANSWER_REQUIRED = "answer_required"
    ALREADY_ANSWERED = "already_answered"
    VOID_REASON_REQUIRED = "void_reason_required"
    INSPECTION_NOTHING_ARRIVED = "inspection_nothing_arrived"
    NOT_COMING_REASON_REQUIRED = "not_coming_reason_required"
    NOTHING_LEFT_TO_INSPECT = "nothing_left_to_inspect"
    REPLACEMENT_ARRANGED_BEFORE = "replacement_arranged_before"


Code = QualityErrorCode

MESSAGES = {
    Code.CONTENT_REQUIRED: _("Write down what the customer complains about."),
    Code.CHANNEL_INVALID: _(
        "Choose how the customer was reached: phone, fax, e-mail, visit, letter or meeting."
    ),
    Code.COMPLAINT_DATE_IN_FUTURE: _(
        "The complaint date %(date)s is in the future (today is %(today)s)."
    ),
    Code.ORDER_OTHER_CUSTOMER: _("Order %(order)s belongs to another customer, not %(customer)s."),
    Code.PRODUCT_INACTIVE: _("Product %(product)s is no longer active."),
    Code.RETURN_LINES_REQUIRED: _(
        "A return needs at least one product and the quantity sent back."
    ),
    Code.RETURN_LINES_ON_COMPLAINT: _(
        "Returned quantities belong on a return; register it as a return instead of a complaint."
    ),
    Code.QUANTITY_NOT_POSITIVE: _(
        "The returned quantity of %(product)s must be greater than zero."
    ),
    Code.RETURNED_MORE_THAN_SHIPPED: _(
        "%(customer)s cannot return %(requested)s %(unit)s of %(product)s: %(shipped)s %(unit)s were shipped "
        "to them and %(returned)s %(unit)s already returned, so at most %(available)s %(unit)s can come back."
    ),
    Code.WRONG_STATUS: _("%(number)s is %(status)s; it cannot be %(action)s now."),
    Code.CAUSE_REQUIRED: _("Choose the cause category (6M) of %(number)s."),
    Code.WHY_CHAIN_INVALID: _(
        "The 5-why chain is a list of one to five answers, none of them empty."
    ),
    Code.ROOT_CAUSE_REQUIRED: _("Write down the root cause found for %(number)s."),
    Code.FAULT_UNDECIDED: _("Decide whether the company is at fault for %(number)s (yes or no)."),
    Code.RESULT_REQUIRED: _("Write down the handling result of %(number)s."),
    Code.CAPA_MISSING: _(
        "The company is at fault for %(number)s: QC issues a CAPA request (F7) before the result is recorded."
    ),
    Code.CAPA_OPEN: _(
        "The result of %(number)s is recorded once its CAPA requests are closed; still open: %(capas)s."
    ),
    Code.RETURN_NOT_INSPECTED: _(
        "Return %(number)s still has goods not inspected (%(products)s): QC inspects them as they arrive, "
        "or records the rest as not coming (who and why), first."
    ),
    Code.FEEDBACK_SUMMARY_REQUIRED: _(
        "Write down what was fed back to the customer about %(number)s."
    ),
    Code.NOT_A_RETURN: _("%(number)s is a complaint, not a return; it has no returned goods."),
    Code.NOTHING_LEFT_TO_INSPECT: _(
        "Nothing of the returned %(product)s of %(number)s is left to inspect: %(arrived)s %(unit)s inspected, "
        "%(not_coming)s %(unit)s recorded as not coming, of %(returned)s %(unit)s returned."
    ),
    Code.INSPECTION_NOTHING_ARRIVED: _(
        "Enter how much of %(product)s arrived for this inspection: more than zero."
    ),
    Code.NOT_COMING_REASON_REQUIRED: _(
        "Say why the rest of the returned %(product)s (%(remaining)s %(unit)s) is not coming."
    ),
    Code.REPLACEMENT_ARRANGED_BEFORE: _(
        "The replacement for return %(number)s has already been arranged; this inspection cannot add "
        "%(replacement)s %(unit)s of %(product)s to replace. Record it with no replacement needed."
    ),
    Code.CLOSE_WITHOUT_FEEDBACK: _(
        "%(number)s has no separate close: it closes when its result is fed back to the customer. "
        "Record the feedback once the result is recorded."
    ),
    Code.INSPECTION_QUANTITY_NEGATIVE: _(
        "Inspection quantities of %(product)s cannot be negative."
    ),
    Code.ARRIVED_MORE_THAN_RETURNED: _(
        "%(arrived)s %(unit)s of %(product)s cannot have arrived: the customer returns %(returned)s %(unit)s, "
        "%(inspected)s %(unit)s are already inspected and %(not_coming)s %(unit)s are not coming, "
        "so at most %(remaining)s %(unit)s are still to inspect."
    ),
    Code.INSPECTED_MORE_THAN_ARRIVED: _(
        "Inspecting more than arrived: %(good)s good and %(nonconforming)s nonconforming make %(inspected)s "
        "%(unit)s of %(product)s, but only %(arrived)s %(unit)s arrived."
    ),
    Code.INSPECTION_INCOMPLETE: _(
        "QC inspects everything that arrived: %(good)s good and %(nonconforming)s nonconforming make "
        "%(inspected)s %(unit)s of %(product)s, but %(arrived)s %(unit)s arrived."
    ),
    Code.REPLACEMENT_MORE_THAN_RETURNED: _(
        "A replacement of %(replacement)s %(unit)s of %(product)s in all is more than the %(returned)s %(unit)s "
        "returned."
    ),
    Code.NONCONFORMITY_REQUIRED: _(
        "Describe what is wrong with the %(quantity)s %(unit)s of %(product)s."
    ),
    Code.ALREADY_DISPOSED: _(
        "The disposition of %(number)s has already been decided (%(disposition)s)."
    ),
    Code.DISPOSITION_INVALID: _(
        "Choose a disposition for %(number)s: rework, scrap, concession or return."
    ),
    Code.CONCESSION_NOT_AUTHORISED: _(
        "A concession on %(number)s needs the name of who authorised it."
    ),
    Code.NOTHING_TO_REPLACE: _("Return %(number)s has no inspected goods that need a replacement."),
    Code.ALREADY_REPLACED: _("The replacement for return %(number)s has already been arranged."),
    Code.WORKSHOP_REQUIRED: _(
        "Stock cannot cover the replacement for %(number)s (%(short)s): name the workshop and the due date "
        "of the 補貨 production notice."
    ),
    Code.FEEDBACK_KIND_INVALID: _("Choose what kind of feedback this is."),
    Code.RECEIVED_IN_FUTURE: _("The feedback cannot have been received in the future."),
    Code.ANSWER_REQUIRED: _("Write down the answer given to the customer."),
    Code.ALREADY_ANSWERED: _("This feedback from %(customer)s has already been answered."),
    Code.VOID_REASON_REQUIRED: _("Say why the complaint is voided; its number stays in the register."),
}

# The steps of complaints, returns and other feedback: the permission each needs, and its words in a refusal.
ACTIONS = actions(
    QualityErrorCode.NOT_ALLOWED,
    {
        # Sales staff may prepare a complaint; the role the procedure names (the Sales head) confirms it and
        # passes it to QC (R-5.5.1.1): the roles of the head's steps are procedure settings (core/procedure.py).
        "register": ("quality.add_complaint", _("register complaints and returns")),
        "acknowledge": (
            "quality.acknowledge_complaint", _("confirm complaints and pass them to QC"), "COMPLAINT_CONFIRM_ROLES"
        ),
        # The QC head investigates and decides the finding; QC records the result on F6 (R-5.5.1.2).
        "investigate": ("quality.investigate_complaint", _("investigate complaints"), "COMPLAINT_INVESTIGATE_ROLES"),
        "record_result": ("quality.investigate_complaint", _("record complaint results")),
        # The QC head feeds back, which closes the complaint; closing asks for the same role (R-5.5.1.3).
        "feedback": (
            "quality.feedback_complaint", _("feed complaint results back to customers"), "COMPLAINT_FEEDBACK_ROLES"
        ),
        "inspect": ("quality.change_returnline", _("inspect returned goods")),
        # What the customer will not send after all is recorded by whoever inspects the goods.
        "not_coming": ("quality.change_returnline", _("record returned goods as not coming")),
        "dispose": ("quality.dispose_nonconformancerecord", _("decide the disposition of nonconforming product")),
        # A replacement may need both a 補貨 production notice and a 補貨 outbound slip (R-5.5.2.3).
        "replace_by_notice": (PRODUCTION_ACTIONS["issue"].permission, _("arrange replacements for returns")),
        "replace_by_slip": (STOCK_ACTIONS["issue"].permission, _("arrange replacements for returns")),
        "feedback_record": ("quality.add_feedback", _("record customer feedback")),
        "feedback_answer": ("quality.change_feedback", _("answer customer feedback")),
        "void": ("quality.void_complaint", _("void complaints")),
    },
)

# The verb of a refused transition, for the WRONG_STATUS message.
STEPS = {
    "acknowledge": _("acknowledged"),
    "investigate": _("investigated"),
    "record_result": _("given a result"),
    "feed_back": _("fed back"),
    "close": _("closed"),
    "inspect": _("inspected"),
    "replace": _("replaced"),
    "void": _("voided"),
}
