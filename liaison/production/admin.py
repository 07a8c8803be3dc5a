"""Back office of production notices (F4): a read-only list with filters and a read-only detail.

Notices are issued, voided and superseded through the services (order page, workshop
pages, API); here they are only read. A workshop lead sees only their workshop's.
"""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.decorators import display

from liaison.core import clock
from liaison.core.admin_base import ReadOnlyAdmin, status_labels
from liaison.core.quantities import format_quantity
from liaison.core.states import DepartmentKind
from liaison.production import selectors
from liaison.production.models import NoticeLine, ProductionNotice
from liaison.production.states import NOTICE_OPEN, NoticeStatus


class OverdueFilter(admin.SimpleListFilter):
    """Open notices past their due date (R-3.2), computed from today's date."""

    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        late = {"status__in": NOTICE_OPEN, "due_date__lt": clock.today()}
        if self.value() == "yes":
            return queryset.filter(**late)
        if self.value() == "no":
            return queryset.exclude(**late)
        return queryset


class WorkshopFilter(admin.RelatedFieldListFilter):
    def field_choices(self, field, request, model_admin):
        return field.get_choices(include_blank=False, limit_choices_to={"kind": DepartmentKind.WORKSHOP})


class NoticeLineInline(TabularInline):
    model = NoticeLine
    fields = ["product", "specification", "quantity_text", "order_line"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @display(description=_("quantity"))
    def quantity_text(self, line: NoticeLine) -> str:
        return f"{format_quantity(line.quantity)} {line.product.unit}"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product", "order_line")


@admin.register(ProductionNotice)
class ProductionNoticeAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "order",
        "customer",
        "workshop",
        "due_date",
        "days_late_text",
        "status_label",
        "replenishment",
        "superseded_by",
    ]
    list_filter = ["status", ("workshop", WorkshopFilter), "replenishment", OverdueFilter]
    search_fields = ["number", "order__number", "order__customer__registered_name"]
    inlines = [NoticeLineInline]
    fields = [
        "number",
        "status_label",
        "replenishment",
        "order",
        "workshop",
        "due_date",
        "days_late_text",
        "instructions",
        "progress_note",
        "issued_at",
        "issued_by",
        "completed_at",
        "completed_by",
        "voided_at",
        "voided_by",
        "void_reason",
        "supersedes_link",
        "superseded_by_link",
        "change",
        "workshop_page",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return selectors.notice_visible_to(user=request.user, queryset=selectors.notice_list())

    def get_ordering(self, request):
        return ["-is_overdue", "-is_open", "due_date", "pk"]

    @display(description=_("customer"))
    def customer(self, notice: ProductionNotice) -> str:
        return notice.order.customer if notice.order else "—"

    @display(description=_("days late"))
    def days_late_text(self, notice: ProductionNotice):
        late = notice.days_late()
        return format_html('<span class="font-semibold text-red-700">{}</span>', late) if late else "—"

    @display(
        description=_("status"),
        label=status_labels(NoticeStatus, VOID="danger", COMPLETED="success", IN_PROGRESS="info"),
    )
    def status_label(self, notice: ProductionNotice):
        return notice.status, notice.get_status_display()

    def _link(self, notice: ProductionNotice | None):
        if notice is None:
            return "—"
        return format_html(
            '<a href="{}" class="text-primary-600">{}</a>', notice.get_absolute_url(), notice.number
        )

    @display(description=_("replaces"))
    def supersedes_link(self, notice: ProductionNotice):
        return self._link(getattr(notice, "supersedes", None))

    @display(description=_("superseded by"))
    def superseded_by_link(self, notice: ProductionNotice):
        return self._link(notice.superseded_by)

    @display(description=_("workshop page"))
    def workshop_page(self, notice: ProductionNotice):
        return format_html(
            '<a href="{}" class="text-primary-600">{}</a>',
            notice.get_absolute_url(),
            _("Open the notice page"),
        )
