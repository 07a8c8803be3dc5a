"""Error codes of CAPA requests (F7), their wording for people, and the CAPA steps' ACTIONS table."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from liaison.core.roles import actions


class CapaErrorCode(StrEnum):
    NOT_ALLOWED = "capa_not_allowed"
    NOT_YOUR_DEPARTMENT = "capa_not_your_department"
    SOURCE_NOT_SUPPORTED = "capa_source_not_supported"
    SOURCE_VOID = "capa_source_void"
    SOURCE_NOT_AT_FAULT = "capa_source_not_at_fault"
    SOURCE_NOT_INVESTIGATED = "capa_source_not_investigated"
    PREVENTIVE_AT_FAULT = "capa_preventive_at_fault"
    KIND_INVALID = "capa_kind_invalid"
    CUSTOMER_MISMATCH = "capa_customer_mismatch"
    DEPARTMENT_INACTIVE = "capa_department_inactive"
    PROBLEM_REQUIRED = "capa_problem_required"
    CRITERION_REQUIRED = "capa_criterion_required"
    DUE_DATE_IN_PAST = "capa_due_date_in_past"
    CHECK_DATE_NOT_AFTER_DUE = "capa_check_date_not_after_due"
    ACTIONS_REQUIRED = "capa_actions_required"
    NOT_ISSUED = "capa_not_issued"
    ALREADY_REVIEWED = "capa_already_reviewed"
    NOT_IMPLEMENTED = "capa_not_implemented"
    EXECUTION_NOT_VERIFIED = "capa_execution_not_verified"
    CLOSED = "capa_closed"
    EFFECTIVENESS_INVALID = "capa_effectiveness_invalid"
    NEW_DUE_DATE_REQUIRED = "capa_new_due_date_required"
    NEW_DUE_DATE_NOT_FUTURE = "capa_new_due_date_not_future"
    SEND_BACK_REASON_REQUIRED = "capa_send_back_reason_required"
    CHECKED_EARLY = "capa_checked_early"


MESSAGES = {
    CapaErrorCode.NOT_YOUR_DEPARTMENT: _(
        "CAPA request %(number)s is issued to %(department)s; only a member of that department "
        "can %(action)s."
    ),
    CapaErrorCode.SOURCE_NOT_SUPPORTED: _(
        "A CAPA request comes from a complaint, a return or a satisfaction survey form, "
        "or is raised by hand; %(source)s cannot be its source."
    ),
    CapaErrorCode.SOURCE_VOID: _("%(source)s is void; a CAPA request cannot be issued for it."),
    CapaErrorCode.SOURCE_NOT_AT_FAULT: _(
        "The investigation of %(source)s found the company not at fault; a corrective CAPA request is "
        "issued only when it is. To prevent the cause all the same, issue a preventive one."
    ),
    CapaErrorCode.SOURCE_NOT_INVESTIGATED: _(
        "The QC head has not decided yet whether the company is at fault for %(source)s; "
        "a CAPA request is issued once the investigation is recorded."
    ),
    CapaErrorCode.PREVENTIVE_AT_FAULT: _(
        "The company is at fault for %(source)s: its CAPA request is corrective, not preventive."
    ),
    CapaErrorCode.KIND_INVALID: _("Choose the kind of CAPA request: corrective or preventive."),
    CapaErrorCode.CUSTOMER_MISMATCH: _("%(source)s is from %(source_customer)s, not %(customer)s."),
    CapaErrorCode.DEPARTMENT_INACTIVE: _(
        "%(department)s is not an active department; issue the CAPA request to one that is."
    ),
    CapaErrorCode.PROBLEM_REQUIRED: _("Describe the problem the CAPA request is to correct."),
    CapaErrorCode.CRITERION_REQUIRED: _(
        "Say how QC will judge the action effective: the effectiveness criterion is required."
    ),
    CapaErrorCode.DUE_DATE_IN_PAST: _(
        "The due date %(due_date)s is already past (today is %(today)s)."
    ),
    CapaErrorCode.CHECK_DATE_NOT_AFTER_DUE: _(
        "The effectiveness check date %(check_date)s must be after the due date %(due_date)s."
    ),
    CapaErrorCode.ACTIONS_REQUIRED: _(
        "Record the corrective action, the preventive action and how they were implemented "
        "on CAPA request %(number)s."
    ),
    CapaErrorCode.NOT_ISSUED: _(
        "CAPA request %(number)s is %(status)s; the department reviews and implements it only "
        "while it is issued to them."
    ),
    CapaErrorCode.ALREADY_REVIEWED: _(
        "The department has already reviewed CAPA request %(number)s."
    ),
    CapaErrorCode.NOT_IMPLEMENTED: _(
        "CAPA request %(number)s is %(status)s; QC verifies its execution only after the "
        "department has implemented it."
    ),
    CapaErrorCode.EXECUTION_NOT_VERIFIED: _(
        "CAPA request %(number)s is %(status)s; QC verifies effectiveness only after verifying "
        "its execution."
    ),
    CapaErrorCode.CLOSED: _("CAPA request %(number)s is closed."),
    CapaErrorCode.EFFECTIVENESS_INVALID: _(
        "Judge the action effective, partly effective or not effective."
    ),
    CapaErrorCode.NEW_DUE_DATE_REQUIRED: _(
        "CAPA request %(number)s goes back to %(department)s; give the new date it is due."
    ),
    CapaErrorCode.NEW_DUE_DATE_NOT_FUTURE: _(
        "The new due date %(due_date)s must be after today (%(today)s)."
    ),
    CapaErrorCode.SEND_BACK_REASON_REQUIRED: _(
        "Say why the actions are not done; %(department)s reads it when CAPA request %(number)s comes back."
    ),
    CapaErrorCode.CHECKED_EARLY: _(
        "The effectiveness of %(number)s is to be checked on %(check_date)s (today is %(today)s): "
        "judging it now is early. Say why it can be judged already."
    ),
}

# What the CAPA page and the API say after an effectiveness judgment made before its check date.
CHECKED_EARLY_WARNING = _(
    "CAPA request %(number)s was judged before its effectiveness check date (%(check_date)s)."
)

# The steps of CAPA requests: the permission each needs, and its words in a refusal (NOT_ALLOWED, and
# NOT_YOUR_DEPARTMENT for the department's own steps).
ACTIONS = actions(
    CapaErrorCode.NOT_ALLOWED,
    {
        "issue": ("quality.issue_caparequest", _("issue CAPA requests")),
        "review": ("quality.implement_caparequest", _("review CAPA requests for a department")),
        "implement": ("quality.implement_caparequest", _("record corrective and preventive actions")),
        # The QC head verifies execution and effectiveness, or sends the request back (R-5.5.1.2).
        "verify": ("quality.verify_caparequest", _("verify CAPA requests"), "CAPA_VERIFY_ROLES"),
    },
)
