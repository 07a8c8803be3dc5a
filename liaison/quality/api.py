"""API of complaints and returns (F6), returned goods, nonconformance records and other feedback.

Reading needs the model's view permission (Sales, QC, management); each step is
refused with 403 for roles the procedure does not give it, and the services check again.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from liaison.core.models import Department
from liaison.customers.models import Customer
from liaison.orders.models import Order
from liaison.quality import selectors
from liaison.quality.errors import ACTIONS
from liaison.quality.models import Complaint, Feedback, NonconformanceRecord, ReturnLine
from liaison.quality.services import complaints, returns
from liaison.quality.services import feedback as feedback_services
from liaison.quality.states import (
    CauseCategory,
    ComplaintChannel,
    ComplaintKind,
    ComplaintStatus,
    Disposition,
    FeedbackKind,
)
from liaison.stock.models import Product

QUANTITY = {"max_digits": 14, "decimal_places": 3}


class ReturnLineSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.code", read_only=True)
    remaining = serializers.DecimalField(
        **QUANTITY, read_only=True, help_text=_("Still to inspect: neither inspected nor recorded as not coming.")
    )

    class Meta:
        model = ReturnLine
        fields = [
            "id",
            "product",
            "product_code",
            "quantity",
            "arrived",
            "good",
            "nonconforming",
            "replacement_needed",
            "inspected_at",
            "inspected_by",
            "not_coming",
            "not_coming_reason",
            "not_coming_at",
            "not_coming_by",
            "remaining",
        ]
        read_only_fields = fields


class ComplaintSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.registered_name", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True, default=None)
    acknowledge_overdue = serializers.BooleanField(read_only=True)
    resolve_overdue = serializers.BooleanField(read_only=True)
    return_lines = ReturnLineSerializer(many=True, read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "kind",
            "status",
            "customer",
            "customer_name",
            "channel",
            "complaint_date",
            "content",
            "order",
            "order_number",
            "product",
            "lot",
            "requested_remedy",
            "registered_at",
            "acknowledge_due",
            "resolve_due",
            "acknowledge_overdue",
            "resolve_overdue",
            "acknowledged_at",
            "acknowledged_by",
            "cause_category",
            "why_chain",
            "root_cause",
            "containment",
            "company_at_fault",
            "investigated_at",
            "investigated_by",
            "result",
            "result_recorded_at",
            "result_recorded_by",
            "feedback_summary",
            "feedback_at",
            "feedback_by",
            "closed_at",
            "return_lines",
        ]
        read_only_fields = fields


class ReturnLineInputSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    quantity = serializers.DecimalField(**QUANTITY)


class ComplaintRegisterSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    kind = serializers.ChoiceField(choices=ComplaintKind.choices, default=ComplaintKind.COMPLAINT)
    channel = serializers.ChoiceField(choices=ComplaintChannel.choices)
    complaint_date = serializers.DateField()
    content = serializers.CharField()
    order = serializers.PrimaryKeyRelatedField(
        queryset=Order.objects.all(), required=False, allow_null=True
    )
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True
    )
    lot = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    requested_remedy = serializers.CharField(required=False, allow_blank=True, default="")
    return_lines = ReturnLineInputSerializer(many=True, required=False, default=list)


class InvestigateSerializer(serializers.Serializer):
    cause_category = serializers.ChoiceField(choices=CauseCategory.choices)
    why_chain = serializers.ListField(child=serializers.CharField(), min_length=1, max_length=5)
    root_cause = serializers.CharField()
    containment = serializers.CharField(required=False, allow_blank=True, default="")
    company_at_fault = serializers.BooleanField()


class ResultSerializer(serializers.Serializer):
    result = serializers.CharField()


class FeedBackSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=ComplaintChannel.choices)
    summary = serializers.CharField()


class ComplaintVoidSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text=_("Why the complaint is voided (registered in error)."))


class ReplaceSerializer(serializers.Serializer):
    workshop = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True, default=None
    )
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class ReplaceAnswerSerializer(serializers.Serializer):
    slip = serializers.CharField(allow_null=True)
    notice = serializers.CharField(allow_null=True)


class InspectSerializer(serializers.Serializer):
    arrived = serializers.DecimalField(**QUANTITY)
    good = serializers.DecimalField(**QUANTITY)
    nonconforming = serializers.DecimalField(**QUANTITY)
    replacement_needed = serializers.DecimalField(**QUANTITY, required=False, default=0)
    nonconformity = serializers.CharField(required=False, allow_blank=True, default="")


class NotComingSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text=_("Why the rest of the returned goods is not coming."))


class ComplaintFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=ComplaintStatus.choices, required=False)
    kind = serializers.ChoiceField(choices=ComplaintKind.choices, required=False)
    overdue = serializers.BooleanField(required=False, help_text=_("Only complaints past a timer."))
    q = serializers.CharField(
        required=False, help_text=_("Number, or the customer's name in either script.")
    )
    scope = serializers.ChoiceField(
        choices=[("open", _("Open complaints, overdue first")), ("all", _("All complaints, newest first"))],
        required=False,
        default="open",
        help_text=_("Open complaints (the default), or all; a closed or void status or a search looks at all."),
    )


def _lines_prefetched(queryset):
    return queryset.prefetch_related("return_lines__product")


@extend_schema_view(
    list=extend_schema(parameters=[ComplaintFilter]),
    create=extend_schema(request=ComplaintRegisterSerializer, responses=ComplaintSerializer),
    acknowledge=extend_schema(request=None, responses=ComplaintSerializer),
    investigate=extend_schema(request=InvestigateSerializer, responses=ComplaintSerializer),
    result=extend_schema(request=ResultSerializer, responses=ComplaintSerializer),
    feedback=extend_schema(request=FeedBackSerializer, responses=ComplaintSerializer),
    close=extend_schema(request=None, responses=ComplaintSerializer),
    void=extend_schema(request=ComplaintVoidSerializer, responses=ComplaintSerializer),
    replace=extend_schema(request=ReplaceSerializer, responses=ReplaceAnswerSerializer),
)
class ComplaintViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Complaints and returns (F6): list (open ones overdue first, or all), read, register (POST) and each step."""

    serializer_class = ComplaintSerializer
    step_actions = {
        "create": ACTIONS["register"],
        "acknowledge": ACTIONS["acknowledge"],
        "investigate": ACTIONS["investigate"],
        "result": ACTIONS["record_result"],
        "feedback": ACTIONS["feedback"],
        "close": ACTIONS["feedback"],
        "void": ACTIONS["void"],
        "replace": (ACTIONS["replace_by_notice"], ACTIONS["replace_by_slip"]),
    }

    def get_queryset(self):
        if self.action != "list":
            return _lines_prefetched(selectors.with_timers(selectors.complaint_queryset()))
        filters = ComplaintFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        return _lines_prefetched(
            selectors.complaint_list(
                status=params.get("status"),
                kind=params.get("kind"),
                overdue_only=params.get("overdue", False),
                query=params.get("q", ""),
                scope=params.get("scope", "open"),
            )
        )

    def _answer(self, complaint, code=status.HTTP_200_OK):
        complaint = _lines_prefetched(selectors.with_timers(selectors.complaint_queryset())).get(
            pk=complaint.pk
        )
        return Response(
            ComplaintSerializer(complaint, context=self.get_serializer_context()).data, status=code
        )

    def _body(self, serializer_class):
        body = serializer_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        return body.validated_data

    def create(self, request):
        data = self._body(ComplaintRegisterSerializer)
        complaint = complaints.complaint_register(actor=request.user, **data)
        return self._answer(complaint, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self._answer(
            complaints.complaint_acknowledge(complaint=self.get_object(), actor=request.user)
        )

    @action(detail=True, methods=["post"])
    def investigate(self, request, pk=None):
        complaint = self.get_object()
        data = self._body(InvestigateSerializer)
        return self._answer(
            complaints.complaint_investigate(complaint=complaint, actor=request.user, **data)
        )

    @action(detail=True, methods=["post"])
    def result(self, request, pk=None):
        complaint = self.get_object()
        data = self._body(ResultSerializer)
        return self._answer(
            complaints.complaint_record_result(complaint=complaint, actor=request.user, **data)
        )

    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        complaint = self.get_object()
        data = self._body(FeedBackSerializer)
        return self._answer(
            complaints.complaint_feed_back(complaint=complaint, actor=request.user, **data)
        )

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._answer(
            complaints.complaint_close(complaint=self.get_object(), actor=request.user)
        )

    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        """The Sales head voids a complaint registered in error, before QC investigates it; its number stays."""
        complaint = self.get_object()
        data = self._body(ComplaintVoidSerializer)
        return self._answer(complaints.complaint_void(complaint=complaint, actor=request.user, **data))

    @action(detail=True, methods=["post"])
    def replace(self, request, pk=None):
        complaint = self.get_object()
        data = self._body(ReplaceSerializer)
        slip, notice = returns.return_replace(complaint=complaint, actor=request.user, **data)
        return Response(
            {"slip": slip.number if slip else None, "notice": notice.number if notice else None},
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    inspect=extend_schema(request=InspectSerializer, responses=ReturnLineSerializer),
    not_coming=extend_schema(request=NotComingSerializer, responses=ReturnLineSerializer),
)
class ReturnLineViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Returned goods of one product: read, and QC's inspection (good to stock, nonconforming to an NCR)."""

    serializer_class = ReturnLineSerializer
    queryset = ReturnLine.objects.select_related("product", "complaint")
    step_actions = {"inspect": ACTIONS["inspect"], "not_coming": ACTIONS["not_coming"]}

    @action(detail=True, methods=["post"])
    def inspect(self, request, pk=None):
        """QC inspects what arrived of the line now (a part or all); the inspections add up to the returned quantity."""
        line = self.get_object()
        body = InspectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        line = returns.return_inspect(return_line=line, actor=request.user, **body.validated_data)
        line = self.get_queryset().get(pk=line.pk)
        return Response(ReturnLineSerializer(line).data)

    @action(detail=True, methods=["post"], url_path="not-coming")
    def not_coming(self, request, pk=None):
        """The rest of the line is not coming: who (the caller) and why."""
        line = self.get_object()
        body = NotComingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        line = returns.return_rest_not_coming(return_line=line, actor=request.user, **body.validated_data)
        line = self.get_queryset().get(pk=line.pk)
        return Response(ReturnLineSerializer(line).data)


class NonconformanceRecordSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.code", read_only=True)

    class Meta:
        model = NonconformanceRecord
        fields = [
            "id",
            "number",
            "return_line",
            "product",
            "product_code",
            "quantity",
            "description",
            "disposition",
            "disposition_note",
            "concession_authorised_by",
            "disposed_at",
            "disposed_by",
        ]
        read_only_fields = fields


class DisposeSerializer(serializers.Serializer):
    disposition = serializers.ChoiceField(choices=Disposition.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    concession_authorised_by = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )


@extend_schema_view(
    dispose=extend_schema(request=DisposeSerializer, responses=NonconformanceRecordSerializer)
)
class NonconformanceRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Nonconformance records: list, read, and QC's disposition."""

    serializer_class = NonconformanceRecordSerializer
    step_actions = {"dispose": ACTIONS["dispose"]}

    def get_queryset(self):
        return selectors.nonconformance_list()

    @action(detail=True, methods=["post"])
    def dispose(self, request, pk=None):
        record = self.get_object()
        body = DisposeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        record = returns.nonconformance_dispose(
            record=record, actor=request.user, **body.validated_data
        )
        return Response(NonconformanceRecordSerializer(self.get_queryset().get(pk=record.pk)).data)


class FeedbackSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.registered_name", read_only=True)

    class Meta:
        model = Feedback
        fields = [
            "id",
            "customer",
            "customer_name",
            "kind",
            "channel",
            "received_at",
            "content",
            "answer",
            "answered_at",
            "answered_by",
        ]
        read_only_fields = fields


class FeedbackRecordSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    kind = serializers.ChoiceField(choices=FeedbackKind.choices)
    channel = serializers.ChoiceField(choices=ComplaintChannel.choices)
    content = serializers.CharField()
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class FeedbackAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField()
    channel = serializers.ChoiceField(choices=ComplaintChannel.choices)


@extend_schema_view(
    create=extend_schema(request=FeedbackRecordSerializer, responses=FeedbackSerializer),
    answer=extend_schema(request=FeedbackAnswerSerializer, responses=FeedbackSerializer),
)
class FeedbackViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Other feedback (R-5.5.3): list, read, record (POST) and answer."""

    serializer_class = FeedbackSerializer
    step_actions = {"create": ACTIONS["feedback_record"], "answer": ACTIONS["feedback_answer"]}

    def get_queryset(self):
        return selectors.feedback_list()

    def create(self, request):
        body = FeedbackRecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        feedback = feedback_services.feedback_record(actor=request.user, **body.validated_data)
        data = FeedbackSerializer(self.get_queryset().get(pk=feedback.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        feedback = self.get_object()
        body = FeedbackAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        feedback = feedback_services.feedback_answer(
            feedback=feedback, actor=request.user, **body.validated_data
        )
        return Response(FeedbackSerializer(self.get_queryset().get(pk=feedback.pk)).data)
