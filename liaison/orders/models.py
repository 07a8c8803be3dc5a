"""F1 order log, F2 contract review rounds and sign-offs, clarifications, F3 change register."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin

from liaison.communications.states import CommunicationChannel
from liaison.core import clock
from liaison.core.models import AuditedModel, Department
from liaison.customers.models import Customer
from liaison.orders.states import (
    CHANGE_TRANSITIONS,
    ORDER_DELIVERABLE,
    ORDER_REPLACEABLE,
    ORDER_TRANSITIONS,
    REVIEW_ROUND_TRANSITIONS,
    ChangeKind,
    ChangeReasonCategory,
    ChangeStatus,
    OrderChannel,
    OrderStatus,
    ReviewOutcome,
    ReviewRoundReason,
    ReviewRoundStatus,
)
from liaison.stock.models import QUANTITY, Product

_USER = {"on_delete": models.PROTECT, "null": True, "blank": True, "related_name": "+"}


class Order(FSMModelMixin, AuditedModel):
    """One entry of the order log, F1 (R-5.2.2.1): the customer's requirements, complete (R-5.1.1)."""

    number = models.CharField(_("order number"), max_length=20, unique=True, editable=False)
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders")
    channel = models.CharField(_("received by"), max_length=10, choices=OrderChannel.choices)
    customer_po = models.CharField(_("customer PO number"), max_length=60, blank=True)
    received_document = models.ForeignKey(
        "communications.ReceivedDocument",
        verbose_name=_("received document"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    received_at = models.DateTimeField(_("received at"), default=clock.now)
    delivery_terms = models.TextField(_("delivery terms"), blank=True)
    packaging = models.TextField(_("packaging"), blank=True)
    post_delivery = models.TextField(
        _("post-delivery requirements"), blank=True, help_text=_("Service, warranty, documents to supply.")
    )
    notes = models.TextField(_("notes"), blank=True)
    status = FSMField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.UNDER_REVIEW, protected=True
    )
    # The delivery date promised to the customer in the delivery reply (R-5.2.3.3).
    promised_date = models.DateField(_("promised delivery date"), null=True, blank=True, editable=False)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("voided by"), editable=False, **_USER)
    void_reason = models.CharField(_("reason for voiding"), max_length=300, blank=True, editable=False)

    class Meta:
        verbose_name = _("order (F1)")
        verbose_name_plural = _("order log (F1)")
        ordering = ["-received_at", "-pk"]
        permissions = [
            ("export_order", _("Can export the order log to Excel")),
            ("void_order", _("Can void an order")),
        ]
        indexes = [
            models.Index(fields=["customer", "-received_at"]),
            models.Index(fields=["status"]),
            # The log's order: the first page is read from the index instead of sorting every order.
            models.Index(fields=["-received_at", "-id"], name="orders_order_log_idx"),
            # The inbox's "delivery date to reply" (R-5.2.3.3): the few accepted orders without a promised
            # date, instead of every accepted order (hundreds of thousands at scale).
            models.Index(
                fields=["received_at"],
                condition=models.Q(status="accepted", promised_date__isnull=True),
                name="orders_order_to_reply_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("orders:detail", args=[self.pk])

    def takes_deliveries(self, *, replacement: bool = False) -> bool:
        """Goods may go out (F8) or be made (F4) for it: accepted; for a replacement (補貨) also completed."""
        return self.status in (ORDER_REPLACEABLE if replacement else ORDER_DELIVERABLE)

    @ORDER_TRANSITIONS.transition("accept")
    def accept(self) -> None:
        """The review round accepted the order (with or without conditions)."""

    @ORDER_TRANSITIONS.transition("reject")
    def reject(self) -> None:
        """The review round rejected the order."""

    @ORDER_TRANSITIONS.transition("reopen_review")
    def reopen_review(self) -> None:
        """A customer change sends the accepted order back to review."""

    @ORDER_TRANSITIONS.transition("complete")
    def complete(self) -> None:
        """Everything ordered has been delivered."""

    @ORDER_TRANSITIONS.transition("void")
    def void(self, *, by, reason: str) -> None:
        """Registered in error: kept with its number, marked void with who, when and why."""
        self.voided_at = clock.now()
        self.voided_by = by
        self.void_reason = reason


class OrderLine(AuditedModel):
    """One product the customer ordered: quantity, specification, required delivery date."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="lines")
    line_no = models.PositiveSmallIntegerField(_("line"))
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    specification = models.CharField(_("specification"), max_length=300, blank=True)
    required_date = models.DateField(_("required delivery date"))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="orders_line_unique_no"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order.number}/{self.line_no} {self.product.code} × {self.quantity}"


class Clarification(AuditedModel):
    """An unclear point raised with the customer (R-5.2.2.2); open until answered."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="clarifications")
    question = models.TextField(_("question"))
    asked_at = models.DateTimeField(_("asked at"), default=clock.now)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("asked by"), **_USER)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answer recorded by"), **_USER)

    class Meta:
        verbose_name = _("clarification")
        verbose_name_plural = _("clarifications")
        ordering = ["order", "asked_at", "pk"]
        constraints = [
            # Answered exactly when an answer and its time are both recorded.
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, answer="") | (Q(answered_at__isnull=False) & ~Q(answer="")),
                name="orders_clarification_answer_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.question[:60]

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class ReviewRound(FSMModelMixin, AuditedModel):
    """One round of the contract review form, F2 (R-5.2.3.1): round 1 for the order, one more per change."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="review_rounds")
    number = models.PositiveSmallIntegerField(_("round"))
    reason = models.CharField(_("reason"), max_length=20, choices=ReviewRoundReason.choices)
    change = models.ForeignKey(
        "orders.ChangeEntry",
        verbose_name=_("change register entry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_rounds",
    )
    opened_at = models.DateTimeField(_("opened at"), default=clock.now)
    status = FSMField(
        _("status"), max_length=20, choices=ReviewRoundStatus.choices, default=ReviewRoundStatus.OPEN, protected=True
    )
    # the product meets applicable laws and regulations — checked explicitly.
    legal_check_passed = models.BooleanField(_("meets laws and regulations"), null=True, blank=True)
    legal_check_note = models.CharField(_("laws and regulations checked"), max_length=300, blank=True)
    outcome = models.CharField(_("outcome"), max_length=30, choices=ReviewOutcome.choices, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), editable=False, **_USER)

    class Meta:
        verbose_name = _("contract review round (F2)")
        verbose_name_plural = _("contract review rounds (F2)")
        ordering = ["order", "number"]
        permissions = [("decide_reviewround", _("Can decide a contract review"))]
        indexes = [
            # Every page's inbox badge counts the department's unsigned sign-offs of open rounds: the open
            # rounds' ids answered from this index alone (3 ms at 50 000 open rounds instead of 150 ms).
            models.Index(fields=["id"], condition=Q(status=ReviewRoundStatus.OPEN), name="orders_round_open_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="orders_review_round_unique_number"),
            # At most one open round per order.
            models.UniqueConstraint(
                fields=["order"], condition=Q(status=ReviewRoundStatus.OPEN), name="orders_review_one_open_round"
            ),
            # A decided round has its outcome; only a rejection may stand on a failed legal check.
            models.CheckConstraint(
                condition=~Q(status=ReviewRoundStatus.DECIDED)
                | (
                    Q(decided_at__isnull=False)
                    & ~Q(outcome="")
                    & (Q(legal_check_passed=True) | Q(outcome=ReviewOutcome.REJECTED))
                ),
                name="orders_review_decided_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order.number} F2/{self.number}"

    @REVIEW_ROUND_TRANSITIONS.transition("decide")
    def decide(self, *, outcome: str, conditions: str, by) -> None:
        self.outcome = outcome
        self.conditions = conditions
        self.decided_at = clock.now()
        self.decided_by = by

    @REVIEW_ROUND_TRANSITIONS.transition("withdraw")
    def withdraw(self) -> None:
        """A later change replaced this round before it was decided."""


class ReviewSignOff(AuditedModel):
    """One department's opinion on the review form: capability, capacity, delivery date, quality."""

    review_round = models.ForeignKey(
        ReviewRound, verbose_name=_("review round"), on_delete=models.PROTECT, related_name="sign_offs"
    )
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")
    capability_ok = models.BooleanField(_("capability"), null=True, blank=True)
    capacity_ok = models.BooleanField(_("capacity"), null=True, blank=True)
    delivery_date_ok = models.BooleanField(_("delivery date"), null=True, blank=True)
    quality_ok = models.BooleanField(_("quality requirements"), null=True, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)
    # A "cannot meet" answered when the round is accepted with conditions: how it will be met (R-5.2.3.1).
    objection_answer = models.TextField(_("how it will be met"), blank=True, editable=False)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True, editable=False)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed by"), editable=False, **_USER)

    class Meta:
        verbose_name = _("review sign-off")
        verbose_name_plural = _("review sign-offs")
        ordering = ["review_round", "department__kind", "department__code"]
        constraints = [
            models.UniqueConstraint(fields=["review_round", "department"], name="orders_signoff_one_per_department"),
        ]

    def __str__(self) -> str:
        return f"{self.review_round} {self.department}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def all_ok(self) -> bool:
        return bool(self.capability_ok and self.capacity_ok and self.delivery_date_ok and self.quality_ok)


