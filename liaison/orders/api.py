"""API of the orders app: F1 orders, clarifications, F2 review rounds and sign-offs, F3 changes.

Reads follow the role table (``view_<model>``). Every write is a POST that validates
its body and calls the same service as the pages; numbered records are never
deleted or edited in place, so there is no PUT, PATCH or DELETE. A step the
caller's role or department may not take answers 403 with the service's code (the
service marks such refusals ``forbidden``; ``liaison.core.drf`` maps them). Each view's
``step_actions`` names the steps its writes take (``errors.ACTIONS``): ``core.drf.RolePermission``
checks the role before the body, so a role the step is not for gets 403 whatever it sends.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from liaison.communications.models import ReceivedDocument
from liaison.communications.states import CommunicationChannel
from liaison.customers.models import Customer
from liaison.orders import selectors, services
from liaison.orders.errors import ACTIONS
from liaison.orders.models import (
    ChangeEntry,
    Clarification,
    Order,
    OrderLine,
    ReviewRound,
    ReviewSignOff,
)
from liaison.orders.states import (
    ChangeKind,
    ChangeReasonCategory,
    OrderChannel,
    OrderStatus,
    ReviewOutcome,
)
from liaison.production.errors import ACTIONS as PRODUCTION_ACTIONS
from liaison.production.models import ProductionNotice
from liaison.stock.models import Product

# ── read serializers ──────────────────────────────────────────────────────────


class OrderLineSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.code", read_only=True)

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "line_no",
            "product",
            "product_code",
            "quantity",
            "specification",
            "required_date",
        ]


class SignOffSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = ReviewSignOff
        fields = [
            "id",
            "review_round",
            "department",
            "department_name",
            "capability_ok",
            "capacity_ok",
            "delivery_date_ok",
            "quality_ok",
            "opinion",
            "objection_answer",
            "signed_at",
            "signed_by",
        ]
        read_only_fields = fields


class ReviewRoundSerializer(serializers.ModelSerializer):
    sign_offs = SignOffSerializer(many=True, read_only=True)

    class Meta:
        model = ReviewRound
        fields = [
            "id",
            "order",
            "number",
            "reason",
            "change",
            "opened_at",
            "status",
            "legal_check_passed",
            "legal_check_note",
            "outcome",
            "conditions",
            "decided_at",
            "decided_by",
            "sign_offs",
        ]
        read_only_fields = fields


class ClarificationSerializer(serializers.ModelSerializer):
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Clarification
        fields = [
            "id",
            "order",
            "question",
            "asked_at",
            "asked_by",
            "answer",
            "answered_at",
            "answer_recorded_by",
            "is_open",
        ]
        read_only_fields = fields


class NoticeRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductionNotice
        fields = ["id", "number", "status", "due_date", "superseded_by"]
        read_only_fields = fields


class ChangeSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    production_notices = NoticeRefSerializer(many=True, read_only=True)

    class Meta:
        model = ChangeEntry
        fields = [
            "id",
            "number",
            "order",
            "order_number",
            "kind",
            "reason_category",
            "reason",
            "change_details",
            "new_due_date",
            "requested_via",
            "status",
            "customer_agreed_by",
            "customer_agreed_at",
            "customer_agreed_via",
            "agreement_recorded_by",
            "withdrawn_at",
            "withdrawn_by",
            "withdrawal_reason",
            "production_notices",
            "created_at",
            "created_by",
        ]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.registered_name", read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "customer",
            "customer_name",
            "channel",
            "customer_po",
            "received_document",
            "received_at",
            "delivery_terms",
            "packaging",
            "post_delivery",
            "notes",
            "status",
            "promised_date",
            "lines",
            "created_at",
            "created_by",
        ]
        read_only_fields = fields


class OrderDetailSerializer(OrderSerializer):
    """An order with its whole chain: review rounds, clarifications, changes."""

    review_rounds = ReviewRoundSerializer(many=True, read_only=True)
    clarifications = ClarificationSerializer(many=True, read_only=True)
    changes = ChangeSerializer(many=True, read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = [
            *OrderSerializer.Meta.fields,
            "voided_at",
            "voided_by",
            "void_reason",
            "review_rounds",
            "clarifications",
            "changes",
        ]
        read_only_fields = fields


# ── input serializers: they validate, the services decide ─────────────────────


class OrderLineInputSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3)
    specification = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    required_date = serializers.DateField()


class OrderRegisterSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    channel = serializers.ChoiceField(choices=OrderChannel.choices)
    customer_po = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    received_document = serializers.PrimaryKeyRelatedField(
        queryset=ReceivedDocument.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    delivery_terms = serializers.CharField(required=False, allow_blank=True, default="")
    packaging = serializers.CharField(required=False, allow_blank=True, default="")
    post_delivery = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    lines = OrderLineInputSerializer(many=True, allow_empty=True)


class ClarificationAskSerializer(serializers.Serializer):
    question = serializers.CharField(allow_blank=True)
    channel = serializers.ChoiceField(choices=CommunicationChannel.choices)


class ClarificationAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True)
    channel = serializers.ChoiceField(choices=CommunicationChannel.choices)
    answered_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class DeliveryReplySerializer(serializers.Serializer):
    promised_date = serializers.DateField()
    channel = serializers.ChoiceField(choices=CommunicationChannel.choices)
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class SignSerializer(serializers.Serializer):
    capability_ok = serializers.BooleanField()
    capacity_ok = serializers.BooleanField()
    delivery_date_ok = serializers.BooleanField()
    quality_ok = serializers.BooleanField()
    opinion = serializers.CharField(required=False, allow_blank=True, default="")


class LegalCheckSerializer(serializers.Serializer):
    passed = serializers.BooleanField(
        help_text=_("The product meets applicable laws and regulations.")
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class DecideSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ReviewOutcome.choices)
    conditions = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_(
            "The conditions of an acceptance with conditions, or the reason for a rejection."
        ),
    )
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text=_(
            "Accepted with conditions: sign-off id → how that department's “cannot meet” will be met, "
            "one for every department that answered no."
        ),
    )


class ChangeRegisterSerializer(serializers.Serializer):
    order = serializers.PrimaryKeyRelatedField(queryset=Order.objects.all())
    kind = serializers.ChoiceField(choices=ChangeKind.choices)
    reason_category = serializers.ChoiceField(
        choices=ChangeReasonCategory.choices, required=False, allow_blank=True, default=""
    )
    reason = serializers.CharField(allow_blank=True)
    change_details = serializers.CharField(required=False, allow_blank=True, default="")
    new_due_date = serializers.DateField(required=False, allow_null=True, default=None)
    requested_via = serializers.ChoiceField(
        choices=CommunicationChannel.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("How the customer asked for their change (R-5.3.2); required for a customer's change."),
    )


class AgreementSerializer(serializers.Serializer):
    agreed_by = serializers.CharField(max_length=100, allow_blank=True)
    agreed_at = serializers.DateTimeField()
    via = serializers.ChoiceField(choices=CommunicationChannel.choices)


class OrderVoidSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, max_length=300, help_text=_("Why the order is voided, e.g. registered twice.")
    )


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True,
        help_text=_("Why the change is withdrawn; when the customer refused it, what they said."),
    )
    refused_via = serializers.ChoiceField(
        choices=CommunicationChannel.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("How the customer refused the change; leave empty when we withdraw it."),
    )
    refused_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class LineQuantitySerializer(serializers.Serializer):
    order_line = serializers.IntegerField()
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3)


class ApplySerializer(serializers.Serializer):
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    line_quantities = LineQuantitySerializer(many=True, required=False, default=list)


# ── view sets ─────────────────────────────────────────────────────────────────


class OrderFilter(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False)


def _order_chain(queryset):
    """Prefetch what an order's detail shows, a fixed number of queries for any order."""
    sign_offs = ReviewSignOff.objects.select_related("department")
    return queryset.prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("product")),
        Prefetch(
            "review_rounds",
            queryset=ReviewRound.objects.prefetch_related(Prefetch("sign_offs", sign_offs)),
        ),
        "clarifications",
        Prefetch(
            "changes",
            queryset=ChangeEntry.objects.select_related("order").prefetch_related(
                "production_notices"
            ),
        ),
    )


