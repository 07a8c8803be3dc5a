"""API of management reviews: meetings (plan, update, hold, cancel), their actions, and the review pack.

Every role with a role reads meetings and actions; top management plans and holds
meetings and decides actions; an action's owner (or top management) reports it done.
The pack (``GET /review-meetings/{id}/pack/``) is for those who read its sources.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from liaison.core import clock
from liaison.core.models import User
from liaison.reviews import pack, selectors, services
from liaison.reviews.errors import ACTIONS
from liaison.reviews.models import ReviewAction, ReviewMeeting
from liaison.reviews.states import ActionStatus, MeetingStatus


def _person(user) -> str | None:
    return (user.get_full_name() or user.get_username()) if user is not None else None


# Plain text in the schema: "status" names other apps' enums too, and the schema must stay warning-free.
def _status_field(choices) -> serializers.CharField:
    return serializers.CharField(
        read_only=True, help_text=_("One of: %(values)s.") % {"values": ", ".join(value for value, _label in choices)}
    )


class ReviewActionSerializer(serializers.ModelSerializer):
    status = _status_field(ActionStatus.choices)
    meeting_number = serializers.CharField(source="meeting.number", read_only=True)
    owner_name = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = ReviewAction
        fields = [
            "id", "meeting", "meeting_number", "description", "owner", "owner_name", "due_date", "is_overdue",
            "status", "outcome", "done_at", "cancel_reason", "created_at", "created_by",
        ]
        read_only_fields = fields

    def get_owner_name(self, record) -> str | None:
        return _person(record.owner)

    def get_is_overdue(self, record) -> bool:
        return record.status == ActionStatus.OPEN and record.due_date < clock.today()


class ReviewMeetingSerializer(serializers.ModelSerializer):
    status = _status_field(MeetingStatus.choices)
    chair_name = serializers.SerializerMethodField()
    actions = ReviewActionSerializer(many=True, read_only=True)

    class Meta:
        model = ReviewMeeting
        fields = [
            "id", "number", "title", "meeting_date", "chair", "chair_name", "participants", "agenda", "minutes",
            "status", "held_at", "cancel_reason", "actions", "created_at", "created_by",
        ]
        read_only_fields = fields

    def get_chair_name(self, record) -> str | None:
        return _person(record.chair)


def _users():
    return User.objects.filter(is_active=True)


class ActionInputSerializer(serializers.Serializer):
    description = serializers.CharField()
    owner = serializers.PrimaryKeyRelatedField(queryset=_users())
    due_date = serializers.DateField()


class MeetingPlanSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    meeting_date = serializers.DateField()
    chair = serializers.PrimaryKeyRelatedField(queryset=_users())
    participants = serializers.PrimaryKeyRelatedField(queryset=_users(), many=True, required=False, default=list)
    agenda = serializers.CharField(required=False, allow_blank=True, default="")


class MeetingUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    meeting_date = serializers.DateField(required=False)
    chair = serializers.PrimaryKeyRelatedField(queryset=_users(), required=False)
    participants = serializers.PrimaryKeyRelatedField(queryset=_users(), many=True, required=False)
    agenda = serializers.CharField(required=False, allow_blank=True)
    minutes = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text=_("Required once the meeting is held; kept in its history."),
    )


class MeetingHoldSerializer(serializers.Serializer):
    minutes = serializers.CharField(allow_blank=True)
    actions = ActionInputSerializer(many=True, required=False, default=list)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.CharField(allow_blank=True)


class FigureSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True)


class PackActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    meeting = serializers.CharField()
    description = serializers.CharField()
    owner = serializers.IntegerField()
    owner_name = serializers.CharField(allow_null=True)
    due_date = serializers.DateField()
    status = _status_field(ActionStatus.choices)
    is_overdue = serializers.BooleanField()
    outcome = serializers.CharField()


class PackMeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    meeting_date = serializers.DateField()
    status = serializers.CharField()
    chair_name = serializers.CharField(allow_null=True)
    agenda = serializers.CharField()
    minutes = serializers.CharField()
    actions = PackActionSerializer(many=True)


class PackCapaLineSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    customer = serializers.CharField(required=False)
    department = serializers.CharField(required=False)
    due_date = serializers.DateField(required=False)


class PackSatisfactionSerializer(serializers.Serializer):
    survey_round = serializers.CharField(allow_null=True)
    survey_round_status = serializers.CharField(allow_null=True)
    analysis_available = serializers.BooleanField()
    response_rate = serializers.FloatField(allow_null=True, help_text=_("Percent of the forms sent."))
    index = serializers.FloatField(allow_null=True)
    csat = serializers.FloatField(allow_null=True, help_text=_("Percent satisfied."))
    criteria = FigureSerializer(many=True)
    distribution = FigureSerializer(many=True)
    trend = FigureSerializer(many=True)
    customers = FigureSerializer(many=True)
    capa_requests = PackCapaLineSerializer(many=True)
    analysis = serializers.JSONField(allow_null=True, help_text=_("The analysis as the satisfaction app gives it."))


class PackCapaSerializer(serializers.Serializer):
    counts = serializers.DictField(child=serializers.IntegerField())
    issued_in_period = serializers.DictField(child=serializers.IntegerField())
    overdue = PackCapaLineSerializer(many=True)


class DeliveryRowSerializer(serializers.Serializer):
    workshop = serializers.CharField()
    completed = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    mean_days_late = serializers.FloatField(allow_null=True)
    open_overdue = serializers.IntegerField()


class PackDeliverySerializer(serializers.Serializer):
    rows = DeliveryRowSerializer(many=True)
    total = DeliveryRowSerializer()


class ReviewPackSerializer(serializers.Serializer):
    meeting = PackMeetingSerializer()
    previous_meeting = serializers.CharField(allow_null=True)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    made_at = serializers.DateTimeField()
    satisfaction = PackSatisfactionSerializer()
    complaint_report = serializers.JSONField(allow_null=True, help_text=_("QC's complaint handling report (R-3.3)."))
    capa = PackCapaSerializer()
    previous_actions = PackActionSerializer(many=True)
    delivery = PackDeliverySerializer()


@extend_schema_view(
    create=extend_schema(request=MeetingPlanSerializer, responses=ReviewMeetingSerializer),
    partial_update=extend_schema(request=MeetingUpdateSerializer, responses=ReviewMeetingSerializer),
    hold=extend_schema(request=MeetingHoldSerializer, responses=ReviewMeetingSerializer),
    cancel=extend_schema(request=ReasonSerializer, responses=ReviewMeetingSerializer),
    actions=extend_schema(request=ActionInputSerializer, responses={201: ReviewActionSerializer}),
    pack=extend_schema(responses=ReviewPackSerializer),
)
class ReviewMeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Management review meetings: list (latest first), read with actions, plan (POST), change (PATCH),
    hold with minutes, cancel, add an action, and the review pack (R-5.6.7)."""

    serializer_class = ReviewMeetingSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    step_actions = {
        "create": ACTIONS["plan"],
        "partial_update": ACTIONS["change"],
        "hold": ACTIONS["hold"],
        "cancel": ACTIONS["cancel"],
        "actions": ACTIONS["add_action"],
        "pack": ACTIONS["read_pack"],
    }

    def get_queryset(self):
        return (
            ReviewMeeting.objects.select_related("chair")
            .prefetch_related(
                "participants", Prefetch("actions", queryset=ReviewAction.objects.select_related("owner", "meeting"))
            )
            .order_by("-meeting_date", "-pk")
        )

    def _answer(self, meeting, code=status.HTTP_200_OK):
        meeting = self.get_queryset().get(pk=meeting.pk)
        return Response(ReviewMeetingSerializer(meeting, context=self.get_serializer_context()).data, status=code)

    def create(self, request):
        body = MeetingPlanSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.meeting_plan(actor=request.user, **body.validated_data), status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        meeting = self.get_object()
        body = MeetingUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        reason = data.pop("reason", "")
        participants = data.pop("participants", None)
        return self._answer(
            services.meeting_update(meeting=meeting, actor=request.user, reason=reason, participants=participants, **data)
        )

    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        meeting = self.get_object()
        body = MeetingHoldSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        return self._answer(
            services.meeting_hold(
                meeting=meeting, minutes=data["minutes"], actions=[dict(item) for item in data["actions"]],
                actor=request.user,
            )
        )

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        meeting = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.meeting_cancel(meeting=meeting, actor=request.user, **body.validated_data))

    @action(detail=True, methods=["post"])
    def actions(self, request, pk=None):
        meeting = self.get_object()
        body = ActionInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        record = services.action_add(meeting=meeting, actor=request.user, **body.validated_data)
        record = ReviewAction.objects.select_related("owner", "meeting").get(pk=record.pk)
        return Response(ReviewActionSerializer(record).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"])
    def pack(self, request, pk=None):
        try:
            review = pack.pack_build(meeting_pk=int(pk))
        except (ReviewMeeting.DoesNotExist, ValueError):
            raise NotFound from None
        return Response(pack.pack_as_dict(review))


@extend_schema_view(
    complete=extend_schema(request=OutcomeSerializer, responses=ReviewActionSerializer),
    cancel=extend_schema(request=ReasonSerializer, responses=ReviewActionSerializer),
)
class ReviewActionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Actions decided by management reviews: list (open and overdue first), read, report done, cancel."""

    serializer_class = ReviewActionSerializer
    step_actions = {"complete": ACTIONS["complete"], "cancel": ACTIONS["cancel_action"]}

    def get_queryset(self):
        if self.action == "list":
            return selectors.actions_open() if self.request.query_params.get("open") else (
                ReviewAction.objects.select_related("owner", "meeting").order_by("due_date", "pk")
            )
        return ReviewAction.objects.select_related("owner", "meeting")

    @extend_schema(parameters=[OpenApiParameter("open", bool, description="Only open actions, overdue first.")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _answer(self, record):
        record = ReviewAction.objects.select_related("owner", "meeting").get(pk=record.pk)
        return Response(ReviewActionSerializer(record).data)

    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        record = self.get_object()
        body = OutcomeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.action_complete(action=record, actor=request.user, **body.validated_data))

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        record = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.action_cancel(action=record, actor=request.user, **body.validated_data))
