"""API of the stock app; writes go through the stock services."""

from rest_framework import mixins, serializers, viewsets

from liaison.stock import services
from liaison.stock.models import Product, QualifiedStock, StockMove


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "code", "name", "specification", "unit", "active"]


class ProductViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ProductSerializer
    queryset = Product.objects.order_by("code")

    def perform_create(self, serializer):
        serializer.instance = services.product_save(product=Product(**serializer.validated_data), actor=self.request.user)

    def perform_update(self, serializer):
        product = serializer.instance
        for field, value in serializer.validated_data.items():
            setattr(product, field, value)
        services.product_save(product=product, actor=self.request.user, reason="Changed through the API")


class QualifiedStockSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.code", read_only=True)

    class Meta:
        model = QualifiedStock
        fields = ["id", "product", "product_code", "quantity"]


class QualifiedStockViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = QualifiedStockSerializer
    queryset = QualifiedStock.objects.select_related("product").order_by("product__code")


class StockMoveSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockMove
        fields = ["id", "product", "direction", "quantity", "reason", "document_ref", "note", "balance_after", "created_at"]
        read_only_fields = ["balance_after", "created_at"]


class StockMoveViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = StockMoveSerializer
    queryset = StockMove.objects.select_related("product").order_by("-created_at", "-pk")

    def perform_create(self, serializer):
        serializer.instance = services.stock_move_record(**serializer.validated_data, actor=self.request.user)
