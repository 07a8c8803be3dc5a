"""Back office of the stock app: products, qualified stock and the stock ledger."""

from django.contrib import admin

from liaison.core.admin_base import LiaisonAdmin, ReadOnlyAdmin
from liaison.stock import services
from liaison.stock.models import Product, QualifiedStock, StockMove


@admin.register(Product)
class ProductAdmin(LiaisonAdmin):
    save_service = staticmethod(services.product_save)
    list_display = ["code", "name", "specification", "unit", "active"]
    list_filter = ["active", "unit"]
    search_fields = ["code", "name", "specification"]


@admin.register(QualifiedStock)
class QualifiedStockAdmin(ReadOnlyAdmin):
    list_display = ["product", "quantity"]
    search_fields = ["product__code", "product__name"]
    list_select_related = ["product"]


@admin.register(StockMove)
class StockMoveAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "product", "direction", "quantity", "reason", "document_ref", "balance_after", "created_by"]
    list_filter = ["direction", "reason"]
    search_fields = ["product__code", "product__name", "document_ref"]
    list_select_related = ["product", "created_by"]
