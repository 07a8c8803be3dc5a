"""API of CAPA requests (F7): read by role and written through the CAPA services.

A department's member lists and reads only the requests issued to their
department; another department's request by id is not found. Each step is refused
with 403 for roles the procedure does not give it; the services check again.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from liaison.core.models import Department
from liaison.customers.models import Customer
from liaison.quality.capa import selectors, services
from liaison.quality.capa.errors import ACTIONS
from liaison.quality.models import CapaRequest, CapaStep
from liaison.quality.states import CapaKind, CapaStatus, Effectiveness


def source_reference(record) -> str | None:
    """``"app_label.model:id"`` of a request's source, or None when raised by hand."""
    if record.source_type_id is None:
        return None
    return f"{record.source_type.app_label}.{record.source_type.model}:{record.source_id}"


@extend_schema_field(OpenApiTypes.STR)
class SourceField(serializers.Field):
    """A source given as ``"app_label.model:id"`` (``"quality.complaint:12"``), or null."""

    default_error_messages = {
        "invalid": _('Give the source as "app_label.model:id", e.g. "quality.complaint:12".'),
        "not_found": _("There is no %(reference)s."),
    }

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def to_representation(self, value):
        return value

    def to_internal_value(self, data):
        if not isinstance(data, str) or ":" not in data or "." not in data.split(":", 1)[0]:
            self.fail("invalid")
        label, _sep, pk = data.partition(":")
        app_label, _dot, model = label.partition(".")
        if not pk.isdigit():
            self.fail("invalid")
        try:
            content_type = ContentType.objects.get_by_natural_key(app_label, model.lower())
            return content_type.get_object_for_this_type(pk=int(pk))
        except ObjectDoesNotExist:
            self.fail("not_found", reference=data)


class CapaStepSerializer(serializers.ModelSerializer):
    signed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = CapaStep
        fields = ["id", "meaning", "signed_by", "signed_by_name", "signed_at", "note"]
        read_only_fields = fields

    def get_signed_by_name(self, step) -> str:
        return step.signed_by.get_full_name() or step.signed_by.get_username()


class CapaRequestSerializer(serializers.ModelSerializer):
    source = serializers.SerializerMethodField()
    department_name = serializers.CharField(source="department.name", read_only=True)
    customer_name = serializers.CharField(
        source="customer.registered_name", read_only=True, default=None
    )
    is_overdue = serializers.BooleanField(read_only=True)
    steps = CapaStepSerializer(many=True, read_only=True)
    warning = serializers.SerializerMethodField(
        help_text=_("Set when the last effectiveness judgment came before the check date.")
    )

    class Meta:
        model = CapaRequest
        fields = [
            "id",
            "number",
            "kind",
            "source_kind",
            "source",
            "customer",
            "customer_name",
            "department",
            "department_name",
            "problem",
            "due_date",
            "is_overdue",
            "effectiveness_criterion",
            "effectiveness_check_date",
            "status",
            "corrective_action",
            "preventive_action",
            "implementation",
            "effectiveness",
            "checked_early",
            "early_check_reason",
            "warning",
            "closed_at",
            "created_at",
            "created_by",
            "steps",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_source(self, record) -> str | None:
        return source_reference(record)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_warning(self, record) -> str | None:
        return services.checked_early_warning(record)


class CapaIssueSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CapaKind.choices, required=False, default=CapaKind.CORRECTIVE)
    source = SourceField(required=False, default=None)
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    problem = serializers.CharField()
    effectiveness_criterion = serializers.CharField(allow_blank=True)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    effectiveness_check_date = serializers.DateField(required=False, allow_null=True, default=None)
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(), required=False, allow_null=True, default=None
    )


class CapaNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CapaImplementSerializer(serializers.Serializer):
    corrective_action = serializers.CharField()
    preventive_action = serializers.CharField()
    implementation = serializers.CharField()


class CapaSendBackSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    new_due_date = serializers.DateField(required=False, allow_null=True, default=None)


class CapaEffectivenessSerializer(serializers.Serializer):
    effectiveness = serializers.ChoiceField(choices=Effectiveness.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    new_due_date = serializers.DateField(required=False, allow_null=True, default=None)
    early_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Why effectiveness is judged before its check date; required then."),
    )


class CapaFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=CapaStatus.choices, required=False)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False
    )
    overdue = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Only open requests past their due date."),
    )


@extend_schema_view(
    list=extend_schema(parameters=[CapaFilter]),
    create=extend_schema(request=CapaIssueSerializer, responses=CapaRequestSerializer),
    review=extend_schema(request=CapaNoteSerializer, responses=CapaRequestSerializer),
    implement=extend_schema(request=CapaImplementSerializer, responses=CapaRequestSerializer),
    verify_execution=extend_schema(request=CapaNoteSerializer, responses=CapaRequestSerializer),
    send_back=extend_schema(request=CapaSendBackSerializer, responses=CapaRequestSerializer),
    verify_effectiveness=extend_schema(
        request=CapaEffectivenessSerializer, responses=CapaRequestSerializer
    ),
)
class CapaRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """CAPA requests (F7): list overdue first, read with steps, issue (POST), review,
    implement, verify execution or send back as not done, verify effectiveness."""

    serializer_class = CapaRequestSerializer
    step_actions = {
        "create": ACTIONS["issue"],
        "review": ACTIONS["review"],
        "implement": ACTIONS["implement"],
        "verify_execution": ACTIONS["verify"],
        "send_back": ACTIONS["verify"],
        "verify_effectiveness": ACTIONS["verify"],
    }

    def get_queryset(self):
        if self.action != "list":
            queryset = selectors.capa_with_steps(selectors.capa_queryset())
            return selectors.capa_visible_to(user=self.request.user, queryset=queryset)
        filters = CapaFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        queryset = selectors.capa_list(
            department=params.get("department"),
            status=params.get("status"),
            overdue=params.get("overdue"),
        )
        queryset = selectors.capa_with_steps(queryset)
        return selectors.capa_visible_to(user=self.request.user, queryset=queryset)

    def _answer(self, record, code=status.HTTP_200_OK):
        record = selectors.capa_get(pk=record.pk)
        return Response(
            CapaRequestSerializer(record, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request):
        body = CapaIssueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        record = services.capa_issue(
            source=data["source"],
            department=data["department"],
            problem=data["problem"],
            effectiveness_criterion=data["effectiveness_criterion"],
            due_date=data["due_date"],
            effectiveness_check_date=data["effectiveness_check_date"],
            customer=data["customer"],
            kind=data["kind"],
            actor=request.user,
        )
        return self._answer(record, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        record = self.get_object()
        body = CapaNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(
            services.capa_review(capa=record, actor=request.user, **body.validated_data)
        )

    @action(detail=True, methods=["post"])
    def implement(self, request, pk=None):
        record = self.get_object()
        body = CapaImplementSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(
            services.capa_implement(capa=record, actor=request.user, **body.validated_data)
        )

    @action(detail=True, methods=["post"], url_path="verify-execution")
    def verify_execution(self, request, pk=None):
        record = self.get_object()
        body = CapaNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(
            services.capa_verify_execution(capa=record, actor=request.user, **body.validated_data)
        )

    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        """QC finds the implementation not done: back to the department with the reason."""
        record = self.get_object()
        body = CapaSendBackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.capa_send_back(capa=record, actor=request.user, **body.validated_data))

    @action(detail=True, methods=["post"], url_path="verify-effectiveness")
    def verify_effectiveness(self, request, pk=None):
        record = self.get_object()
        body = CapaEffectivenessSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(
            services.capa_verify_effectiveness(capa=record, actor=request.user, **body.validated_data)
        )
