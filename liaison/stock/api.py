"""API of the stock app; writes go through the stock services.

Products can be registered and changed, never deleted; the ledger can only grow.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from liaison.stock import selectors, services
from liaison.stock.models import Product, QualifiedStock, StockMove


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "code", "name", "specification", "unit", "active"]


class ProductViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ProductSerializer
    queryset = Product.objects.order_by("code")

    def perform_create(self, serializer):
        serializer.instance = services.product_save(
            product=Product(**serializer.validated_data), actor=self.request.user
        )

    def perform_update(self, serializer):
        product = serializer.instance
        for field, value in serializer.validated_data.items():
            setattr(product, field, value)
        services.product_save(
            product=product, actor=self.request.user, reason="Changed through the API"
        )


class QualifiedStockSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.code", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    unit = serializers.CharField(source="product.unit", read_only=True)

    class Meta:
        model = QualifiedStock
        fields = ["id", "product", "product_code", "product_name", "unit", "quantity"]


class QualifiedStockViewSet(viewsets.ReadOnlyModelViewSet):
    """Qualified finished-goods stock per product."""

    serializer_class = QualifiedStockSerializer
    queryset = selectors.stock_list()


class StockMoveSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockMove
        fields = [
            "id",
            "product",
            "direction",
            "quantity",
            "reason",
            "document_ref",
            "note",
            "balance_after",
            "created_at",
            "created_by",
        ]
        read_only_fields = ["balance_after", "created_at", "created_by"]


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("product", int, description="Product id")])
)
class StockMoveViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The stock ledger: list, read and record moves; a refused move answers 400 with its code."""

    serializer_class = StockMoveSerializer
    queryset = selectors.stock_move_list()

    def get_queryset(self):
        product = self.request.query_params.get("product")
        if self.action == "list" and product and product.isdigit():
            return selectors.stock_move_list(product_id=int(product))
        return super().get_queryset()

    def perform_create(self, serializer):
        serializer.instance = services.stock_move_record(
            **serializer.validated_data, actor=self.request.user
        )
