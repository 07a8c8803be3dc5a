"""Back office of CAPA requests (F7): a read-only list with filters, the signed steps inline.

Requests are issued and moved on through the CAPA services (pages, API); here they
are only read. A department's member sees only the requests issued to them.
"""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.decorators import display

from liaison.core import clock
from liaison.core.admin_base import ReadOnlyAdmin
from liaison.quality.capa import selectors
from liaison.quality.capa.rules import VIEW
from liaison.quality.models import CapaRequest, CapaStep
from liaison.quality.states import CAPA_OPEN, CapaStatus


class CapaOverdueFilter(admin.SimpleListFilter):
    """Open requests past their due date, computed from today's date."""

    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        late = {"status__in": CAPA_OPEN, "due_date__lt": clock.today()}
        if self.value() == "yes":
            return queryset.filter(**late)
        if self.value() == "no":
            return queryset.exclude(**late)
        return queryset


class CapaStepInline(TabularInline):
    model = CapaStep
    fields = ["signed_at", "meaning", "signed_by", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None) -> bool:
        # The steps are part of the request: whoever reads the request reads its signatures.
        return request.user.has_perm(VIEW)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("signed_by")


@admin.register(CapaRequest)
class CapaRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "number_link",
        "source_kind",
        "customer",
        "department",
        "due_date",
        "overdue_text",
        "status_label",
        "effectiveness",
    ]
    list_filter = ["status", "department", CapaOverdueFilter, "source_kind", "effectiveness"]
    list_display_links = None  # the number opens the CAPA page, where the steps are taken
    search_fields = ["number", "problem", "customer__registered_name", "department__name"]
    inlines = [CapaStepInline]
    fields = [
        "number",
        "status_label",
        "source_kind",
        "source_text",
        "customer",
        "department",
        "problem",
        "due_date",
        "overdue_text",
        "effectiveness_criterion",
        "effectiveness_check_date",
        "corrective_action",
        "preventive_action",
        "implementation",
        "effectiveness",
        "closed_at",
        "created_at",
        "created_by",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return selectors.capa_visible_to(
            user=request.user, queryset=selectors.capa_list()
        )

    def get_ordering(self, request):
        return ["-is_overdue", "-is_open", "due_date", "pk"]

    @display(description=_("number"), ordering="number")
    def number_link(self, record: CapaRequest):
        return format_html(
            '<a href="{}" class="text-primary-600 font-medium">{}</a>', record.get_absolute_url(), record.number
        )

    @display(description=_("days late"))
    def overdue_text(self, record: CapaRequest):
        if record.status in CAPA_OPEN and record.due_date < clock.today():
            late = (clock.today() - record.due_date).days
            return format_html('<span class="font-semibold text-red-700">{}</span>', late)
        return "—"

    @display(
        description=_("status"),
        label={
            CapaStatus.ISSUED: "warning",
            CapaStatus.IMPLEMENTED: "info",
            CapaStatus.EXECUTION_VERIFIED: "info",
            CapaStatus.CLOSED: "success",
        },
    )
    def status_label(self, record: CapaRequest):
        return record.status, record.get_status_display()

    @display(description=_("source"))
    def source_text(self, record: CapaRequest) -> str:
        if record.source_type_id is None:
            return record.get_source_kind_display()
        return str(record.source or "—")