class ChangeEntry(FSMModelMixin, AuditedModel):
    """One entry of the contract change register, F3 (R-5.3.1 company delay, R-5.3.2 customer change)."""

    number = models.CharField(_("change number"), max_length=20, unique=True, editable=False)
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("kind"), max_length=10, choices=ChangeKind.choices)
    reason_category = models.CharField(_("reason category"), max_length=20, choices=ChangeReasonCategory.choices)
    reason = models.TextField(_("reason"))
    change_details = models.TextField(_("what changes"), blank=True)
    new_due_date = models.DateField(_("new delivery date"), null=True, blank=True)
    # How the customer asked for their change; their request and the decision go on F5.
    requested_via = models.CharField(
        _("requested via"), max_length=10, choices=CommunicationChannel.choices, blank=True, editable=False
    )
    status = FSMField(
        _("status"), max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.REGISTERED, protected=True
    )
    # Who agreed at the customer, when and how.
    customer_agreed_by = models.CharField(_("agreed by (customer)"), max_length=100, blank=True)
    customer_agreed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)
    customer_agreed_via = models.CharField(_("agreed via"), max_length=10, blank=True)
    agreement_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agreement recorded by"), editable=False, **_USER
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("withdrawn by"), editable=False, **_USER)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True, editable=False)

    class Meta:
        verbose_name = _("change register entry (F3)")
        verbose_name_plural = _("change register (F3)")
        ordering = ["order", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=ChangeKind.CUSTOMER, reason_category=ChangeReasonCategory.CUSTOMER_REQUEST)
                | (Q(kind=ChangeKind.COMPANY) & ~Q(reason_category=ChangeReasonCategory.CUSTOMER_REQUEST)),
                name="orders_change_category_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @CHANGE_TRANSITIONS.transition("open_review")
    def open_review(self) -> None:
        """A customer change goes through a new review round (R-5.3.2)."""

    @CHANGE_TRANSITIONS.transition("agree")
    def agree(self, *, agreed_by: str, agreed_at, via: str, recorded_by) -> None:
        self.customer_agreed_by = agreed_by
        self.customer_agreed_at = agreed_at
        self.customer_agreed_via = via
        self.agreement_recorded_by = recorded_by

    @CHANGE_TRANSITIONS.transition("apply")
    def apply(self) -> None:
        """The successor notice has been issued."""

    @CHANGE_TRANSITIONS.transition("apply_without_notice")
    def apply_without_notice(self) -> None:
        """Applied; nothing was left to make, so no notice was issued."""

    @CHANGE_TRANSITIONS.transition("reject")
    def reject(self) -> None:
        """The customer or the review did not agree; nothing changes."""

    @CHANGE_TRANSITIONS.transition("withdraw")
    def withdraw(self, *, by, reason: str) -> None:
        """The customer refused it, it was registered by mistake, or it is no longer needed."""
        self.withdrawn_at = clock.now()
        self.withdrawn_by = by
        self.withdrawal_reason = reason
