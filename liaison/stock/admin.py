"""Back office of the stock app: products, qualified stock and the stock ledger."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import XLSX
from unfold.admin import TabularInline
from unfold.contrib.filters.admin import AutocompleteSelectFilter, RangeDateTimeFilter
from unfold.contrib.import_export.forms import ExportForm, ImportForm

from liaison.core.admin_base import LiaisonAdmin, ReadOnlyAdmin
from liaison.core.quantities import format_quantity
from liaison.stock import selectors, services
from liaison.stock.forms import StockMoveRecordForm
from liaison.stock.models import (
    OutboundSlip,
    OutboundSlipLine,
    Product,
    QualifiedStock,
    StockMove,
)
from liaison.stock.resources import ProductResource

RECENT_MOVES = 20


def _moves_link(product: Product) -> str:
    return f"{reverse('admin:stock_stockmove_changelist')}?product__id__exact={product.pk}"


@admin.register(Product)
class ProductAdmin(LiaisonAdmin, ImportExportModelAdmin):
    save_service = staticmethod(services.product_save)
    list_display = ["code", "name", "specification", "qualified_quantity", "active"]
    list_filter = ["active", "unit"]
    search_fields = ["code", "name", "specification"]
    list_select_related = ["qualified_stock"]
    change_form_after_template = "stock/product_recent_moves.html"
    resource_classes = [ProductResource]
    formats = [XLSX]
    import_form_class = ImportForm
    export_form_class = ExportForm

    @admin.display(description=_("qualified stock"), ordering="qualified_stock__quantity")
    def qualified_quantity(self, product: Product) -> str:
        stock = getattr(product, "qualified_stock", None)
        return stock.quantity_with_unit if stock else f"0 {product.unit}"

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm("stock.export_product")

    def has_import_permission(self, request) -> bool:
        # An import registers and changes products, so it needs both rights.
        return request.user.has_perms(["stock.add_product", "stock.change_product"])

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and request.user.has_perm("stock.view_stockmove"):
            context["recent_moves"] = self._recent_moves_table(obj)
            context["all_moves_url"] = _moves_link(obj)
            if request.user.has_perm("stock.add_stockmove") and obj.active:
                context["record_move_url"] = (
                    f"{reverse('admin:stock_stockmove_add')}?product={obj.pk}"
                )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _recent_moves_table(self, product: Product) -> dict:
        moves = selectors.stock_moves_of(product=product)[:RECENT_MOVES]
        return {
            "headers": [
                _("created at"),
                _("direction"),
                _("quantity"),
                _("reason"),
                _("document reference"),
                _("balance after"),
                _("created by"),
            ],
            "rows": [
                [
                    date_format(move.created_at, "SHORT_DATETIME_FORMAT"),
                    move.get_direction_display(),
                    format_quantity(move.quantity),
                    move.get_reason_display(),
                    move.document_ref,
                    format_quantity(move.balance_after),
                    move.created_by or "",
                ]
                for move in moves
            ],
        }


@admin.register(QualifiedStock)
class QualifiedStockAdmin(ReadOnlyAdmin):
    list_display = ["product_code", "product_name", "quantity_with_unit", "moves"]
    list_filter = ["product__active"]
    search_fields = ["product__code", "product__name"]
    list_select_related = ["product"]
    ordering = ["product__code"]

    @admin.display(description=_("product code"), ordering="product__code")
    def product_code(self, stock: QualifiedStock) -> str:
        return stock.product.code

    @admin.display(description=_("name"), ordering="product__name")
    def product_name(self, stock: QualifiedStock) -> str:
        return stock.product.name

    @admin.display(description=_("qualified quantity"), ordering="quantity")
    def quantity_with_unit(self, stock: QualifiedStock) -> str:
        return stock.quantity_with_unit

    @admin.display(description=_("stock moves"))
    def moves(self, stock: QualifiedStock) -> str:
        return format_html('<a href="{}">{}</a>', _moves_link(stock.product), _("Show moves"))

    def get_list_display(self, request):
        if request.user.has_perm("stock.view_stockmove"):
            return self.list_display
        return [name for name in self.list_display if name != "moves"]

    def history_view(self, request, object_id, extra_context=None):
        """The history of a stock row is its product's ledger."""
        stock = self.get_object(request, unquote(object_id))
        if stock is None or not self.has_view_permission(request, stock):
            raise PermissionDenied
        return HttpResponseRedirect(_moves_link(stock.product))


@admin.register(StockMove)
class StockMoveAdmin(LiaisonAdmin):
    """The ledger: clerks add moves (through the service); a recorded move is never changed."""

    form = StockMoveRecordForm
    list_display = [
        "created_at",
        "product",
        "direction",
        "quantity_text",
        "reason",
        "document_ref",
        "balance_text",
        "created_by",
    ]
    list_filter = [("product", AutocompleteSelectFilter), "direction", "reason"]
    search_fields = ["product__code", "product__name", "document_ref"]
    list_select_related = ["product", "created_by"]
    autocomplete_fields = ["product"]
    record_fields = ["product", "direction", "quantity", "reason", "document_ref", "note"]
    readonly_fields = ["balance_after", "created_at", "created_by"]

    @admin.display(description=_("quantity"), ordering="quantity")
    def quantity_text(self, move: StockMove) -> str:
        return format_quantity(move.quantity)

    @admin.display(description=_("balance after"))
    def balance_text(self, move: StockMove) -> str:
        return format_quantity(move.balance_after)

    def get_fields(self, request, obj=None):
        return self.record_fields if obj is None else [*self.record_fields, *self.readonly_fields]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        """Nothing left to do: the form recorded the move through ``stock_move_record``."""


class OutboundSlipLineInline(TabularInline):
    model = OutboundSlipLine
    fields = ["product", "quantity_text", "order_line", "stock_move"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description=_("quantity"))
    def quantity_text(self, line: OutboundSlipLine) -> str:
        return f"{format_quantity(line.quantity)} {line.product.unit}"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product", "order_line__order", "stock_move")


@admin.register(OutboundSlip)
class OutboundSlipAdmin(ReadOnlyAdmin):
    """Outbound slips, F8: read here; issued from the order page or the API (``slip_issue``)."""

    list_display = ["number", "shipped_at", "customer", "order", "shipped", "replenishment", "created_by"]
    list_filter = ["replenishment", ("shipped_at", RangeDateTimeFilter)]
    search_fields = ["number", "order__number", "customer__registered_name"]
    inlines = [OutboundSlipLineInline]
    fields = ["number", "replenishment", "customer", "order", "shipped_at", "note", "created_by"]
    readonly_fields = fields

    def get_queryset(self, request):
        return selectors.slip_list()

    @admin.display(description=_("shipped"))
    def shipped(self, slip: OutboundSlip) -> str:
        return ", ".join(
            f"{line.product.code} × {format_quantity(line.quantity)}" for line in slip.lines.all()
        )
