"""Error codes of the records app (retention, legal holds, disposal), their wording, and its ACTIONS table."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from liaison.core.roles import actions


class RecordsErrorCode(StrEnum):
    RECORD_OPEN = "record_open"
    RECORD_RETAINED = "record_retained"
    RECORD_PAST_RETENTION = "record_past_retention"
    PART_OF_RECORD = "part_of_record"
    LOG_NOT_DELETABLE = "disposal_log_not_deletable"
    NOT_ADMINISTRATOR = "not_administrator"
    REASON_REQUIRED = "reason_required"
    PERIOD_INVALID = "period_invalid"
    BELOW_MINIMUM = "below_procedure_minimum"
    OVERRIDE_NOT_ADMINISTRATOR = "override_not_administrator"
    RECORD_TYPE_UNKNOWN = "record_type_unknown"
    RECORD_NOT_FOUND = "record_not_found"
    ALREADY_ON_HOLD = "already_on_hold"
    HOLD_RELEASED = "hold_released"
    NOT_ALLOWED_TO_HOLD = "not_allowed_to_hold"
    NOT_ALLOWED = "not_allowed"


MESSAGES = {
    RecordsErrorCode.RECORD_OPEN: _(
        "%(record)s cannot be deleted: it is still open, and it is kept for %(period)s after it is closed "
        "or voided (R-5.7). Void it instead of deleting it."
    ),
    RecordsErrorCode.RECORD_RETAINED: _(
        "%(record)s cannot be deleted: it is kept until %(until)s (retention %(period)s, R-5.7). "
        "Void it instead of deleting it."
    ),
    RecordsErrorCode.RECORD_PAST_RETENTION: _(
        "%(record)s is past its retention, but only the disposal job removes it, after archiving it "
        "and logging the disposal (R-5.7)."
    ),
    RecordsErrorCode.PART_OF_RECORD: _(
        "%(record)s is part of a retained record; it is removed only with that record, by the disposal "
        "job (R-5.7)."
    ),
    RecordsErrorCode.LOG_NOT_DELETABLE: _("The disposal log is kept for ever; its entries cannot be deleted."),
    RecordsErrorCode.REASON_REQUIRED: _("Give the reason for this change; it is kept in the history."),
    RecordsErrorCode.PERIOD_INVALID: _("A retention period needs at least one month, and under 12 extra months."),
    RecordsErrorCode.BELOW_MINIMUM: _(
        "%(type)s is kept for at least %(minimum)s by the procedure (R-5.7); %(period)s is shorter. "
        "Only an administrator may set a shorter period, by ticking the override and giving the reason."
    ),
    RecordsErrorCode.OVERRIDE_NOT_ADMINISTRATOR: _(
        "Only an administrator may keep a record type for less than the procedure's %(minimum)s (R-5.7)."
    ),
    RecordsErrorCode.RECORD_TYPE_UNKNOWN: _("“%(code)s” is not a record type kept under a retention policy."),
    RecordsErrorCode.RECORD_NOT_FOUND: _("There is no %(type)s with id %(id)s."),
    RecordsErrorCode.ALREADY_ON_HOLD: _("%(record)s is already on legal hold."),
    RecordsErrorCode.HOLD_RELEASED: _("This legal hold was released already."),
}

# The steps of retention: the permission each needs, and its words in a refusal. A policy change
# and a hold keep the codes their services refused with (``not_administrator``,
# ``not_allowed_to_hold``); reading the overview (a report, no model of its own) is ``not_allowed``.
ACTIONS = {
    **actions(
        RecordsErrorCode.NOT_ADMINISTRATOR,
        {"policy_change": ("records.change_retentionpolicy", _("change retention policies"))},
    ),
    **actions(
        RecordsErrorCode.NOT_ALLOWED_TO_HOLD,
        {
            "hold_place": ("records.add_legalhold", _("place legal holds")),
            "hold_release": ("records.change_legalhold", _("release legal holds")),
        },
    ),
    **actions(
        RecordsErrorCode.NOT_ALLOWED,
        {"overview": ("records.view_retentionpolicy", _("read the retention overview"))},
    ),
}
