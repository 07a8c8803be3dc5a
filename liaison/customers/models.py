"""F9 customer master data sheet (客戶基本資料表), contacts and the customer timeline."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liaison.core import clock
from liaison.core.models import AuditedModel
from liaison.customers.states import CustomerStatus, ImportStatus, TimelineEvent


class Customer(AuditedModel):
    """One customer's master data sheet, F9 (R-5.6.1)."""

    registered_name = models.CharField(_("registered name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    fax = models.CharField(_("fax"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    business_scope = models.TextField(_("business scope"), blank=True)
    company_profile = models.TextField(_("company profile"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE
    )
    # Simplified form + pinyin of the names, so either script or pinyin finds the customer.
    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        verbose_name = _("customer (F9)")
        verbose_name_plural = _("customers (F9)")
        ordering = ["registered_name"]
        permissions = [
            ("import_customer", _("Can import customers from Excel")),
            ("export_customer", _("Can export customers to Excel")),
        ]

    def __str__(self) -> str:
        return self.short_name or self.registered_name

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", args=[self.pk])


class Contact(AuditedModel):
    """A person at the customer and how to reach them."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contacts"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    position = models.CharField(_("position"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    mobile = models.CharField(_("mobile"), max_length=50, blank=True)
    fax = models.CharField(_("fax"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    active = models.BooleanField(_("active"), default=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class TimelineEntry(models.Model):
    """One line of a customer's timeline: something that happened with or for them.

    Append-only: entries are written by services in the transaction of the step they
    describe and never edited, so they need no history of their own.
    """

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="timeline"
    )
    occurred_at = models.DateTimeField(_("occurred at"), default=clock.now, db_index=True)
    event = models.CharField(_("event"), max_length=40, choices=TimelineEvent.choices)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    about_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "-occurred_at", "-id"]),
            # The dashboard's latest activity in the table's own order: a bulk import writes thousands of lines
            # at one moment, and an index on the time alone then sorts all of them by id.
            models.Index(fields=["-occurred_at", "-id"], name="customers_timeline_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.occurred_at):%Y-%m-%d %H:%M} {self.get_event_display()}"


class CustomerImport(models.Model):
    """An Excel import of customers started in the back office and run as a background task.

    The uploaded file is kept until the task has finished with it; then only the outcome
    stays: the counts, or the problems by spreadsheet row and column (already translated
    into the language of the person who uploaded it).
    """

    file = models.FileField(_("file"), upload_to="imports/customers/%Y/%m/", max_length=255, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("file format"), max_length=10)
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.WAITING)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    message = models.TextField(_("message"), blank=True)
    problems = models.JSONField(default=list, blank=True)  # [{"row": 3, "field": "E-mail", "message": "…"}]
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("started at"), default=clock.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer import")
        verbose_name_plural = _("customer imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.original_name