@extend_schema_view(
    list=extend_schema(parameters=[OrderFilter]),
    retrieve=extend_schema(responses=OrderDetailSerializer),
    create=extend_schema(request=OrderRegisterSerializer, responses={201: OrderDetailSerializer}),
    clarifications=extend_schema(
        request=ClarificationAskSerializer, responses={201: ClarificationSerializer}
    ),
    delivery_reply=extend_schema(request=DeliveryReplySerializer, responses=OrderDetailSerializer),
    void=extend_schema(request=OrderVoidSerializer, responses=OrderDetailSerializer),
)
class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The order log, F1: register an order (it opens its review form, F2), read, act on it."""

    serializer_class = OrderSerializer
    step_actions = {
        "create": ACTIONS["register"],
        "clarifications": ACTIONS["ask"],
        "delivery_reply": ACTIONS["reply"],
        "void": ACTIONS["void"],
    }

    def get_queryset(self):
        if self.action == "list":
            filters = OrderFilter(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            params = filters.validated_data
            queryset = selectors.order_list(
                query=params["q"], status=params.get("status"), customer=params.get("customer")
            )
            return queryset.prefetch_related(
                Prefetch("lines", queryset=OrderLine.objects.select_related("product"))
            )
        if self.action == "retrieve":
            return _order_chain(Order.objects.select_related("customer"))
        return Order.objects.all()

    def get_serializer_class(self):
        return OrderSerializer if self.action == "list" else OrderDetailSerializer

    def _detail(self, pk, status_code=status.HTTP_200_OK):
        order = _order_chain(Order.objects.select_related("customer")).get(pk=pk)
        return Response(
            OrderDetailSerializer(order, context=self.get_serializer_context()).data,
            status=status_code,
        )

    def create(self, request, *args, **kwargs):
        body = OrderRegisterSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        order = services.order_register(
            customer=data["customer"],
            channel=data["channel"],
            lines=[dict(line) for line in data["lines"]],
            actor=request.user,
            customer_po=data["customer_po"],
            received_document=data["received_document"],
            received_at=data["received_at"],
            delivery_terms=data["delivery_terms"],
            packaging=data["packaging"],
            post_delivery=data["post_delivery"],
            notes=data["notes"],
        )
        return self._detail(order.pk, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def clarifications(self, request, pk=None):
        """Raise an unclear point with the customer (R-5.2.2.2); the question is an F5 record."""
        order = self.get_object()
        body = ClarificationAskSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        clarification = services.clarification_ask(order=order, actor=request.user, **body.validated_data)
        return Response(ClarificationSerializer(clarification).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="delivery-reply")
    def delivery_reply(self, request, pk=None):
        """Reply the delivery date to the customer (R-5.2.3.3); the reply is an F5 record."""
        order = self.get_object()
        body = DeliveryReplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.order_delivery_reply(order=order, actor=request.user, **body.validated_data)
        return self._detail(order.pk)

    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        """Void an order registered in error (the Sales head): it keeps its number, its open round is withdrawn."""
        order = self.get_object()
        body = OrderVoidSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.order_void(order=order, actor=request.user, **body.validated_data)
        return self._detail(order.pk)


@extend_schema_view(
    answer=extend_schema(request=ClarificationAnswerSerializer, responses=ClarificationSerializer)
)
class ClarificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Clarifications raised with customers (R-5.2.2.2)."""

    serializer_class = ClarificationSerializer
    queryset = Clarification.objects.order_by("-asked_at", "-pk")
    step_actions = {"answer": ACTIONS["answer"]}

    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Record the customer's answer, which closes the clarification; an F5 record."""
        clarification = self.get_object()
        body = ClarificationAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        clarification = services.clarification_answer(
            clarification=clarification,
            actor=request.user,
            **body.validated_data,
        )
        return Response(self.get_serializer(clarification).data)


