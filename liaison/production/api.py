"""API of the production app: notices (F4), read by role and written through the services.

A workshop lead lists and reads only their own workshop's notices; another
workshop's notice by id is not found. Issuing, voiding and progress are refused
with 403 for roles the procedure does not give them; the services check again.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from liaison.core.models import Department, linked_model
from liaison.production import selectors, services
from liaison.production.errors import ACTIONS
from liaison.production.models import NoticeLine, ProductionNotice
from liaison.production.states import NoticeStatus
from liaison.stock.models import Product


class NoticeLineSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.code", read_only=True)

    class Meta:
        model = NoticeLine
        fields = ["id", "product", "product_code", "order_line", "quantity", "specification"]


class ProductionNoticeSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True, default=None)
    workshop_name = serializers.CharField(source="workshop.name", read_only=True)
    superseded_by_number = serializers.CharField(source="superseded_by.number", read_only=True, default=None)
    supersedes = serializers.SerializerMethodField()
    days_late = serializers.SerializerMethodField()
    lines = NoticeLineSerializer(many=True, read_only=True)

    class Meta:
        model = ProductionNotice
        fields = [
            "id",
            "number",
            "order",
            "order_number",
            "workshop",
            "workshop_name",
            "due_date",
            "days_late",
            "replenishment",
            "instructions",
            "status",
            "progress_note",
            "issued_at",
            "issued_by",
            "completed_at",
            "completed_by",
            "voided_at",
            "voided_by",
            "void_reason",
            "superseded_by",
            "superseded_by_number",
            "supersedes",
            "change",
            "lines",
        ]
        read_only_fields = fields

    def get_days_late(self, notice) -> int:
        return notice.days_late()

    def get_supersedes(self, notice) -> int | None:
        predecessor = getattr(notice, "supersedes", None)  # selected with the notice
        return predecessor.pk if predecessor else None


class NoticeIssueLineSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3)
    order_line = serializers.PrimaryKeyRelatedField(
        queryset=linked_model(NoticeLine, "order_line").objects.all(), required=False, allow_null=True
    )
    specification = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class NoticeIssueSerializer(serializers.Serializer):
    order = serializers.PrimaryKeyRelatedField(
        queryset=linked_model(ProductionNotice, "order").objects.all(), required=False, allow_null=True
    )
    workshop = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    due_date = serializers.DateField()
    replenishment = serializers.BooleanField(required=False, default=False)
    instructions = serializers.CharField(required=False, allow_blank=True, default="")
    change = serializers.PrimaryKeyRelatedField(
        queryset=linked_model(ProductionNotice, "change").objects.all(), required=False, allow_null=True
    )
    lines = NoticeIssueLineSerializer(many=True, allow_empty=False)


class NoticeStartSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class NoticeVoidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class NoticeFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=NoticeStatus.choices, required=False)
    workshop = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False)
    replenishment = serializers.BooleanField(required=False, allow_null=True, default=None)
    overdue = serializers.BooleanField(required=False, help_text=_("Only open notices past their due date."))


@extend_schema_view(
    list=extend_schema(parameters=[NoticeFilter]),
    create=extend_schema(request=NoticeIssueSerializer, responses=ProductionNoticeSerializer),
    start=extend_schema(request=NoticeStartSerializer, responses=ProductionNoticeSerializer),
    complete=extend_schema(request=None, responses=ProductionNoticeSerializer),
    void=extend_schema(request=NoticeVoidSerializer, responses=ProductionNoticeSerializer),
)
class ProductionNoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Production notices (F4): list overdue first, read, issue (POST), start, complete, void."""

    serializer_class = ProductionNoticeSerializer
    step_actions = {
        "create": ACTIONS["issue"],
        "start": ACTIONS["progress"],
        "complete": ACTIONS["progress"],
        "void": ACTIONS["void"],
    }

    def get_queryset(self):
        if self.action != "list":
            return selectors.notice_visible_to(user=self.request.user)
        filters = NoticeFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        queryset = selectors.notice_list(
            workshop=params.get("workshop"),
            status=params.get("status"),
            replenishment=params.get("replenishment"),
        )
        if params.get("overdue"):
            queryset = queryset.filter(is_overdue=True)
        return selectors.notice_visible_to(user=self.request.user, queryset=queryset)

    def _answer(self, notice, code=status.HTTP_200_OK):
        notice = selectors.notice_get(pk=notice.pk)
        data = ProductionNoticeSerializer(notice, context=self.get_serializer_context()).data
        return Response(data, status=code)

    def create(self, request):
        body = NoticeIssueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        notice = services.notice_issue(
            order=data.get("order"),
            workshop=data["workshop"],
            due_date=data["due_date"],
            lines=data["lines"],
            actor=request.user,
            replenishment=data["replenishment"],
            instructions=data["instructions"],
            change=data.get("change"),
        )
        return self._answer(notice, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        notice = self.get_object()
        body = NoticeStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        note = body.validated_data["note"]
        return self._answer(services.notice_start(notice=notice, note=note, actor=request.user))

    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._answer(services.notice_complete(notice=self.get_object(), actor=request.user))

    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        notice = self.get_object()
        body = NoticeVoidSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reason = body.validated_data["reason"]
        return self._answer(services.notice_void(notice=notice, reason=reason, actor=request.user))
