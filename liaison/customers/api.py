"""API of the customers app; writes go through the same services as the back office."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from liaison.core.concurrency import VersionedSerializerMixin, VersionedUpdateMixin
from liaison.customers import selectors, services
from liaison.customers.models import Contact, Customer
from liaison.customers.states import CustomerStatus


class ReasonMixin(serializers.Serializer):
    change_reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=100,
        help_text=_("Why the record changes; kept in its history."),
    )


class ContactSerializer(VersionedSerializerMixin, ReasonMixin, serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = [
            "id", "customer", "name", "position", "phone", "mobile", "fax", "email",
            "is_primary", "active", "notes", "change_reason", "version",
        ]

    def validate_customer(self, customer):
        if self.instance is not None and customer != self.instance.customer:
            raise serializers.ValidationError(_("A contact cannot be moved to another customer."))
        return customer


class CustomerContactSerializer(serializers.ModelSerializer):
    """A contact as shown inside its customer."""

    class Meta:
        model = Contact
        fields = [
            "id", "name", "position", "phone", "mobile", "fax", "email", "is_primary", "active", "notes",
        ]


class CustomerSerializer(VersionedSerializerMixin, ReasonMixin, serializers.ModelSerializer):
    contacts = CustomerContactSerializer(many=True, read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id", "registered_name", "short_name", "address", "phone", "fax", "email",
            "business_scope", "company_profile", "status", "contacts", "created_at", "updated_at",
            "change_reason", "version",
        ]
        read_only_fields = ["created_at", "updated_at"]


class ServiceSaveMixin:
    """Create and update through the app's save service, with the caller's reason."""

    model = None
    save_service = None

    def _save(self, serializer, instance):
        data = dict(serializer.validated_data)
        reason = data.pop("change_reason", "")
        for field, value in data.items():
            setattr(instance, field, value)
        name = self.model._meta.model_name
        serializer.instance = self.save_service(
            **{name: instance}, actor=self.request.user, reason=reason
        )

    def perform_create(self, serializer):
        self._save(serializer, self.model())

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "q", str, description="Name in either Chinese script, pinyin or initials; or phone"
            ),
            OpenApiParameter("status", str, enum=CustomerStatus.values),
        ]
    )
)
class CustomerViewSet(
    VersionedUpdateMixin,
    ServiceSaveMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Customers' master data sheets (F9) with their contacts. Never deleted."""

    serializer_class = CustomerSerializer
    model = Customer
    save_service = staticmethod(services.customer_save)

    def get_queryset(self):
        if self.action == "list":
            status = self.request.query_params.get("status") or None
            if status is not None and status not in CustomerStatus.values:
                raise serializers.ValidationError(
                    {"status": [_("Unknown status “%(status)s”.") % {"status": status}]}
                )
            return selectors.customer_list(query=self.request.query_params.get("q", ""), status=status)
        return Customer.objects.prefetch_related("contacts")


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("customer", int)]))
class ContactViewSet(
    VersionedUpdateMixin,
    ServiceSaveMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """People at customers and how to reach them. Never deleted; set inactive instead."""

    serializer_class = ContactSerializer
    model = Contact
    save_service = staticmethod(services.contact_save)

    def get_queryset(self):
        customer = self.request.query_params.get("customer") if self.action == "list" else None
        if customer is not None and not customer.isdigit():
            raise serializers.ValidationError({"customer": [_("Give the customer's id.")]})
        return selectors.contact_list(customer_id=int(customer) if customer else None)
