"""API of retention (R-5.7): policies (read; an administrator updates), legal holds (place, release),
the disposal log (read) and the retention overview (read). Nothing here deletes anything."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from liaison.core.models import Department
from liaison.records import registry, selectors, services
from liaison.records.errors import ACTIONS
from liaison.records.models import DisposalLogEntry, LegalHold, RetentionPolicy
from liaison.records.states import record_type_label


class RetentionPolicySerializer(serializers.ModelSerializer):
    record_type_label = serializers.SerializerMethodField()
    period = serializers.CharField(source="period_text", read_only=True)

    class Meta:
        model = RetentionPolicy
        fields = ["id", "record_type", "record_type_label", "department", "years", "months", "period",
                  "below_minimum", "active", "updated_at", "updated_by"]
        read_only_fields = fields

    def get_record_type_label(self, policy) -> str:
        return record_type_label(policy.record_type)


class PolicyUpdateSerializer(serializers.Serializer):
    years = serializers.IntegerField(min_value=0, max_value=100)
    months = serializers.IntegerField(min_value=0, max_value=11, default=0)
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), allow_null=True, required=False)
    active = serializers.BooleanField(default=True)
    below_minimum = serializers.BooleanField(
        default=False,
        help_text=_("An administrator's override: a period shorter than the procedure's 2 years (R-5.7)."),
    )
    reason = serializers.CharField(max_length=100, help_text=_("Why the policy changes; kept in its history."))


class LegalHoldSerializer(serializers.ModelSerializer):
    record_type_label = serializers.SerializerMethodField()
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = LegalHold
        fields = ["id", "record_type", "record_type_label", "object_id", "number", "reason", "active", "placed_at",
                  "placed_by", "released_at", "released_by", "release_reason"]
        read_only_fields = fields

    def get_record_type_label(self, hold) -> str:
        return record_type_label(hold.record_type)


class HoldPlaceSerializer(serializers.Serializer):
    record_type = serializers.ChoiceField(choices=registry.choices())
    object_id = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=300)


class HoldReleaseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class DisposalLogEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = DisposalLogEntry
        fields = ["id", "run", "record_type", "object_id", "number", "retention_started", "retention_ended",
                  "policy", "policy_period", "archive_path", "sha256", "files", "disposed_at"]
        read_only_fields = fields


class OverviewRowSerializer(serializers.Serializer):
    record_type = serializers.CharField(source="record_type.code")
    label = serializers.CharField(source="record_type.label")
    requirement = serializers.CharField(source="record_type.requirement")
    owner = serializers.CharField()
    period = serializers.CharField(source="policy.period_text")
    active = serializers.BooleanField(source="policy.active")
    total = serializers.IntegerField()
    in_retention = serializers.IntegerField()
    past_retention = serializers.IntegerField()
    due_this_month = serializers.IntegerField()
    on_hold = serializers.IntegerField()
    next_disposal = serializers.DateTimeField(allow_null=True)


@extend_schema_view(
    partial_update=extend_schema(request=PolicyUpdateSerializer, responses=RetentionPolicySerializer),
)
class RetentionPolicyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Retention policies, one per record type; PATCH by an administrator, with a reason."""

    serializer_class = RetentionPolicySerializer
    queryset = RetentionPolicy.objects.select_related("department").order_by("record_type")
    http_method_names = ["get", "patch", "head", "options"]
    step_actions = {"partial_update": ACTIONS["policy_change"]}

    def partial_update(self, request, pk=None):
        body = PolicyUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        policy = self.get_object()
        policy = services.policy_update(
            policy=policy,
            years=data["years"],
            months=data["months"],
            department=data.get("department", policy.department),
            active=data["active"],
            actor=request.user,
            reason=data["reason"],
            below_minimum=data["below_minimum"],
        )
        return Response(RetentionPolicySerializer(policy).data)


@extend_schema_view(
    create=extend_schema(request=HoldPlaceSerializer, responses=LegalHoldSerializer),
    release=extend_schema(request=HoldReleaseSerializer, responses=LegalHoldSerializer),
)
class LegalHoldViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Legal holds: place one (POST), release it (POST …/release/); a held record is not disposed of."""

    serializer_class = LegalHoldSerializer
    queryset = LegalHold.objects.select_related("placed_by", "released_by").order_by("-placed_at", "-pk")
    step_actions = {"create": ACTIONS["hold_place"], "release": ACTIONS["hold_release"]}

    def create(self, request):
        body = HoldPlaceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        hold = services.hold_place(actor=request.user, **body.validated_data)
        return Response(LegalHoldSerializer(hold).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        body = HoldReleaseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        hold = services.hold_release(hold=self.get_object(), reason=body.validated_data["reason"], actor=request.user)
        return Response(LegalHoldSerializer(hold).data)


class DisposalLogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The disposal log: what was disposed of, when, under which policy, where its archive is. Read-only."""

    serializer_class = DisposalLogEntrySerializer

    def get_queryset(self):
        return selectors.disposal_log()


class RetentionOverviewView(APIView):
    """Per record type: owner, period, how many records, in retention, due this month, on hold, next disposal."""

    # No model is the overview's: reading it is its own step (core.drf.RolePermission).
    step_actions = {"get": ACTIONS["overview"]}

    @extend_schema(responses=OverviewRowSerializer(many=True))
    def get(self, request):
        return Response(OverviewRowSerializer(selectors.overview(), many=True).data)
