"""F6 complaints and returns, inspections and nonconformance, F7 CAPA requests, other feedback."""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin

from liaison.core import clock
from liaison.core.models import AuditedModel, Department
from liaison.customers.models import Customer
from liaison.quality.states import (
    CAPA_TRANSITIONS,
    COMPLAINT_TRANSITIONS,
    CapaKind,
    CapaSource,
    CapaStatus,
    CapaStepMeaning,
    CauseCategory,
    ComplaintChannel,
    ComplaintKind,
    ComplaintStatus,
    Disposition,
    Effectiveness,
    FeedbackKind,
)
from liaison.stock.models import QUANTITY, Product

_USER = {"on_delete": models.PROTECT, "null": True, "blank": True, "related_name": "+"}


class Complaint(FSMModelMixin, AuditedModel):
    """A complaint or a return, F6 (客戶投訴登記及處理報告): from the customer's words to the answer.

    Registered by Sales however it arrived (R-5.5.1.1), investigated by QC (R-5.5.1.2),
    answered and closed only after feedback (R-5.5.1.3). A return (R-5.5.2.1) is the
    same record with returned quantities per product.
    """

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=ComplaintKind.choices, default=ComplaintKind.COMPLAINT)
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="complaints")
    channel = models.CharField(_("received by"), max_length=10, choices=ComplaintChannel.choices)
    complaint_date = models.DateField(_("complaint date"))
    content = models.TextField(_("content of the complaint"))
    order = models.ForeignKey(
        "orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, null=True, blank=True, related_name="complaints"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lot = models.CharField(_("lot / batch"), max_length=60, blank=True)
    requested_remedy = models.TextField(_("remedy the customer asks for"), blank=True)
    status = FSMField(
        _("status"), max_length=20, choices=ComplaintStatus.choices, default=ComplaintStatus.REGISTERED, protected=True
    )
    registered_at = models.DateTimeField(_("registered at"), default=clock.now, editable=False)
    # Timers: set at registration from the procedure settings, shown overdue first.
    acknowledge_due = models.DateTimeField(_("acknowledge by"), editable=False)
    resolve_due = models.DateField(_("resolve by"), editable=False)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True, editable=False)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("acknowledged by"), editable=False, **_USER)
    # Investigation by QC (R-5.5.1.2).
    cause_category = models.CharField(_("cause (6M)"), max_length=15, choices=CauseCategory.choices, blank=True)
    why_chain = models.JSONField(_("5-why chain"), default=list, blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    containment = models.TextField(_("containment taken"), blank=True)
    company_at_fault = models.BooleanField(_("company at fault"), null=True, blank=True)
    investigated_at = models.DateTimeField(_("investigated at"), null=True, blank=True, editable=False)
    investigated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("investigated by"), editable=False, **_USER)
    # Result and feedback (R-5.5.1.3).
    result = models.TextField(_("handling result"), blank=True)
    result_recorded_at = models.DateTimeField(_("result recorded at"), null=True, blank=True, editable=False)
    result_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("result recorded by"), editable=False, **_USER)
    feedback_at = models.DateTimeField(_("fed back at"), null=True, blank=True, editable=False)
    feedback_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("fed back by"), editable=False, **_USER)
    feedback_summary = models.TextField(_("feedback to the customer"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("voided by"), editable=False, **_USER)
    void_reason = models.CharField(_("reason for voiding"), max_length=300, blank=True, editable=False)

    class Meta:
        verbose_name = _("complaint (F6)")
        verbose_name_plural = _("complaints and returns (F6)")
        ordering = ["-registered_at", "-pk"]
        permissions = [
            ("acknowledge_complaint", _("Can acknowledge a complaint")),
            ("investigate_complaint", _("Can investigate a complaint (QC)")),
            ("feedback_complaint", _("Can feed the result back to the customer")),
            ("void_complaint", _("Can void a complaint")),
            ("export_complaint", _("Can export complaints to Excel")),
        ]
        indexes = [
            models.Index(fields=["status", "resolve_due"]),
            models.Index(fields=["customer", "-registered_at"]),
            # The complaint list: "all" newest first is read from this index, not sorted.
            models.Index(fields=["-registered_at", "-id"], name="quality_complaint_newest_idx"),
            # The list's default view (the open ones) is read through ("status", "resolve_due") above.
            # The dashboard's Pareto of causes over twelve months, answered from the index alone.
            models.Index(fields=["complaint_date", "cause_category", "status"], name="quality_complaint_cause_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ComplaintStatus.CLOSED) | Q(feedback_at__isnull=False),
                name="quality_complaint_closed_after_feedback",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("quality:complaint", args=[self.pk])

    @property
    def capa_kind(self) -> str:
        """The kind of CAPA request the QC head's finding allows: corrective at fault, preventive without (R-5.5.1.2)."""
        return CapaKind.PREVENTIVE if self.company_at_fault is False else CapaKind.CORRECTIVE

    @property
    def replacement_mark(self) -> str:
        """The note on the 補貨 slip and notice of its replacement; it also tells one already arranged."""
        return f"補貨 {self.number}"

    @COMPLAINT_TRANSITIONS.transition("acknowledge")
    def acknowledge(self, *, by) -> None:
        self.acknowledged_at = clock.now()
        self.acknowledged_by = by

    @COMPLAINT_TRANSITIONS.transition("investigate")
    def investigate(self, *, by) -> None:
        self.investigated_at = clock.now()
        self.investigated_by = by

    @COMPLAINT_TRANSITIONS.transition("record_result")
    def record_result(self, *, result: str, by) -> None:
        self.result = result
        self.result_recorded_at = clock.now()
        self.result_recorded_by = by

    @COMPLAINT_TRANSITIONS.transition("close")
    def close(self) -> None:
        self.closed_at = clock.now()

    @COMPLAINT_TRANSITIONS.transition("void")
    def void(self, *, by, reason: str) -> None:
        self.voided_at = clock.now()
        self.voided_by = by
        self.void_reason = reason


class ReturnLine(AuditedModel):
    """One product of a return: how much the customer sends back, what arrived, how QC split it.

    The goods arrive and are inspected in as many partial inspections as they come
    (``ReturnInspection``); ``arrived``, ``good``, ``nonconforming`` and ``replacement_needed``
    are their running totals. What the customer will not send after all is recorded as not
    coming, with who recorded it and why. The line is settled once nothing remains (R-5.5.2.2).
    """

    complaint = models.ForeignKey(Complaint, verbose_name=_("return"), on_delete=models.PROTECT, related_name="return_lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity returned"), **QUANTITY)
    arrived = models.DecimalField(_("quantity arrived"), default=0, **QUANTITY)
    good = models.DecimalField(_("passed inspection"), default=0, **QUANTITY)
    nonconforming = models.DecimalField(_("nonconforming"), default=0, **QUANTITY)
    # The last partial inspection's signature; each one is kept in ReturnInspection.
    inspected_at = models.DateTimeField(_("inspected at"), null=True, blank=True, editable=False)
    inspected_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("inspected by"), editable=False, **_USER)
    replacement_needed = models.DecimalField(_("replacement needed"), default=0, **QUANTITY)
    not_coming = models.DecimalField(_("not coming"), default=0, editable=False, **QUANTITY)
    not_coming_reason = models.TextField(_("why it is not coming"), blank=True, editable=False)
    not_coming_at = models.DateTimeField(_("recorded as not coming at"), null=True, blank=True, editable=False)
    not_coming_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded as not coming by"), editable=False, **_USER
    )

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        ordering = ["complaint", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="quality_return_quantity_positive"),
            # QC inspects everything that arrived: good + nonconforming = arrived (R-5.5.2.2).
            models.CheckConstraint(
                condition=Q(arrived=F("good") + F("nonconforming")), name="quality_return_inspection_complete"
            ),
            # The partial inspections and what is not coming never exceed what was returned.
            models.CheckConstraint(
                condition=Q(quantity__gte=F("arrived") + F("not_coming")), name="quality_return_within_returned"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.code} × {self.quantity}"

    @property
    def remaining(self) -> Decimal:
        """What is still to inspect: returned, less what arrived and was inspected, less what is not coming."""
        return self.quantity - self.arrived - self.not_coming

    @property
    def settled(self) -> bool:
        """Every returned piece inspected or recorded as not coming."""
        return self.remaining <= 0


