"""API of the stock app; writes go through the stock services.

Products can be registered and changed, never deleted; the ledger can only grow.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from liaison.core.concurrency import VersionedSerializerMixin, VersionedUpdateMixin
from liaison.core.models import linked_model
from liaison.customers.models import Customer
from liaison.stock import selectors, services
from liaison.stock.errors import ACTIONS
from liaison.stock.models import (
    OutboundSlip,
    OutboundSlipLine,
    Product,
    QualifiedStock,
    StockMove,
)


class ProductSerializer(VersionedSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "code", "name", "specification", "unit", "active", "version"]


class ProductViewSet(
    VersionedUpdateMixin,
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
        serializer.instance = services.stock_move_by_hand(
            **serializer.validated_data, actor=self.request.user
        )


class OutboundSlipLineSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.code", read_only=True)

    class Meta:
        model = OutboundSlipLine
        fields = ["id", "product", "product_code", "order_line", "quantity", "stock_move"]


class OutboundSlipSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True, default=None)
    lines = OutboundSlipLineSerializer(many=True, read_only=True)

    class Meta:
        model = OutboundSlip
        fields = [
            "id",
            "number",
            "customer",
            "order",
            "order_number",
            "replenishment",
            "shipped_at",
            "note",
            "created_by",
            "lines",
        ]
        read_only_fields = fields


class SlipIssueLineSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3)
    order_line = serializers.PrimaryKeyRelatedField(
        queryset=linked_model(OutboundSlipLine, "order_line").objects.all(), required=False, allow_null=True
    )


class SlipIssueSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    order = serializers.PrimaryKeyRelatedField(
        queryset=linked_model(OutboundSlip, "order").objects.all(), required=False, allow_null=True
    )
    replenishment = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    lines = SlipIssueLineSerializer(many=True, allow_empty=False)


class SlipFilter(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False)
    order = serializers.PrimaryKeyRelatedField(queryset=linked_model(OutboundSlip, "order").objects.all(), required=False)
    replenishment = serializers.BooleanField(required=False, allow_null=True, default=None)


@extend_schema_view(
    list=extend_schema(parameters=[SlipFilter]),
    create=extend_schema(request=SlipIssueSerializer, responses=OutboundSlipSerializer),
)
class OutboundSlipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Outbound slips, F8 (R-5.2.3.2): list, read, issue; never changed or deleted."""

    serializer_class = OutboundSlipSerializer
    step_actions = {"create": ACTIONS["issue"]}

    def get_queryset(self):
        if self.action != "list":
            return selectors.slip_list()
        filters = SlipFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.slip_list(**filters.validated_data)

    def create(self, request):
        body = SlipIssueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        slip = services.slip_issue(
            customer=data["customer"],
            order=data.get("order"),
            lines=data["lines"],
            replenishment=data["replenishment"],
            note=data["note"],
            actor=request.user,
        )
        return Response(
            OutboundSlipSerializer(selectors.slip_get(pk=slip.pk)).data,
            status=status.HTTP_201_CREATED,
        )
