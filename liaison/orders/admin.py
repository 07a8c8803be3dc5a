"""Back office of the orders app: the order log (F1), review rounds (F2) and the change register (F3).

Read-only lists: every write goes through the workflow pages and their services, so
each list row links to the order page, where the work is done.
"""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from unfold.contrib.filters.admin import ChoicesDropdownFilter, RangeDateFilter
from unfold.contrib.import_export.forms import ExportForm
from unfold.decorators import display

from liaison.communications.selectors import within_days
from liaison.core.admin_base import ReadOnlyAdmin, status_labels
from liaison.core.paginators import LargeTablePaginator
from liaison.core.roles import allowed
from liaison.orders import selectors
from liaison.orders.errors import ACTIONS
from liaison.orders.models import ChangeEntry, Order, ReviewRound
from liaison.orders.resources import OrderResource
from liaison.orders.states import ChangeStatus, OrderStatus, ReviewRoundStatus


class ReceivedDayRangeFilter(RangeDateFilter):
    """From/to calendar days of receipt, both included, in local time."""

    def queryset(self, request, queryset):
        date_from = parse_date(self.used_parameters.get(f"{self.parameter_name}_from") or "")
        date_to = parse_date(self.used_parameters.get(f"{self.parameter_name}_to") or "")
        return within_days(queryset, field=self.field_path, date_from=date_from, date_to=date_to)


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("late_notice", _("Production late"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(is_overdue=True)
        if self.value() == "late_notice":
            return queryset.filter(has_late_notice=True)
        return queryset


def _order_link(order: Order, text=None):
    return format_html(
        '<a href="{}" class="text-primary-600 dark:text-primary-500 font-medium">{}</a>',
        order.get_absolute_url(),
        text or order.number,
    )


class OrderPageMixin:
    """A record of the order chain opens on its order page, where the work is done."""

    def order_of(self, obj) -> Order:
        return obj.order

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            return super().change_view(request, object_id, form_url, extra_context)
        return HttpResponseRedirect(self.order_of(obj).get_absolute_url())


@admin.register(Order)
class OrderAdmin(OrderPageMixin, ExportMixin, ReadOnlyAdmin):
    """The order log (F1): search, filters, overdue marks and Excel export."""

    list_display = [
        "number_link",
        "customer",
        "customer_po",
        "received_at",
        "status_label",
        "required_dates",
        "promised",
        "marks",
    ]
    list_display_links = None
    list_filter = [
        ("status", ChoicesDropdownFilter),
        OverdueFilter,
        ("received_at", ReceivedDayRangeFilter),
        ("promised_date", RangeDateFilter),
    ]
    list_filter_submit = True
    search_fields = ["number"]
    search_help_text = _("Order number, customer PO, or the customer's name in either script or pinyin.")
    resource_classes = [OrderResource]
    formats = [XLSX, CSV]
    export_form_class = ExportForm
    list_per_page = 50
    # One count per page, not two: the "(n total)" beside a filtered count is a second pass over the log.
    show_full_result_count = False
    paginator = LargeTablePaginator  # the unfiltered log's total from the planner's estimate at a million orders

    def order_of(self, obj) -> Order:
        return obj

    def get_queryset(self, request):
        return selectors.order_annotate(super().get_queryset(request)).select_related("customer", "received_document")

    def get_search_results(self, request, queryset, search_term):
        return selectors.order_search(queryset=queryset, query=search_term), False

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm("orders.export_order")

    def has_add_permission(self, request) -> bool:
        return allowed(request.user, ACTIONS["register"])

    def add_view(self, request, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("orders:register"))

    @display(description=_("order number"), ordering="number")
    def number_link(self, order: Order):
        return _order_link(order)

    @display(
        description=_("status"),
        ordering="status",
        label=status_labels(OrderStatus, UNDER_REVIEW="info", ACCEPTED="success", REJECTED="danger", VOID="danger"),
    )
    def status_label(self, order: Order):
        return order.status, order.get_status_display()

    @display(description=_("required delivery date"), ordering="first_required")
    def required_dates(self, order: Order) -> str:
        first, last = order.first_required, order.last_required
        if first is None:
            return "—"
        return f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d} – {last:%Y-%m-%d}"

    @display(description=_("promised delivery date"), ordering="promised_date")
    def promised(self, order: Order) -> str:
        return f"{order.promised_date:%Y-%m-%d}" if order.promised_date else "—"

    @display(description=_("marks"))
    def marks(self, order: Order):
        marks = []
        if order.is_overdue:
            marks.append(format_html('<span class="{}">{}</span>', _LABEL_DANGER, _("Overdue")))
        if order.has_late_notice:
            marks.append(format_html('<span class="{}">{}</span>', _LABEL_WARNING, _("Production late")))
        return format_html(" ".join(["{}"] * len(marks)), *marks) if marks else ""


_LABEL = "inline-block font-semibold h-6 leading-6 px-2 rounded-default text-[11px] uppercase whitespace-nowrap"
_LABEL_DANGER = f"{_LABEL} bg-red-100 text-red-700 dark:bg-red-500/20 dark:text-red-400"
_LABEL_WARNING = f"{_LABEL} bg-orange-100 text-orange-700 dark:bg-orange-500/20 dark:text-orange-400"


@admin.register(ReviewRound)
class ReviewRoundAdmin(OrderPageMixin, ReadOnlyAdmin):
    """Contract review rounds (F2); each opens on its order page."""

    list_display = ["round_link", "customer", "reason", "opened_at", "status_label", "signed", "outcome", "decided_at"]
    list_display_links = None
    list_filter = [("status", ChoicesDropdownFilter), ("outcome", ChoicesDropdownFilter), "reason"]
    search_fields = ["order__number"]
    search_help_text = _("Order number, customer PO, or the customer's name in either script or pinyin.")

    def get_queryset(self, request):
        return selectors.review_rounds_list()

    def get_search_results(self, request, queryset, search_term):
        orders = selectors.order_search(query=search_term)
        return (queryset.filter(order__in=orders.values("pk")) if search_term.strip() else queryset), False

    @display(description=_("review round"), ordering="order__number")
    def round_link(self, review: ReviewRound):
        return _order_link(review.order, str(review))

    @display(description=_("customer"), ordering="order__customer__registered_name")
    def customer(self, review: ReviewRound):
        return review.order.customer

    @display(description=_("signed"))
    def signed(self, review: ReviewRound) -> str:
        return f"{review.signed}/{review.departments}"

    @display(
        description=_("status"),
        ordering="status",
        label=status_labels(ReviewRoundStatus, OPEN="info", DECIDED="success"),
    )
    def status_label(self, review: ReviewRound):
        return review.status, review.get_status_display()


@admin.register(ChangeEntry)
class ChangeEntryAdmin(OrderPageMixin, ReadOnlyAdmin):
    """The contract change register (F3); each entry opens on its order page."""

    list_display = [
        "number_link", "order_link", "customer", "kind", "reason_category", "new_due_date", "status_label", "created_at"
    ]
    list_display_links = None
    list_filter = [("status", ChoicesDropdownFilter), "kind", "reason_category"]
    search_fields = ["number"]
    search_help_text = _("Change number, order number, or the customer's name in either script or pinyin.")

    def get_queryset(self, request):
        return selectors.change_list()

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        orders = selectors.order_search(query=search_term)
        return queryset.filter(
            pk__in=queryset.filter(number__icontains=search_term.strip()).values("pk")
        ) | queryset.filter(order__in=orders.values("pk")), False

    @display(description=_("change number"), ordering="number")
    def number_link(self, change: ChangeEntry):
        return _order_link(change.order, change.number)

    @display(description=_("order"), ordering="order__number")
    def order_link(self, change: ChangeEntry):
        return _order_link(change.order)

    @display(description=_("customer"), ordering="order__customer__registered_name")
    def customer(self, change: ChangeEntry):
        return change.order.customer

    @display(
        description=_("status"),
        ordering="status",
        label=status_labels(
            ChangeStatus,
            REGISTERED="warning",
            UNDER_REVIEW="info",
            AGREED="primary",
            APPLIED="success",
            REJECTED="danger",
        ),
    )
    def status_label(self, change: ChangeEntry):
        return change.status, change.get_status_display()