@extend_schema_view(
    legal_check=extend_schema(request=LegalCheckSerializer, responses=ReviewRoundSerializer),
    decide=extend_schema(request=DecideSerializer, responses=ReviewRoundSerializer),
)
class ReviewRoundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Rounds of the contract review form, F2 (R-5.2.3.1), with each department's sign-off."""

    serializer_class = ReviewRoundSerializer
    queryset = ReviewRound.objects.prefetch_related(
        Prefetch("sign_offs", queryset=ReviewSignOff.objects.select_related("department"))
    ).order_by("-opened_at", "-pk")
    step_actions = {"legal_check": ACTIONS["legal"], "decide": ACTIONS["decide"]}

    def _answer(self, review_round):
        return Response(self.get_serializer(self.get_queryset().get(pk=review_round.pk)).data)

    @action(detail=True, methods=["post"], url_path="legal-check")
    def legal_check(self, request, pk=None):
        """Record whether the product meets applicable laws and regulations (R-5.1.2)."""
        review_round = self.get_object()
        body = LegalCheckSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.review_legal_check(
            review_round=review_round,
            actor=request.user,
            **body.validated_data,
        )
        return self._answer(review_round)

    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Decide the round: accepted, accepted with conditions, or rejected (R-5.2.3.1)."""
        review_round = self.get_object()
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.review_decide(
            review_round=review_round,
            actor=request.user,
            **body.validated_data,
        )
        return self._answer(review_round)


@extend_schema_view(sign=extend_schema(request=SignSerializer, responses=SignOffSerializer))
class SignOffViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One department's line on the review form; only that department signs it."""

    serializer_class = SignOffSerializer
    queryset = ReviewSignOff.objects.select_related("department")
    # The department (only its members sign its line) is the service's check, on the record.
    step_actions = {"sign": ACTIONS["sign"]}

    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Give the department's opinion: capability, capacity, delivery date, quality."""
        sign_off = self.get_object()
        body = SignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        sign_off = services.review_sign_off(sign_off=sign_off, actor=request.user, **body.validated_data)
        return Response(self.get_serializer(sign_off).data)


