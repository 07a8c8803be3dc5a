"""Choices of the orders app and the transition tables of the order, review round and change."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.core.states import Transition, TransitionTable


class OrderChannel(models.TextChoices):
    """How the order reached us (R-5.2.1)."""

    FAX = "fax", _("Fax")
    WRITTEN = "written", _("In writing")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")


class OrderStatus(models.TextChoices):
    UNDER_REVIEW = "under_review", _("Under review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    COMPLETED = "completed", _("Completed")
    VOID = "void", _("Void")


# Orders still to deliver: an overdue mark makes sense only for these.
ORDER_OPEN = (OrderStatus.UNDER_REVIEW, OrderStatus.ACCEPTED)
# Orders goods may go out for (F8) or be made for (F4); a replacement (補貨) may follow one delivered in full.
ORDER_DELIVERABLE = (OrderStatus.ACCEPTED,)
ORDER_REPLACEABLE = (OrderStatus.ACCEPTED, OrderStatus.COMPLETED)
# Orders whose life is over: retention runs from when they got here.
ORDER_CLOSED = (OrderStatus.COMPLETED, OrderStatus.REJECTED, OrderStatus.VOID)

# The order's life at a glance; the model's transition methods are wired to it.
ORDER_TRANSITIONS = TransitionTable(
    {
        "accept": Transition(source=(OrderStatus.UNDER_REVIEW,), target=OrderStatus.ACCEPTED),
        "reject": Transition(source=(OrderStatus.UNDER_REVIEW,), target=OrderStatus.REJECTED),
        # A customer change puts an accepted order back under review.
        "reopen_review": Transition(source=(OrderStatus.ACCEPTED,), target=OrderStatus.UNDER_REVIEW),
        "complete": Transition(source=(OrderStatus.ACCEPTED,), target=OrderStatus.COMPLETED),
        # Registered in error: voided while nothing was shipped or made for it (the service checks that).
        "void": Transition(
            source=(OrderStatus.UNDER_REVIEW, OrderStatus.ACCEPTED, OrderStatus.REJECTED), target=OrderStatus.VOID
        ),
    }
)


class ReviewOutcome(models.TextChoices):
    """The outcome of a contract review round, F2 (R-5.2.3.1)."""

    ACCEPTED = "accepted", _("Accepted")
    ACCEPTED_WITH_CONDITIONS = "accepted_with_conditions", _("Accepted with conditions")
    REJECTED = "rejected", _("Rejected")


class ReviewRoundStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DECIDED = "decided", _("Decided")
    WITHDRAWN = "withdrawn", _("Withdrawn")


REVIEW_ROUND_TRANSITIONS = TransitionTable(
    {
        "decide": Transition(source=(ReviewRoundStatus.OPEN,), target=ReviewRoundStatus.DECIDED),
        # A later change replaced the round before it was decided.
        "withdraw": Transition(source=(ReviewRoundStatus.OPEN,), target=ReviewRoundStatus.WITHDRAWN),
    }
)


class ReviewRoundReason(models.TextChoices):
    NEW_ORDER = "new_order", _("New order")
    CUSTOMER_CHANGE = "customer_change", _("Customer change")


class ChangeKind(models.TextChoices):
    """Who caused the change (R-5.3.1 company, R-5.3.2 customer)."""

    COMPANY = "company", _("Company-caused (delay)")
    CUSTOMER = "customer", _("Customer-requested")


class ChangeReasonCategory(models.TextChoices):
    """Why the company must delay delivery (R-5.3.1)."""

    MATERIAL = "material", _("Material")
    PRODUCTION = "production", _("Production")
    TECHNOLOGY = "technology", _("Technology")
    QUALITY = "quality", _("Quality")
    EQUIPMENT = "equipment", _("Equipment")
    OTHER = "other", _("Other")
    CUSTOMER_REQUEST = "customer_request", _("Customer request")


class ChangeStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered, awaiting agreement")
    UNDER_REVIEW = "under_review", _("Under review")
    AGREED = "agreed", _("Agreed")
    APPLIED = "applied", _("Applied (new notice issued)")
    # Applied, but no notice was issued for it: what was made waits in stock, nothing was open to
    # replace, or the shortfall of a line no workshop made is left to the order page's notice.
    APPLIED_WITHOUT_NOTICE = "applied_no_notice", _("Applied (without a new notice)")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Changes awaiting agreement: the customer's (a company delay) or the review round's (the customer's change).
CHANGE_OPEN = (ChangeStatus.REGISTERED, ChangeStatus.UNDER_REVIEW)
# Changes not yet applied, rejected or withdrawn: they may still be withdrawn, and while one is, the
# order takes no second change.
CHANGE_WITHDRAWABLE = (*CHANGE_OPEN, ChangeStatus.AGREED)
# Changes that are through: applied, rejected or withdrawn.
CHANGE_CLOSED = (
    ChangeStatus.APPLIED,
    ChangeStatus.APPLIED_WITHOUT_NOTICE,
    ChangeStatus.REJECTED,
    ChangeStatus.WITHDRAWN,
)

CHANGE_TRANSITIONS = TransitionTable(
    {
        "open_review": Transition(source=(ChangeStatus.REGISTERED,), target=ChangeStatus.UNDER_REVIEW),
        "agree": Transition(source=CHANGE_OPEN, target=ChangeStatus.AGREED),
        "apply": Transition(source=(ChangeStatus.AGREED,), target=ChangeStatus.APPLIED),
        # Applied with nothing left to make: no notice was issued for it.
        "apply_without_notice": Transition(source=(ChangeStatus.AGREED,), target=ChangeStatus.APPLIED_WITHOUT_NOTICE),
        "reject": Transition(source=CHANGE_OPEN, target=ChangeStatus.REJECTED),
        # Withdrawn while still open: the customer refused the delay, or nobody needs it any more.
        "withdraw": Transition(source=CHANGE_WITHDRAWABLE, target=ChangeStatus.WITHDRAWN),
    }
)
