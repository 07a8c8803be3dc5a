"""Choices of the quality app and the transition tables of complaints and CAPA requests."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.core.states import Transition, TransitionTable


class ComplaintKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    RETURN = "return", _("Return")


class ComplaintChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    FAX = "fax", _("Fax")
    EMAIL = "email", _("E-mail")
    VISIT = "visit", _("Visit")
    LETTER = "letter", _("Letter")
    MEETING = "meeting", _("Meeting")


class ComplaintStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged, with QC")
    INVESTIGATED = "investigated", _("Investigated")
    RESULT_RECORDED = "result_recorded", _("Result recorded")
    CLOSED = "closed", _("Closed")
    VOID = "void", _("Void")


# Complaints still being handled (neither closed nor void): their resolve-by date still runs.
COMPLAINT_OPEN = (
    ComplaintStatus.REGISTERED,
    ComplaintStatus.ACKNOWLEDGED,
    ComplaintStatus.INVESTIGATED,
    ComplaintStatus.RESULT_RECORDED,
)
# Complaints whose returned goods QC may inspect: passed to QC and not yet through with.
COMPLAINT_INSPECTABLE = (ComplaintStatus.ACKNOWLEDGED, ComplaintStatus.INVESTIGATED)
# Complaints the Sales head may still void as registered in error: QC has not investigated them yet.
COMPLAINT_VOIDABLE = (ComplaintStatus.REGISTERED, ComplaintStatus.ACKNOWLEDGED)
# Complaints the QC head found not at fault that may still get a preventive CAPA request (R-5.5.1.2).
COMPLAINT_PREVENTIVE_CAPA = (ComplaintStatus.INVESTIGATED, ComplaintStatus.RESULT_RECORDED, ComplaintStatus.CLOSED)

# The complaint's (and return's) life at a glance; the model's transition methods are wired to it.
COMPLAINT_TRANSITIONS = TransitionTable(
    {
        "acknowledge": Transition(source=(ComplaintStatus.REGISTERED,), target=ComplaintStatus.ACKNOWLEDGED),
        "investigate": Transition(source=(ComplaintStatus.ACKNOWLEDGED,), target=ComplaintStatus.INVESTIGATED),
        "record_result": Transition(source=(ComplaintStatus.INVESTIGATED,), target=ComplaintStatus.RESULT_RECORDED),
        # Closed only after the result has been fed back to the customer (R-5.5.1.3).
        "close": Transition(source=(ComplaintStatus.RESULT_RECORDED,), target=ComplaintStatus.CLOSED),
        "void": Transition(source=COMPLAINT_VOIDABLE, target=ComplaintStatus.VOID),
    }
)


class CauseCategory(models.TextChoices):
    """The 6M of a cause investigation."""

    MAN = "man", _("Man")
    MACHINE = "machine", _("Machine")
    METHOD = "method", _("Method")
    MATERIAL = "material", _("Material")
    MEASUREMENT = "measurement", _("Measurement")
    ENVIRONMENT = "environment", _("Environment")


class CapaSource(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    RETURN = "return", _("Return")
    SURVEY = "survey", _("Satisfaction survey")
    MANUAL = "manual", _("Raised by hand")


# CAPA requests raised from complaints and returns (QC's report); survey ones belong to the satisfaction report.
CAPA_FROM_COMPLAINTS = (CapaSource.COMPLAINT, CapaSource.RETURN)


class CapaKind(models.TextChoices):
    """Why the request is issued: a fault found (the procedure's CAPA), or prevention without one (R-5.5.1.2)."""

    CORRECTIVE = "corrective", _("Corrective (company at fault)")
    PREVENTIVE = "preventive", _("Preventive (no fault found)")


class CapaStatus(models.TextChoices):
    ISSUED = "issued", _("Issued to the department")
    IMPLEMENTED = "implemented", _("Implemented")
    EXECUTION_VERIFIED = "execution_verified", _("Execution verified")
    CLOSED = "closed", _("Closed (effective)")


# CAPA requests not closed yet: overdue once their due date has passed.
CAPA_OPEN = (CapaStatus.ISSUED, CapaStatus.IMPLEMENTED, CapaStatus.EXECUTION_VERIFIED)

# The CAPA request's life at a glance; the model's transition methods are wired to it.
CAPA_TRANSITIONS = TransitionTable(
    {
        "implement": Transition(source=(CapaStatus.ISSUED,), target=CapaStatus.IMPLEMENTED),
        "verify_execution": Transition(source=(CapaStatus.IMPLEMENTED,), target=CapaStatus.EXECUTION_VERIFIED),
        # QC finds the actions recorded as implemented not done: back to the department, with the reason.
        "send_back_not_done": Transition(source=(CapaStatus.IMPLEMENTED,), target=CapaStatus.ISSUED),
        # Effective → closed; partly or not effective → back to the department with a new due date.
        "close_effective": Transition(source=(CapaStatus.EXECUTION_VERIFIED,), target=CapaStatus.CLOSED),
        "return_to_department": Transition(source=(CapaStatus.EXECUTION_VERIFIED,), target=CapaStatus.ISSUED),
    }
)


class Effectiveness(models.TextChoices):
    EFFECTIVE = "effective", _("Effective")
    PARTLY = "partly", _("Partly effective")
    NOT_EFFECTIVE = "not_effective", _("Not effective")


class CapaStepMeaning(models.TextChoices):
    """What a signature on the CAPA request means."""

    ISSUED = "issued", _("Issued")
    REVIEWED = "reviewed", _("Reviewed by the department")
    IMPLEMENTED = "implemented", _("Implemented")
    EXECUTION_VERIFIED = "execution_verified", _("Execution verified")
    EFFECTIVENESS_VERIFIED = "effectiveness_verified", _("Effectiveness verified")
    RETURNED = "returned", _("Returned to the department")
    NOT_DONE = "not_done", _("Sent back: not done")


# The signatures that open a round of the department's work (issued, sent back) or acknowledge it
# (reviewed): the last of them tells whether the department has reviewed the current round.
CAPA_ROUND_STEPS = (
    CapaStepMeaning.ISSUED, CapaStepMeaning.RETURNED, CapaStepMeaning.NOT_DONE, CapaStepMeaning.REVIEWED
)


class Disposition(models.TextChoices):
    """What happens to nonconforming product (不合格品控制程序)."""

    REWORK = "rework", _("Rework")
    SCRAP = "scrap", _("Scrap")
    CONCESSION = "concession", _("Concession (use as is)")
    RETURN_TO_SUPPLIER = "return_to_supplier", _("Return to supplier")


class FeedbackKind(models.TextChoices):
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")
    REQUEST = "request", _("Request")
    OTHER = "other", _("Other")
