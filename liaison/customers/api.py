"""API of the customers app; writes go through the same services as the back office."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from liaison.customers import selectors, services
from liaison.customers.models import Contact, Customer


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "name", "position", "phone", "mobile", "fax", "email", "is_primary", "active", "notes"]


class CustomerSerializer(serializers.ModelSerializer):
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id", "registered_name", "short_name", "address", "phone", "fax", "email",
            "business_scope", "company_profile", "status", "contacts", "created_at", "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("q", str, description="Name in either script or pinyin")])
)
class CustomerViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CustomerSerializer

    def get_queryset(self):
        if self.action == "list":
            queryset = selectors.customer_list(
                query=self.request.query_params.get("q", ""),
                status=self.request.query_params.get("status") or None,
            )
        else:
            queryset = Customer.objects.all()
        return queryset.prefetch_related("contacts")

    def perform_create(self, serializer):
        serializer.instance = services.customer_save(
            customer=Customer(**serializer.validated_data), actor=self.request.user
        )

    def perform_update(self, serializer):
        customer = serializer.instance
        for field, value in serializer.validated_data.items():
            setattr(customer, field, value)
        services.customer_save(customer=customer, actor=self.request.user, reason="Changed through the API")
