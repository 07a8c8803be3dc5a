"""API of the communications app; writes go through the same services as the back office."""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from liaison.communications import selectors, services
from liaison.communications.errors import ACTIONS
from liaison.communications.models import CommunicationRecord, ReceivedDocument
from liaison.communications.states import ReceivedDocumentStatus, Topic
from liaison.core.models import Attachment
from liaison.customers.models import Customer


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "mime_type", "size", "sha256", "url"]

    def get_url(self, attachment) -> str:
        path = reverse("communications:received-file", args=[attachment.owner_id, attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ReceivedDocumentSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.registered_name", read_only=True)
    files = AttachmentSerializer(source="attachments", many=True, read_only=True)
    file = serializers.ListField(
        child=serializers.FileField(),
        write_only=True,
        required=False,
        help_text=_("The scanned or faxed file; repeat the field to attach several."),
    )

    class Meta:
        model = ReceivedDocument
        fields = [
            "id",
            "number",
            "channel",
            "customer",
            "customer_name",
            "received_at",
            "summary",
            "status",
            "voided_at",
            "voided_by",
            "void_reason",
            "files",
            "file",
            "created_at",
            "created_by",
        ]
        read_only_fields = [
            "number",
            "status",
            "voided_at",
            "voided_by",
            "void_reason",
            "created_at",
            "created_by",
        ]
        extra_kwargs = {"received_at": {"required": False}}


class VoidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class ReceivedDocumentFilter(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, default="")
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    status = serializers.ChoiceField(choices=ReceivedDocumentStatus.choices, required=False)


@extend_schema_view(
    list=extend_schema(parameters=[ReceivedDocumentFilter]),
    void=extend_schema(request=VoidSerializer, responses=ReceivedDocumentSerializer),
)
class ReceivedDocumentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The received-document catalogue (R-5.2.2.3): faxes, letters, scanned orders, e-mails."""

    serializer_class = ReceivedDocumentSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    step_actions = {"create": ACTIONS["catalogue"], "void": ACTIONS["void"]}

    def get_queryset(self):
        if self.action != "list":
            return selectors.received_document_list()
        filters = ReceivedDocumentFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        return selectors.received_document_list(
            query=params["q"],
            customer=params.get("customer"),
            date_from=params.get("date_from"),
            date_to=params.get("date_to"),
            status=params.get("status"),
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.received_document_catalogue(
            customer=data["customer"],
            channel=data["channel"],
            received_at=data.get("received_at"),
            summary=data["summary"],
            upload=data.get("file", []),
            actor=self.request.user,
        )
        # Answer with the files just stored, as a later GET would.
        serializer.instance = selectors.received_document_get(pk=serializer.instance.pk)

    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        document = self.get_object()
        body = VoidSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.received_document_void(
            document=document, reason=body.validated_data["reason"], actor=request.user
        )
        document = selectors.received_document_get(pk=document.pk)
        return Response(self.get_serializer(document).data, status=status.HTTP_200_OK)


class CommunicationRecordSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.registered_name", read_only=True)
    staff_name = serializers.SerializerMethodField()
    about_type = serializers.SerializerMethodField()

    class Meta:
        model = CommunicationRecord
        fields = [
            "id",
            "customer",
            "customer_name",
            "occurred_at",
            "channel",
            "direction",
            "topic",
            "summary",
            "staff",
            "staff_name",
            "about_type",
            "about_id",
            "source",
            "created_at",
        ]
        read_only_fields = ["staff", "about_id", "source", "created_at"]
        extra_kwargs = {"occurred_at": {"required": False}}

    def get_staff_name(self, record) -> str:
        return str(record.staff) if record.staff else ""

    def get_about_type(self, record) -> str | None:
        return (
            f"{record.about_type.app_label}.{record.about_type.model}"
            if record.about_type
            else None
        )


class CommunicationRecordCreateSerializer(CommunicationRecordSerializer):
    about = serializers.CharField(
        write_only=True,
        required=False,
        help_text=_("The record it concerns, as app.model:id, e.g. orders.order:12."),
    )

    class Meta(CommunicationRecordSerializer.Meta):
        fields = [*CommunicationRecordSerializer.Meta.fields, "about"]

    def validate_about(self, value: str):
        """Resolve ``app.model:id`` to a record the caller may see."""
        not_found = serializers.ValidationError(
            _("No record “%(about)s” to link to.") % {"about": value}
        )
        label, _colon, pk = value.partition(":")
        app_label, _dot, model = label.partition(".")
        try:
            content_type = ContentType.objects.get_by_natural_key(app_label, model)
        except ContentType.DoesNotExist:
            raise not_found from None
        model_class = content_type.model_class()
        user = self.context["request"].user
        if (
            model_class is None
            or not pk.isdigit()
            or not user.has_perm(f"{app_label}.view_{model}")
        ):
            raise not_found
        try:
            return model_class._default_manager.get(pk=int(pk))
        except model_class.DoesNotExist:
            raise not_found from None


class CommunicationRecordFilter(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False)
    topic = serializers.ChoiceField(choices=Topic.choices, required=False)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


@extend_schema_view(
    list=extend_schema(parameters=[CommunicationRecordFilter]),
    create=extend_schema(
        request=CommunicationRecordCreateSerializer, responses=CommunicationRecordSerializer
    ),
)
class CommunicationRecordViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The communication record, F5 (R-5.4)."""

    step_actions = {"create": ACTIONS["record"]}

    def get_serializer_class(self):
        return (
            CommunicationRecordCreateSerializer
            if self.action == "create"
            else CommunicationRecordSerializer
        )

    def get_queryset(self):
        if self.action != "list":
            return selectors.communication_record_list()
        filters = CommunicationRecordFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.communication_record_list(**filters.validated_data)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.communication_record(
            customer=data["customer"],
            channel=data["channel"],
            direction=data["direction"],
            topic=data["topic"],
            summary=data["summary"],
            occurred_at=data.get("occurred_at"),
            about=data.get("about"),
            actor=self.request.user,
        )
