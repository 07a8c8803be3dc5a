"""Choices of the satisfaction app, its status groups and the transition table of survey rounds."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.core.states import Transition, TransitionTable

# The scale every criterion is scored on: 1 very dissatisfied … 5 very satisfied.
SCORE_MIN = 1
SCORE_MAX = 5


class RoundStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    SENT = "sent", _("Sent")
    CLOSED = "closed", _("Closed")
    # Its management review was cancelled before the round was sent.
    CANCELLED = "cancelled", _("Cancelled")


# Rounds that still send forms: planned, or sent to some customers already.
ROUND_SENDABLE = (RoundStatus.PLANNED, RoundStatus.SENT)

# The survey round's life at a glance; the model's transition methods are wired to it.
ROUND_TRANSITIONS = TransitionTable(
    {
        "send": Transition(source=(RoundStatus.PLANNED,), target=RoundStatus.SENT),
        # Closed once every form is returned, void or past its validity.
        "close": Transition(source=(RoundStatus.SENT,), target=RoundStatus.CLOSED),
        # A planned round goes with its management review when the meeting is cancelled.
        "cancel": Transition(source=(RoundStatus.PLANNED,), target=RoundStatus.CANCELLED),
    }
)


class SurveySource(models.TextChoices):
    """Where satisfaction data come from (R-5.6.2, R-5.6.5)."""

    SURVEY = "survey", _("Survey")
    INTERVIEW = "interview", _("Interview")
    FEEDBACK = "feedback", _("Customer feedback")


class SurveyChannel(models.TextChoices):
    """How a survey form reaches the customer (R-5.6.3)."""

    EMAIL = "email", _("E-mail")
    FAX = "fax", _("Fax")
    POST = "post", _("Post")
    IN_PERSON = "in_person", _("In person")


class ChaseChannel(models.TextChoices):
    """How an unreturned form was chased."""

    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    FAX = "fax", _("Fax")
    POST = "post", _("Post")


class FormState(models.TextChoices):
    """Where a survey form stands, computed from its dates and today (never stored).

    Right even when the scheduled job has not run: the chase and validity dates are
    fixed when the form is sent and compared with ``clock.today()``.
    """

    SENT = "sent", _("Sent, awaiting return")
    CHASE_DUE = "chase_due", _("Chase due")
    CHASED = "chased", _("Chased, awaiting return")
    RETURNED = "returned", _("Returned")
    VOID_LATE = "void_late", _("Void (returned too late)")
    EXPIRED = "expired", _("Void (not returned in time)")
    VOID = "void", _("Void")


# Forms whose scores count in the statistics (R-5.6.3: late and void forms are left out).
FORM_COUNTED = frozenset({FormState.RETURNED})
# Forms still waiting for the customer.
FORM_OPEN = frozenset({FormState.SENT, FormState.CHASE_DUE, FormState.CHASED})
# Forms neither returned nor void: a paper return can still be entered (a late one is entered void).
FORM_UNRETURNED = FORM_OPEN | {FormState.EXPIRED}
# States in which a form is void: voided by hand, or returned too late.
FORM_VOID = frozenset({FormState.VOID, FormState.VOID_LATE})
