"""Back office of the quality app: complaints and returns (F6), nonconformance records, other feedback.

Read-only lists and details: every step goes through the services (complaint page, API),
so the same rules, history reasons, F5 lines and timeline entries apply either way.
CAPA requests (F7) have their own, ``capa/admin.py``.
"""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.decorators import display

from liaison.core.admin_base import ReadOnlyAdmin, status_labels
from liaison.core.quantities import format_quantity
from liaison.customers.selectors import customer_search
from liaison.quality import selectors

# Django autodiscovers only this module of the app: importing the CAPA admin registers it.
from liaison.quality.capa import admin as capa_admin  # noqa: F401
from liaison.quality.models import Complaint, Feedback, NonconformanceRecord, ReturnLine
from liaison.quality.states import COMPLAINT_OPEN, ComplaintStatus


class ComplaintOverdueFilter(admin.SimpleListFilter):
    """Open complaints past a timer (R-1.2), computed from the dates and the clock."""

    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("Overdue")),
            ("acknowledge", _("Acknowledgement overdue")),
            ("resolve", _("Resolution overdue")),
        ]

    def queryset(self, request, queryset):
        field = {
            "yes": "is_overdue",
            "acknowledge": "acknowledge_overdue",
            "resolve": "resolve_overdue",
        }
        if self.value() in field:
            return queryset.filter(**{field[self.value()]: True})
        return queryset


class ComplaintScopeFilter(admin.SimpleListFilter):
    """The list opens on the open complaints, overdue first; "All" lists every complaint, newest first.

    A closed or void status, or a search, looks at all complaints (``selectors.complaint_scope``).
    """

    title = _("complaints shown")
    parameter_name = "scope"

    def lookups(self, request, model_admin):
        return [(selectors.SCOPE_ALL, _("All, newest first"))]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Open, overdue first"),
        }
        yield {
            "selected": self.value() == selectors.SCOPE_ALL,
            "query_string": changelist.get_query_string({self.parameter_name: selectors.SCOPE_ALL}),
            "display": _("All, newest first"),
        }

    def queryset(self, request, queryset):
        if _scope(request) == selectors.SCOPE_OPEN and not _status(request):
            return queryset.filter(status__in=COMPLAINT_OPEN)
        return queryset


def _status(request) -> str:
    return request.GET.get("status__exact") or request.GET.get("status") or ""


def _scope(request) -> str:
    return selectors.complaint_scope(
        scope=request.GET.get(ComplaintScopeFilter.parameter_name),
        status=_status(request),
        query=request.GET.get("q", ""),
    )


class ReturnLineInline(TabularInline):
    model = ReturnLine
    fields = [
        "product",
        "quantity_text",
        "arrived",
        "good",
        "nonconforming",
        "replacement_needed",
        "not_coming",
        "remaining_text",
        "inspected_at",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @display(description=_("still to inspect"))
    def remaining_text(self, line: ReturnLine) -> str:
        return f"{format_quantity(line.remaining)} {line.product.unit}"

    @display(description=_("quantity returned"))
    def quantity_text(self, line: ReturnLine) -> str:
        return f"{format_quantity(line.quantity)} {line.product.unit}"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product")


def _flag(text):
    return format_html('<span class="font-semibold text-red-700">{}</span>', text)


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    """F6: open ones overdue first, or all newest first; search the number or the customer (either script, pinyin)."""

    list_display = [
        "number_link",
        "kind",
        "customer",
        "complaint_date",
        "status_label",
        "acknowledge_due",
        "resolve_due",
        "overdue_text",
    ]
    list_filter = [
        ComplaintScopeFilter,
        "status",
        "kind",
        ComplaintOverdueFilter,
        "cause_category",
        "company_at_fault",
        "channel",
    ]
    # One count per page, not two: the "(n total)" beside a filtered count counts every complaint again.
    show_full_result_count = False
    list_display_links = None  # the number opens the complaint page, where the steps are taken
    search_fields = ["number"]
    search_help_text = _("Number, or the customer's name in either script or pinyin.")
    inlines = [ReturnLineInline]
    fields = [
        "number",
        "kind",
        "status_label",
        "customer",
        "channel",
        "complaint_date",
        "content",
        "order",
        "product",
        "lot",
        "requested_remedy",
        "registered_at",
        "acknowledge_due",
        "resolve_due",
        "overdue_text",
        "acknowledged_at",
        "acknowledged_by",
        "cause_category",
        "why_chain",
        "root_cause",
        "containment",
        "company_at_fault",
        "investigated_at",
        "investigated_by",
        "result",
        "result_recorded_at",
        "result_recorded_by",
        "feedback_summary",
        "feedback_at",
        "feedback_by",
        "closed_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return selectors.with_timers(selectors.complaint_queryset())

    def get_ordering(self, request):
        return list(selectors.complaint_order(scope=_scope(request)))

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return selectors.complaint_search(queryset=queryset, query=search_term), False

    @display(description=_("number"), ordering="number")
    def number_link(self, complaint: Complaint):
        return format_html(
            '<a href="{}" class="text-primary-600 font-medium">{}</a>',
            complaint.get_absolute_url(),
            complaint.number,
        )

    @display(
        description=_("status"),
        label=status_labels(ComplaintStatus, VOID="danger", CLOSED="success", RESULT_RECORDED="info"),
    )
    def status_label(self, complaint: Complaint):
        return complaint.status, complaint.get_status_display()

    @display(description=_("overdue"))
    def overdue_text(self, complaint: Complaint):
        if getattr(complaint, "acknowledge_overdue", False):
            return _flag(_("Acknowledgement overdue"))
        if getattr(complaint, "resolve_overdue", False):
            return _flag(_("Resolution overdue"))
        return "—"


@admin.register(NonconformanceRecord)
class NonconformanceRecordAdmin(ReadOnlyAdmin):
    list_display = ["number", "product", "quantity", "complaint", "disposition", "disposed_at"]
    list_filter = ["disposition"]
    search_fields = ["number", "product__code", "return_line__complaint__number"]
    fields = [
        "number",
        "return_line",
        "product",
        "quantity",
        "description",
        "disposition",
        "disposition_note",
        "concession_authorised_by",
        "disposed_at",
        "disposed_by",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return selectors.nonconformance_list()

    @display(description=_("return"))
    def complaint(self, record: NonconformanceRecord):
        if record.return_line is None:
            return "—"
        complaint = record.return_line.complaint
        return format_html(
            '<a href="{}#nonconformances" class="text-primary-600">{}</a>', complaint.get_absolute_url(), complaint
        )


class AnsweredFilter(admin.SimpleListFilter):
    title = _("answered")
    parameter_name = "answered"

    def lookups(self, request, model_admin):
        return [("yes", _("Answered")), ("no", _("Not answered"))]

    def queryset(self, request, queryset):
        if self.value() in {"yes", "no"}:
            return queryset.filter(answered_at__isnull=self.value() == "no")
        return queryset


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["customer", "kind", "channel", "received_at", "answered_at"]
    list_filter = ["kind", AnsweredFilter]
    search_fields = ["customer__registered_name"]
    search_help_text = _("The customer's name in either script or pinyin.")
    fields = [
        "customer",
        "kind",
        "channel",
        "received_at",
        "content",
        "answer",
        "answered_at",
        "answered_by",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return selectors.feedback_list()

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(customer__in=customer_search(query=search_term).values("pk")), False
