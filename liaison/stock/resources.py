"""Excel import and export of products (django-import-export); rows are saved by the service."""

from import_export import resources

from liaison.core.export import InertFormulaeMixin
from liaison.stock import services
from liaison.stock.models import Product

IMPORT_REASON = "Imported from Excel"


class ProductResource(InertFormulaeMixin, resources.ModelResource):
    """One row per product, matched on its code; unchanged rows are skipped."""

    class Meta:
        model = Product
        fields = ["code", "name", "specification", "unit", "active"]
        export_order = fields
        import_id_fields = ["code"]
        skip_unchanged = True
        report_skipped = True

    def save_instance(self, instance, is_create, row, **kwargs):
        # The admin passes the signed-in user; product_save validates, signs the history
        # and gives a new product its stock row, as it does for the form and the API.
        services.product_save(product=instance, actor=kwargs.get("user"), reason=IMPORT_REASON)