@extend_schema_view(
    create=extend_schema(request=ChangeRegisterSerializer, responses={201: ChangeSerializer}),
    agreement=extend_schema(request=AgreementSerializer, responses=ChangeSerializer),
    withdraw=extend_schema(request=WithdrawSerializer, responses=ChangeSerializer),
    apply=extend_schema(
        request=ApplySerializer,
        responses=inline_serializer(
            "ChangeApplied",
            {"change": ChangeSerializer(), "notices": NoticeRefSerializer(many=True)},
        ),
    ),
)
class ChangeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The contract change register, F3 (R-5.3.1, R-5.3.2)."""

    serializer_class = ChangeSerializer
    queryset = (
        ChangeEntry.objects.select_related("order")
        .prefetch_related("production_notices")
        .order_by("-created_at", "-pk")
    )
    step_actions = {
        "create": ACTIONS["change"],
        "agreement": ACTIONS["agree"],
        "withdraw": ACTIONS["withdraw"],
        # Applying a change issues the successor notices.
        "apply": (ACTIONS["apply"], PRODUCTION_ACTIONS["issue"]),
    }

    def _answer(self, change, status_code=status.HTTP_200_OK):
        return Response(
            self.get_serializer(self.get_queryset().get(pk=change.pk)).data, status=status_code
        )

    def create(self, request, *args, **kwargs):
        body = ChangeRegisterSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        change = services.change_register(actor=request.user, **body.validated_data)
        return self._answer(change, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def agreement(self, request, pk=None):
        """Record that the customer agreed to a delay: who, when, how (R-5.3.1)."""
        change = self.get_object()
        body = AgreementSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.change_record_agreement(
            change=change,
            actor=request.user,
            **body.validated_data,
        )
        return self._answer(change)

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw a change not yet applied; a delay the customer refused, with what they said."""
        change = self.get_object()
        body = WithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.change_withdraw(change=change, actor=request.user, **body.validated_data)
        return self._answer(change)

    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        """Carry out an agreed change: new quantities, a successor for each current notice."""
        change = self.get_object()
        body = ApplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        notices = services.change_apply(
            change=change,
            actor=request.user,
            due_date=data["due_date"],
            line_quantities={row["order_line"]: row["quantity"] for row in data["line_quantities"]}
            or None,
        )
        change = self.get_queryset().get(pk=change.pk)
        return Response(
            {
                "change": self.get_serializer(change).data,
                "notices": NoticeRefSerializer(notices, many=True).data,
            }
        )
