"""Retention policies, legal holds and the disposal log (R-5.7)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from liaison.core import clock, procedure
from liaison.core.errors import LiaisonError, refuse
from liaison.core.models import AuditedModel, Department
from liaison.core.roles import is_administrator
from liaison.records.errors import MESSAGES, RecordsErrorCode
from liaison.records.states import record_type_label

_USER = {"on_delete": models.PROTECT, "null": True, "blank": True, "related_name": "+"}


class RetentionPolicy(AuditedModel):
    """How long one type of record is kept after it is closed or voided, and who keeps it (R-5.7.1–3).

    One row per record type of ``records.registry``; seeded with the procedure's 2 years and
    changed only by an administrator, with a reason kept in the history. Never shorter than the
    procedure's period (``period_refusal``) unless the administrator ticks ``below_minimum``:
    the override is then in the history row, with who, when and the reason.
    """

    record_type = models.CharField(_("record type"), max_length=10, unique=True)
    department = models.ForeignKey(
        Department, verbose_name=_("kept by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    years = models.PositiveSmallIntegerField(_("years"), default=2)
    months = models.PositiveSmallIntegerField(_("months"), default=0)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("An inactive policy disposes of nothing: its records are kept.")
    )
    # An administrator's override of the procedure's minimum, kept in the history with its reason.
    below_minimum = models.BooleanField(
        _("shorter than the procedure (administrator's override)"),
        default=False,
        help_text=_(
            "The procedure keeps every record type for at least 2 years. Tick this to set a shorter period; "
            "only an administrator may, and the reason is kept in the history."
        ),
    )

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        ordering = ["record_type"]
        # The audit trail across every record type (R-5.7, ISO 9001 7.5.3); hung here for want of a model of its own.
        permissions = [("audit_history", _("Can search and export the history of every record"))]
        constraints = [
            models.CheckConstraint(condition=Q(years__gt=0) | Q(months__gt=0), name="records_policy_period_positive"),
            models.CheckConstraint(condition=Q(months__lt=12), name="records_policy_months_under_12"),
        ]

    def __str__(self) -> str:
        return f"{record_type_label(self.record_type)}: {self.period_text}"

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months

    @property
    def period_text(self) -> str:
        parts = []
        if self.years:
            parts.append(ngettext("%(n)s year", "%(n)s years", self.years) % {"n": self.years})
        if self.months:
            parts.append(ngettext("%(n)s month", "%(n)s months", self.months) % {"n": self.months})
        return " ".join(parts)


def minimum_months() -> int:
    """The procedure's retention (R-5.7.1–3: 2 years for F1–F4, F6 and F10), in months."""
    return procedure.setting("RETENTION_YEARS") * 12


def period_refusal(
    *, record_type: str, years: int, months: int, below_minimum: bool, actor
) -> LiaisonError | None:
    """The rule on a retention period (R-5.7): never below the procedure's, unless an administrator overrides it.

    Longer is always allowed. Shorter needs ``below_minimum`` (the override, whose reason the
    service keeps in the policy's history) and an administrator. The back office and the API both
    reach it: the service calls it, and the admin form calls it to show the refusal on the form.
    """
    if years * 12 + months >= minimum_months():
        return None
    minimum = RetentionPolicy(years=procedure.setting("RETENTION_YEARS")).period_text
    if not below_minimum:
        return refuse(
            MESSAGES, RecordsErrorCode.BELOW_MINIMUM, field="years", type=record_type_label(record_type),
            minimum=minimum, period=RetentionPolicy(years=years, months=months).period_text or "0",
        )
    if not is_administrator(actor):
        return refuse(MESSAGES, RecordsErrorCode.OVERRIDE_NOT_ADMINISTRATOR, forbidden=True, minimum=minimum)
    return None


class LegalHold(AuditedModel):
    """A record that must not be disposed of, whatever its retention, until the hold is released."""

    record_type = models.CharField(_("record type"), max_length=10)
    object_id = models.PositiveBigIntegerField(_("record id"))
    number = models.CharField(_("record number"), max_length=40, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    placed_at = models.DateTimeField(_("placed at"), default=clock.now, editable=False)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("placed by"), editable=False, **_USER)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True, editable=False)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("released by"), editable=False, **_USER)
    release_reason = models.CharField(_("reason for release"), max_length=300, blank=True, editable=False)

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["record_type", "object_id"],
                condition=Q(released_at__isnull=True),
                name="records_one_active_hold_per_record",
            ),
        ]
        indexes = [models.Index(fields=["record_type", "object_id"])]

    def __str__(self) -> str:
        return f"{record_type_label(self.record_type)} {self.number or self.object_id}"

    @property
    def is_active(self) -> bool:
        return self.released_at is None


class DisposalRun(models.Model):
    """One run of the disposal job (or a dry run). Kept for ever, like its log."""

    started_at = models.DateTimeField(_("started at"), default=clock.now, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, editable=False)
    dry_run = models.BooleanField(_("dry run"), default=False)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("started by"), editable=False, **_USER)
    archive_dir = models.CharField(_("archive folder"), max_length=500)
    found = models.PositiveIntegerField(_("past retention"), default=0)
    disposed = models.PositiveIntegerField(_("disposed of"), default=0)
    held = models.PositiveIntegerField(_("on legal hold"), default=0)
    waiting = models.PositiveIntegerField(
        _("waiting for a dependent record"), default=0,
        help_text=_("Past retention, but a record still retained refers to it (disposed in a later run)."),
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("disposal run")
        verbose_name_plural = _("disposal runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"


class DisposalLogEntry(models.Model):
    """One record disposed of: what, when, under which policy, and where its archive is (R-5.7).

    Append-only and never deleted: the guard in ``records.guard`` refuses it everywhere.
    """

    run = models.ForeignKey(DisposalRun, verbose_name=_("run"), on_delete=models.PROTECT, related_name="entries")
    record_type = models.CharField(_("record type"), max_length=10)
    object_id = models.PositiveBigIntegerField(_("record id"))
    number = models.CharField(_("record number"), max_length=40)
    # The order a review round, change entry or production notice belonged to (F1 reads it).
    order_number = models.CharField(_("order number"), max_length=20, blank=True, db_index=True)
    retention_started = models.DateTimeField(_("retention started"))
    retention_ended = models.DateTimeField(_("retention ended"))
    policy = models.ForeignKey(RetentionPolicy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="+")
    policy_period = models.CharField(_("retention period"), max_length=40)
    archive_path = models.CharField(_("archive folder"), max_length=500)
    sha256 = models.CharField(
        _("SHA-256 of the archive"), max_length=64, help_text=_("Checksum of the archive's SHA256SUMS file.")
    )
    files = models.JSONField(_("archived files"), default=list)
    disposed_at = models.DateTimeField(_("disposed at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("disposal log entry")
        verbose_name_plural = _("disposal log")
        ordering = ["-disposed_at", "-pk"]
        indexes = [models.Index(fields=["record_type", "object_id"])]

    def __str__(self) -> str:
        return self.number
