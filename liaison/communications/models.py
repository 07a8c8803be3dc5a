"""The received-document catalogue (faxes, letters, scans) and the communication record, F5."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin

from liaison.communications.states import (
    RECEIVED_DOCUMENT_TRANSITIONS,
    CommunicationChannel,
    Direction,
    ReceivedChannel,
    ReceivedDocumentStatus,
    RecordSource,
    Topic,
)
from liaison.core import clock
from liaison.core.models import Attachment, AuditedModel
from liaison.customers.models import Customer


class ReceivedDocument(FSMModelMixin, AuditedModel):
    """A document the customer sent us, catalogued under a running number (R-5.2.2.3).

    Numbered, so never deleted: a document catalogued by mistake is voided and keeps
    its number, which is not handed out again.
    """

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=ReceivedChannel.choices)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("sender"),
        on_delete=models.PROTECT,
        related_name="received_documents",
    )
    received_at = models.DateTimeField(_("received at"), default=clock.now, db_index=True)
    summary = models.CharField(_("subject / summary"), max_length=500)
    status = FSMField(
        _("status"),
        max_length=20,
        choices=ReceivedDocumentStatus.choices,
        default=ReceivedDocumentStatus.CATALOGUED,
        protected=True,
    )
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    void_reason = models.CharField(
        _("reason for voiding"), max_length=300, blank=True, editable=False
    )
    attachments = GenericRelation(
        Attachment, content_type_field="owner_type", object_id_field="owner_id"
    )

    class Meta:
        verbose_name = _("received document")
        verbose_name_plural = _("received documents")
        ordering = ["-received_at", "-pk"]
        permissions = [("void_receiveddocument", _("Can void a received document"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__in=ReceivedChannel.values),
                name="communications_received_channel_known",
            ),
            # Void exactly when the who/when/why of voiding is filled in.
            models.CheckConstraint(
                condition=(
                    models.Q(status=ReceivedDocumentStatus.CATALOGUED, voided_at__isnull=True)
                    | models.Q(status=ReceivedDocumentStatus.VOID, voided_at__isnull=False)
                ),
                name="communications_received_void_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.number or str(_("(not yet numbered)"))

    def get_absolute_url(self) -> str:
        return reverse("admin:communications_receiveddocument_change", args=[self.pk])

    @property
    def is_void(self) -> bool:
        return self.status == ReceivedDocumentStatus.VOID

    @RECEIVED_DOCUMENT_TRANSITIONS.transition("void")
    def void(self, *, by, reason: str) -> None:
        """Mark the document void; it keeps its number and its files."""
        self.voided_at = clock.now()
        self.voided_by = by
        self.void_reason = reason


class CommunicationRecord(AuditedModel):
    """One line of the communication record, F5 (R-5.4): who talked with the customer, how, why."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="communications",
    )
    occurred_at = models.DateTimeField(_("date and time"), default=clock.now, db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=CommunicationChannel.choices)
    direction = models.CharField(_("direction"), max_length=15, choices=Direction.choices)
    topic = models.CharField(_("topic"), max_length=25, choices=Topic.choices)
    summary = models.TextField(_("summary"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    about_type = models.ForeignKey(
        ContentType,
        verbose_name=_("concerns record type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
    )
    about_id = models.PositiveBigIntegerField(
        _("concerns record id"), null=True, blank=True, editable=False
    )
    about = GenericForeignKey("about_type", "about_id")
    source = models.CharField(
        _("source"),
        max_length=10,
        choices=RecordSource.choices,
        default=RecordSource.MANUAL,
        editable=False,
    )

    class Meta:
        verbose_name = _("communication record (F5)")
        verbose_name_plural = _("communication records (F5)")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "-occurred_at"]),
            models.Index(fields=["about_type", "about_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(about_type__isnull=True, about_id__isnull=True)
                    | models.Q(about_type__isnull=False, about_id__isnull=False)
                ),
                name="communications_record_about_complete",
            ),
            # Someone typed a manual record in; only a procedure step may write one unsigned.
            models.CheckConstraint(
                condition=models.Q(source=RecordSource.AUTOMATIC) | models.Q(staff__isnull=False),
                name="communications_record_manual_has_staff",
            ),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.occurred_at):%Y-%m-%d %H:%M} {self.get_topic_display()}"

    def get_absolute_url(self) -> str:
        return reverse("admin:communications_communicationrecord_change", args=[self.pk])
