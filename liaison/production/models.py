"""Production notices, F4 (生產通知單): issued by the sales administrator to a workshop."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin

from liaison.core import clock
from liaison.core.models import AuditedModel, Department
from liaison.production.states import NOTICE_TRANSITIONS, NoticeStatus
from liaison.stock.models import QUANTITY, Product

_USER = {"on_delete": models.PROTECT, "null": True, "blank": True, "related_name": "+"}


class ProductionNotice(FSMModelMixin, AuditedModel):
    """A production notice, F4 (R-5.2.3.3): what a workshop makes, for which order, by when.

    Never deleted: a notice replaced after a change is voided, keeps who/when/why and
    points to its successor, so the chain order → notices stays readable (R-5.3).
    """

    number = models.CharField(_("notice number"), max_length=20, unique=True, editable=False)
    order = models.ForeignKey(
        "orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="production_notices",
    )
    workshop = models.ForeignKey(
        Department, verbose_name=_("workshop"), on_delete=models.PROTECT, related_name="production_notices"
    )
    due_date = models.DateField(_("due date"))
    # 補貨: a replacement for returned or nonconforming goods (R-5.5.2.3).
    replenishment = models.BooleanField(_("replenishment (補貨)"), default=False)
    instructions = models.TextField(_("instructions"), blank=True)
    status = FSMField(
        _("status"), max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED, protected=True
    )
    issued_at = models.DateTimeField(_("issued at"), default=clock.now, editable=False)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), editable=False, **_USER)
    progress_note = models.CharField(_("progress"), max_length=300, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, editable=False)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("completed by"), editable=False, **_USER)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("voided by"), editable=False, **_USER)
    void_reason = models.CharField(_("reason for voiding"), max_length=300, blank=True, editable=False)
    superseded_by = models.OneToOneField(
        "self", verbose_name=_("superseded by"), on_delete=models.PROTECT, null=True, blank=True,
        editable=False, related_name="supersedes",
    )
    change = models.ForeignKey(
        "orders.ChangeEntry", verbose_name=_("issued for change"), on_delete=models.PROTECT, null=True, blank=True,
        editable=False, related_name="production_notices",
    )

    class Meta:
        verbose_name = _("production notice (F4)")
        verbose_name_plural = _("production notices (F4)")
        ordering = ["-issued_at", "-pk"]
        permissions = [
            ("issue_productionnotice", _("Can issue a production notice")),
            ("progress_productionnotice", _("Can record production progress")),
            ("void_productionnotice", _("Can void a production notice")),
        ]
        indexes = [models.Index(fields=["workshop", "status", "due_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=NoticeStatus.VOID, voided_at__isnull=False) | ~Q(status=NoticeStatus.VOID),
                name="production_void_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("production:detail", args=[self.pk])

    @property
    def is_current(self) -> bool:
        return self.status != NoticeStatus.VOID

    def days_late(self, today: dt.date | None = None) -> int:
        """Days past the due date: of completion if completed, of today if still open (R-3.2)."""
        if self.status == NoticeStatus.VOID:
            return 0
        if self.completed_at is not None:
            end = timezone.localdate(self.completed_at)
        else:
            end = today or clock.today()
        return max(0, (end - self.due_date).days)

    @NOTICE_TRANSITIONS.transition("start")
    def start(self, *, note: str = "") -> None:
        self.progress_note = note

    @NOTICE_TRANSITIONS.transition("complete")
    def complete(self, *, by) -> None:
        self.completed_at = clock.now()
        self.completed_by = by

    @NOTICE_TRANSITIONS.transition("void")
    def void(self, *, by, reason: str, successor: "ProductionNotice | None" = None) -> None:
        self.voided_at = clock.now()
        self.voided_by = by
        self.void_reason = reason
        self.superseded_by = successor


class NoticeLine(AuditedModel):
    """One product on a production notice."""

    notice = models.ForeignKey(ProductionNotice, verbose_name=_("notice"), on_delete=models.PROTECT, related_name="lines")
    order_line = models.ForeignKey(
        "orders.OrderLine", verbose_name=_("order line"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="notice_lines",
    )
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    specification = models.CharField(_("specification"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("notice line")
        verbose_name_plural = _("notice lines")
        ordering = ["notice", "pk"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="production_line_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.product.code} × {self.quantity}"
