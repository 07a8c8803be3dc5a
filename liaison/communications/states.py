"""Choices of the communications app and the received document's transition table."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.core.states import Transition, TransitionTable


class ReceivedChannel(models.TextChoices):
    """How a document from the customer reached us."""

    FAX = "fax", _("Fax")
    POST = "post", _("Letter / post")
    SCAN = "scan", _("Scanned order")
    EMAIL = "email", _("E-mail")


# A fax or a scan *is* its image: cataloguing one without the file would catalogue nothing.
CHANNELS_NEEDING_FILE = frozenset({ReceivedChannel.FAX, ReceivedChannel.SCAN})


class ReceivedDocumentStatus(models.TextChoices):
    CATALOGUED = "catalogued", _("Catalogued")
    VOID = "void", _("Void")


# The received document's life at a glance; the model's transition methods are wired to it.
RECEIVED_DOCUMENT_TRANSITIONS = TransitionTable(
    {
        # Catalogued by mistake: kept with its number and files, marked void (R-5.2.2.3).
        "void": Transition(source=(ReceivedDocumentStatus.CATALOGUED,), target=ReceivedDocumentStatus.VOID),
    }
)


class CommunicationChannel(models.TextChoices):
    """The channels of the communication record, F5 (R-5.4)."""

    PHONE = "phone", _("Phone")
    FAX = "fax", _("Fax")
    EMAIL = "email", _("E-mail")
    VISIT = "visit", _("Visit")
    MEETING = "meeting", _("Meeting")
    LETTER = "letter", _("Letter")


class Direction(models.TextChoices):
    FROM_CUSTOMER = "from_customer", _("From the customer")
    TO_CUSTOMER = "to_customer", _("To the customer")


class Topic(models.TextChoices):
    PRODUCT_INFORMATION = "product_information", _("Product information")
    INQUIRY = "inquiry", _("Inquiry")
    ORDER_HANDLING = "order_handling", _("Order handling")
    ORDER_CHANGE = "order_change", _("Order change")
    DELIVERY_REPLY = "delivery_reply", _("Delivery date reply")
    CLARIFICATION = "clarification", _("Clarification")
    COMPLAINT_FEEDBACK = "complaint_feedback", _("Complaint feedback")
    SURVEY = "survey", _("Satisfaction survey")
    OTHER = "other", _("Other")


class RecordSource(models.TextChoices):
    MANUAL = "manual", _("Typed in")
    AUTOMATIC = "automatic", _("Added by a procedure step")