# A return line with pieces still to inspect (neither inspected nor recorded as not coming).
RETURN_LINE_WAITING = Q(quantity__gt=F("arrived") + F("not_coming"))


class NonconformanceRecord(AuditedModel):
    """Nonconforming product handed to nonconforming-product control, with its disposition."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    return_line = models.ForeignKey(
        ReturnLine, verbose_name=_("return line"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="nonconformances",
    )
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    description = models.TextField(_("nonconformity"), blank=True)
    disposition = models.CharField(_("disposition"), max_length=20, choices=Disposition.choices, blank=True)
    disposition_note = models.TextField(_("disposition note"), blank=True)
    concession_authorised_by = models.CharField(_("concession authorised by"), max_length=100, blank=True)
    disposed_at = models.DateTimeField(_("disposition decided at"), null=True, blank=True, editable=False)
    disposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), editable=False, **_USER)

    class Meta:
        verbose_name = _("nonconformance record")
        verbose_name_plural = _("nonconformance records")
        ordering = ["-created_at", "-pk"]
        permissions = [("dispose_nonconformancerecord", _("Can decide the disposition of nonconforming product"))]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="quality_ncr_quantity_positive"),
            models.CheckConstraint(
                condition=~Q(disposition=Disposition.CONCESSION) | ~Q(concession_authorised_by=""),
                name="quality_ncr_concession_authorised",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ReturnInspection(AuditedModel):
    """One partial inspection of a return line: the goods that arrived this time, all inspected (R-5.5.2.2).

    Good ones went back into qualified stock, nonconforming ones to their own nonconformance
    record. Written by ``return_inspect`` only, never edited.
    """

    return_line = models.ForeignKey(
        ReturnLine, verbose_name=_("return line"), on_delete=models.PROTECT, related_name="inspections"
    )
    arrived = models.DecimalField(_("quantity arrived"), **QUANTITY)
    good = models.DecimalField(_("passed inspection"), **QUANTITY)
    nonconforming = models.DecimalField(_("nonconforming"), **QUANTITY)
    replacement_needed = models.DecimalField(_("replacement needed"), default=0, **QUANTITY)
    nonconformance = models.OneToOneField(
        NonconformanceRecord, verbose_name=_("nonconformance record"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="inspection",
    )
    inspected_at = models.DateTimeField(_("inspected at"), default=clock.now, editable=False)
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("inspected by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("return inspection")
        verbose_name_plural = _("return inspections")
        ordering = ["return_line", "inspected_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(arrived__gt=0), name="quality_inspection_arrived_positive"),
            models.CheckConstraint(
                condition=Q(arrived=F("good") + F("nonconforming")), name="quality_inspection_complete"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.return_line} · {self.arrived}"


class CapaRequest(FSMModelMixin, AuditedModel):
    """A corrective and preventive action request, F7 (糾正和預防措施要求書), issued by QC.

    Its source is generic: a complaint, a return, a satisfaction survey form, or raised
    by hand. The responsible department records the actions; QC verifies execution and
    then effectiveness against the criterion fixed at issue time (R-5.5.1.2, R-3.4).
    """

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    # Corrective once the company is found at fault; preventive without a fault (R-5.5.1.2).
    kind = models.CharField(_("kind"), max_length=12, choices=CapaKind.choices, default=CapaKind.CORRECTIVE)
    source_kind = models.CharField(_("source"), max_length=10, choices=CapaSource.choices)
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, null=True, blank=True, related_name="capa_requests"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("responsible department"), on_delete=models.PROTECT, related_name="capa_requests"
    )
    problem = models.TextField(_("problem"))
    due_date = models.DateField(_("due date"))
    effectiveness_criterion = models.TextField(_("effectiveness criterion"))
    effectiveness_check_date = models.DateField(_("effectiveness checked on"))
    status = FSMField(_("status"), max_length=20, choices=CapaStatus.choices, default=CapaStatus.ISSUED, protected=True)
    corrective_action = models.TextField(_("corrective action"), blank=True)
    preventive_action = models.TextField(_("preventive action"), blank=True)
    implementation = models.TextField(_("implementation"), blank=True)
    effectiveness = models.CharField(_("effectiveness"), max_length=15, choices=Effectiveness.choices, blank=True)
    # The last effectiveness judgment came before the check date, and the QC head's reason why.
    checked_early = models.BooleanField(_("effectiveness checked early"), default=False, editable=False)
    early_check_reason = models.TextField(_("why checked early"), blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("CAPA request (F7)")
        verbose_name_plural = _("CAPA requests (F7)")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("issue_caparequest", _("Can issue a CAPA request (QC)")),
            ("implement_caparequest", _("Can record corrective and preventive actions")),
            ("verify_caparequest", _("Can verify a CAPA request (QC)")),
        ]
        indexes = [models.Index(fields=["status", "due_date"]), models.Index(fields=["source_type", "source_id"])]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("quality:capa", args=[self.pk])

    @CAPA_TRANSITIONS.transition("implement")
    def implement(self) -> None:
        """The department recorded and carried out its actions."""

    @CAPA_TRANSITIONS.transition("verify_execution")
    def verify_execution(self) -> None:
        """QC saw the actions carried out."""

    @CAPA_TRANSITIONS.transition("send_back_not_done")
    def send_back_not_done(self, *, due_date) -> None:
        """QC found the actions not done: the department carries them out again, by ``due_date``."""
        self.due_date = due_date

    @CAPA_TRANSITIONS.transition("close_effective")
    def close_effective(self) -> None:
        self.effectiveness = Effectiveness.EFFECTIVE
        self.closed_at = clock.now()

    @CAPA_TRANSITIONS.transition("return_to_department")
    def return_to_department(self, *, effectiveness: str, due_date) -> None:
        self.effectiveness = effectiveness
        self.due_date = due_date


class CapaStep(models.Model):
    """One dated signature on a CAPA request and what it means (issued, implemented, verified …).

    Append-only: written by the CAPA services in the step's transaction, never edited.
    """

    capa = models.ForeignKey(CapaRequest, verbose_name=_("CAPA request"), on_delete=models.PROTECT, related_name="steps")
    meaning = models.CharField(_("meaning"), max_length=25, choices=CapaStepMeaning.choices)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed at"), default=clock.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("CAPA step")
        verbose_name_plural = _("CAPA steps")
        ordering = ["capa", "signed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.capa} {self.get_meaning_display()}"


class Feedback(AuditedModel):
    """Other customer feedback — a suggestion, praise or request — handled by Sales (R-5.5.3)."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="feedback")
    kind = models.CharField(_("kind"), max_length=12, choices=FeedbackKind.choices)
    channel = models.CharField(_("received by"), max_length=10, choices=ComplaintChannel.choices)
    received_at = models.DateTimeField(_("received at"), default=clock.now)
    content = models.TextField(_("content"))
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"), editable=False, **_USER)

    class Meta:
        verbose_name = _("other feedback")
        verbose_name_plural = _("other feedback")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.customer} {self.get_kind_display()}"
