"""Error codes of the communications app, their wording for people, and its ACTIONS table."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from liaison.core.roles import actions


class CommunicationErrorCode(StrEnum):
    FILE_REQUIRED = "file_required"
    RECEIVED_IN_FUTURE = "received_in_future"
    OCCURRED_IN_FUTURE = "occurred_in_future"
    VOID_REASON_REQUIRED = "void_reason_required"
    ALREADY_VOID = "already_void"
    ABOUT_NOT_SAVED = "about_not_saved"
    ABOUT_OTHER_CUSTOMER = "about_other_customer"
    NOT_ALLOWED = "not_allowed"


MESSAGES = {
    CommunicationErrorCode.FILE_REQUIRED: _(
        "A %(channel)s is catalogued with its file: attach the scan or PDF."
    ),
    CommunicationErrorCode.RECEIVED_IN_FUTURE: _(
        "The document cannot have been received later than now (%(now)s)."
    ),
    CommunicationErrorCode.OCCURRED_IN_FUTURE: _(
        "A communication is recorded once it has taken place; %(when)s is later than now."
    ),
    CommunicationErrorCode.VOID_REASON_REQUIRED: _("Say why the document is voided."),
    CommunicationErrorCode.ALREADY_VOID: _("Document %(number)s is already void."),
    CommunicationErrorCode.ABOUT_NOT_SAVED: _(
        "The record this communication concerns has not been saved yet."
    ),
    CommunicationErrorCode.ABOUT_OTHER_CUSTOMER: _(
        "The record this communication concerns belongs to another customer."
    ),
}

# The steps of the catalogue and of F5: the permission each needs, and its words in a refusal.
ACTIONS = actions(
    CommunicationErrorCode.NOT_ALLOWED,
    {
        "catalogue": ("communications.add_receiveddocument", _("catalogue received documents")),
        "void": ("communications.void_receiveddocument", _("void received documents")),
        "record": ("communications.add_communicationrecord", _("record communications")),
    },
)
