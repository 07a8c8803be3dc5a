"""Back office of the communications app: the received-document catalogue and F5."""

from django.contrib import admin
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.decorators import action, display
from unfold.widgets import UnfoldAdminTextareaWidget

from liaison.communications import selectors, views
from liaison.communications.errors import ACTIONS
from liaison.communications.forms import CommunicationRecordForm, ReceivedDocumentCatalogueForm
from liaison.communications.models import CommunicationRecord, ReceivedDocument
from liaison.communications.states import ReceivedDocumentStatus
from liaison.core.admin_base import ServiceFormAdmin, status_labels
from liaison.core.roles import allowed


class LocalDayRangeFilter(RangeDateFilter):
    """From/to calendar days on a date-time field, both days included, in local time."""

    def queryset(self, request, queryset):
        date_from = parse_date(self.used_parameters.get(f"{self.parameter_name}_from") or "")
        date_to = parse_date(self.used_parameters.get(f"{self.parameter_name}_to") or "")
        return selectors.within_days(
            queryset, field=self.field_path, date_from=date_from, date_to=date_to
        )


@admin.register(ReceivedDocument)
class ReceivedDocumentAdmin(ServiceFormAdmin):
    form = ReceivedDocumentCatalogueForm
    add_fields = ["customer", "channel", "received_at", "summary", "file"]
    view_fields = [
        "number",
        "status_label",
        "customer",
        "channel",
        "received_at",
        "summary",
        "file_links",
        "created_by",
        "created_at",
        "voided_at",
        "voided_by",
        "void_reason",
    ]
    list_display = [
        "number",
        "received_at",
        "customer",
        "channel",
        "summary",
        "file_count",
        "status_label",
    ]
    list_display_links = ["number"]
    list_filter = ["status", "channel", ("received_at", LocalDayRangeFilter)]
    search_fields = ["number"]
    search_help_text = _("Number, subject, or the sender's name in either script or pinyin.")
    autocomplete_fields = ["customer"]
    actions_detail = ["void_document"]
    date_hierarchy = None

    def get_queryset(self, request):
        return selectors.received_document_list()

    def get_search_results(self, request, queryset, search_term):
        return selectors.received_document_search(queryset=queryset, query=search_term), False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "summary":
            kwargs["widget"] = UnfoldAdminTextareaWidget(attrs={"rows": 3})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @display(description=_("status"), label=status_labels(ReceivedDocumentStatus, VOID="danger"))
    def status_label(self, document):
        return document.status, document.get_status_display()

    @display(description=_("files"))
    def file_count(self, document) -> int:
        return len(document.attachments.all())

    @display(description=_("files"))
    def file_links(self, document):
        links = format_html_join(
            ", ",
            '<a href="{}" target="_blank" class="text-primary-600">{}</a>',
            (
                (reverse("communications:received-file", args=[document.pk, a.pk]), a.original_name)
                for a in document.attachments.all()
            ),
        )
        return links or "—"

    def has_void_permission(self, request, object_id=None) -> bool:
        return allowed(request.user, ACTIONS["void"])

    @action(description=_("Void"), url_path="void", permissions=["void"], icon="block")
    def void_document(self, request, object_id):
        """The void page (``views``): shown on GET, its step taken on POST."""
        if request.method == "POST":
            return views.received_document_void(request, object_id=object_id)
        return views.received_document_void_page(request, object_id)


@admin.register(CommunicationRecord)
class CommunicationRecordAdmin(ServiceFormAdmin):
    form = CommunicationRecordForm
    add_fields = ["customer", "occurred_at", "channel", "direction", "topic", "summary"]
    view_fields = [
        "customer",
        "occurred_at",
        "channel",
        "direction",
        "topic",
        "summary",
        "staff",
        "about_link",
        "source",
        "created_at",
    ]
    list_display = [
        "occurred_at",
        "customer",
        "channel",
        "direction",
        "topic",
        "short_summary",
        "staff",
        "source",
    ]
    list_filter = ["topic", "channel", "direction", "source", ("occurred_at", LocalDayRangeFilter)]
    search_fields = ["summary"]
    search_help_text = _("Summary, or the customer's name in either script or pinyin.")
    autocomplete_fields = ["customer"]

    def get_queryset(self, request):
        return selectors.communication_record_list()

    def get_search_results(self, request, queryset, search_term):
        return selectors.communication_record_search(queryset=queryset, query=search_term), False

    @display(description=_("summary"))
    def short_summary(self, record) -> str:
        return record.summary if len(record.summary) <= 80 else f"{record.summary[:79]}…"

    @display(description=_("concerns"))
    def about_link(self, record):
        about = record.about
        if about is None:
            return "—"
        url = getattr(about, "get_absolute_url", None)
        return format_html('<a href="{}">{}</a>', url(), about) if url else str(about)
