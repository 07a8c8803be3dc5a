"""Departments, users, numbering counters, attachments and the audited base model."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison.core import clock
from liaison.core.signals import deletion_requested
from liaison.core.states import DepartmentKind


class AuditedModel(models.Model):
    """Base of every business record: who created and changed it, when, and its history."""

    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), default=clock.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Strictly increasing, so it serves as the version for optimistic locking even when
        # two saves fall on the same clock tick (or the clock is frozen in a test).
        now = clock.now()
        previous = self.updated_at if self.pk is not None else None
        self.updated_at = now if previous is None or now > previous else previous + dt.timedelta(microseconds=1)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "updated_at" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "updated_at"]
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        # A kept record refuses with its own reason before Django's protected-link check can
        # answer with a technical error (the records app listens: no erasure inside retention).
        deletion_requested.send(sender=type(self), instance=self)
        return super().delete(*args, **kwargs)


def linked_model(model: type[models.Model], field_name: str) -> type[models.Model]:
    """The model that ``model.field_name`` links to.

    A record that serves one of an app above its own (a production notice for an order, a
    survey round for a management review) keeps a link to it; its app reaches that record
    through the link and the linked model's own methods, never by importing the app above.
    """
    return model._meta.get_field(field_name).related_model


class Department(AuditedModel):
    """A department named by the procedure: Sales, QC, a workshop, the warehouse, …"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=DepartmentKind.choices)
    active = models.BooleanField(_("active"), default=True)
    # The departments named on the contract review form, F2 (R-5.2.3.1); configurable.
    signs_contract_review = models.BooleanField(_("signs contract reviews"), default=False)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person using Liaison; roles are Django groups, see ``liaison.core.roles``."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True, default=""
    )
    history = HistoricalRecords(excluded_fields=["last_login", "password"])

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self) -> str:
        """Chinese names are written family name first, without a space."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if any("\u3400" <= ch <= "\u9fff" for ch in first + last):
            return f"{last}{first}"
        return f"{first} {last}".strip()

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username


class DocumentCounter(models.Model):
    """The last number handed out for one document type in one year (gapless)."""

    doc_type = models.CharField(_("document type"), max_length=20)
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "year"], name="core_counter_unique_type_year"),
        ]

    def __str__(self) -> str:
        return f"{self.doc_type}-{self.year}: {self.last_number}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    moment = instance.uploaded_at or clock.now()
    return f"attachments/{moment:%Y/%m}/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class Attachment(AuditedModel):
    """A file (scan, photo, PDF) attached to a record of the procedure."""

    owner_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("record type"))
    owner_id = models.PositiveBigIntegerField(_("record id"))
    owner = GenericForeignKey("owner_type", "owner_id")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    mime_type = models.CharField(_("file type"), max_length=100)
    extension = models.CharField(max_length=10, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["owner_type", "owner_id"])]
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name
