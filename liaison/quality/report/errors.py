"""Error codes of QC's complaint handling report, their wording, and who may read it (its ACTIONS table)."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from liaison.core.roles import actions
from liaison.quality.errors import QualityErrorCode


class ReportErrorCode(StrEnum):
    DATE_INVALID = "report_date_invalid"
    PERIOD_REVERSED = "report_period_reversed"


MESSAGES = {
    ReportErrorCode.DATE_INVALID: _("“%(value)s” is not a date. Write dates as YYYY-MM-DD, e.g. 2026-06-30."),
    ReportErrorCode.PERIOD_REVERSED: _("The period must not end (%(end)s) before it starts (%(start)s)."),
}

# Reading the report: a ``rules`` permission (``report/rules.py``), since no model is the report's.
ACTIONS = actions(
    QualityErrorCode.NOT_ALLOWED,
    {"view": ("quality.view_complaint_report", _("read the complaint handling report"))},
)
