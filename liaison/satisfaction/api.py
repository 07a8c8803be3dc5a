"""API of the satisfaction surveys: questionnaires, rounds (plan, send), F10 forms, the chase run.

Sales owns rounds and forms (R-3.1, R-5.6); QC raises the CAPA request of a
dissatisfied form (R-5.6.6); management reads. Every write goes through the services.
"""

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from liaison.core.models import Department
from liaison.customers.models import Customer
from liaison.satisfaction import selectors, services
from liaison.satisfaction.errors import ACTIONS
from liaison.satisfaction.models import Criterion, QuestionnaireTemplate, SurveyForm, SurveyRound, review_meetings
from liaison.satisfaction.states import ChaseChannel, FormState, SurveyChannel, SurveySource


def _inline_choices(choices):
    """A choice field described by a pattern in the schema.

    An enum would be hoisted into a component named after the field, ``channel``,
    which collides with other apps' channel enums (a schema warning).
    """
    values = [value for value, _label in choices.choices]

    @extend_schema_field({"type": "string", "pattern": f"^({'|'.join(values)})$", "description": ", ".join(values)})
    class InlineChoiceField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices.choices, **kwargs)

    return InlineChoiceField


SurveyChannelField = _inline_choices(SurveyChannel)
ChaseChannelField = _inline_choices(ChaseChannel)


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["id", "code", "label_zh_hant", "label_zh_hans", "label_en", "weight", "order"]
        read_only_fields = ["id"]


class TemplateSerializer(serializers.ModelSerializer):
    criteria = CriterionSerializer(many=True, required=False)

    class Meta:
        model = QuestionnaireTemplate
        fields = ["id", "name", "active", "criteria"]
        read_only_fields = ["id"]


class RoundSerializer(serializers.ModelSerializer):
    meeting_date = serializers.DateField(source="meeting.meeting_date", read_only=True)

    class Meta:
        model = SurveyRound
        fields = ["id", "number", "meeting", "meeting_date", "template", "planned_send_on", "sent_at", "status",
                  "closed_at"]
        read_only_fields = fields


class RoundPlanSerializer(serializers.Serializer):
    meeting = serializers.PrimaryKeyRelatedField(queryset=review_meetings().objects.all())
    template = serializers.PrimaryKeyRelatedField(
        queryset=QuestionnaireTemplate.objects.all(), required=False, allow_null=True, default=None
    )


class RoundSendSerializer(serializers.Serializer):
    customers = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), many=True)
    channel = SurveyChannelField()
    # Needed only before the round's planned day or after its management review.
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class ScoreSerializer(serializers.Serializer):
    criterion = serializers.CharField(source="criterion.code")
    score = serializers.IntegerField()


class FormSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(choices=FormState.choices, read_only=True)
    customer_name = serializers.CharField(source="customer.registered_name", read_only=True)
    scores = ScoreSerializer(many=True, read_only=True)
    capa_number = serializers.CharField(source="capa.number", read_only=True, default=None)
    channel = SurveyChannelField(read_only=True)
    chase_channel = ChaseChannelField(read_only=True)

    class Meta:
        model = SurveyForm
        fields = ["id", "number", "round", "template", "customer", "customer_name", "contact", "source", "channel",
                  "language", "state", "sent_at", "send_reason", "chase_due_on", "valid_until", "chased_at",
                  "chase_channel",
                  "returned_on", "entered_at", "entered_by", "answered_online", "comments", "comment_is_complaint",
                  "capa", "capa_number", "voided_at", "void_reason", "scores"]
        read_only_fields = fields


class FormEnterSerializer(serializers.Serializer):
    scores = serializers.DictField(child=serializers.IntegerField(), help_text="criterion code → score 1–5")
    comments = serializers.CharField(required=False, allow_blank=True, default="")
    comment_is_complaint = serializers.BooleanField(required=False, default=False)
    returned_on = serializers.DateField(required=False, allow_null=True, default=None)


class SatisfactionRecordSerializer(FormEnterSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    source = serializers.ChoiceField(choices=[SurveySource.INTERVIEW, SurveySource.FEEDBACK])
    channel = SurveyChannelField(required=False, default=SurveyChannel.IN_PERSON)


class FormChaseSerializer(serializers.Serializer):
    channel = ChaseChannelField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class FormComplaintSerializer(serializers.Serializer):
    is_complaint = serializers.BooleanField()


class FormVoidSerializer(serializers.Serializer):
    reason = serializers.CharField()


class DissatisfactionSerializer(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    problem = serializers.CharField()
    effectiveness_criterion = serializers.CharField(allow_blank=True)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    effectiveness_check_date = serializers.DateField(required=False, allow_null=True, default=None)


class FormFilter(serializers.Serializer):
    round = serializers.PrimaryKeyRelatedField(queryset=SurveyRound.objects.all(), required=False)
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False)
    state = serializers.ChoiceField(choices=FormState.choices, required=False)


class ChaseRunSerializer(serializers.Serializer):
    chased = serializers.ListField(child=serializers.CharField())


@extend_schema_view(create=extend_schema(request=TemplateSerializer, responses=TemplateSerializer))
class TemplateViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Questionnaire templates with their criteria; create one (the weights add up to 1)."""

    serializer_class = TemplateSerializer
    queryset = QuestionnaireTemplate.objects.prefetch_related("criteria").order_by("name")
    step_actions = {"create": ACTIONS["change_template"]}

    def create(self, request):
        body = TemplateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        template = services.template_save(
            template=QuestionnaireTemplate(name=data["name"], active=data.get("active", True)),
            criteria=data.get("criteria", []), actor=request.user,
        )
        return Response(TemplateSerializer(template).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    create=extend_schema(request=RoundPlanSerializer, responses=RoundSerializer),
    send=extend_schema(request=RoundSendSerializer, responses=FormSerializer(many=True)),
)
class RoundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Survey rounds: list, plan one for a management review (POST), send it to customers."""

    serializer_class = RoundSerializer
    queryset = SurveyRound.objects.select_related("meeting").order_by("-planned_send_on", "-pk")
    step_actions = {"create": ACTIONS["plan"], "send": ACTIONS["send"]}

    def create(self, request):
        body = RoundPlanSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        survey_round = services.round_plan(actor=request.user, **body.validated_data)
        return Response(RoundSerializer(survey_round).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        survey_round = self.get_object()
        body = RoundSendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        forms = services.round_send(survey_round=survey_round, actor=request.user, **body.validated_data)
        listed = selectors.form_list(survey_round=survey_round).filter(pk__in=[f.pk for f in forms])
        return Response(FormSerializer(listed.prefetch_related("scores__criterion"), many=True).data,
                        status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(parameters=[FormFilter]),
    create=extend_schema(request=SatisfactionRecordSerializer, responses=FormSerializer),
    enter=extend_schema(request=FormEnterSerializer, responses=FormSerializer),
    chase=extend_schema(request=FormChaseSerializer, responses=FormSerializer),
    complaint=extend_schema(request=FormComplaintSerializer, responses=FormSerializer),
    void=extend_schema(request=FormVoidSerializer, responses=FormSerializer),
    dissatisfaction=extend_schema(request=DissatisfactionSerializer, responses=FormSerializer),
    chase_run=extend_schema(request=None, responses=ChaseRunSerializer),
)
class FormViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Survey forms F10 with their computed state: filter by round, customer and state; enter a
    returned form, record an interview or feedback (POST), chase, mark a complaint, void,
    raise the dissatisfaction as a CAPA request (QC), run the chase."""

    serializer_class = FormSerializer
    step_actions = {
        "create": ACTIONS["record"],
        "enter": ACTIONS["enter"],
        "chase": ACTIONS["chase"],
        "complaint": ACTIONS["flag"],
        "void": ACTIONS["void"],
        "dissatisfaction": ACTIONS["raise_capa"],
        "chase_run": ACTIONS["chase"],
    }

    def get_queryset(self):
        params = {}
        if self.action == "list":
            filters = FormFilter(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            params = filters.validated_data
        return selectors.form_list(
            survey_round=params.get("round"), customer=params.get("customer"), state=params.get("state")
        ).prefetch_related("scores__criterion")

    def _answer(self, form, code=status.HTTP_200_OK):
        form = self.get_queryset().get(pk=form.pk)
        return Response(FormSerializer(form).data, status=code)

    def create(self, request):
        body = SatisfactionRecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        form = services.satisfaction_record(
            customer=data["customer"], source=data["source"], channel=data["channel"], scores=data["scores"],
            comments=data["comments"], comment_is_complaint=data["comment_is_complaint"],
            occurred_on=data["returned_on"], actor=request.user,
        )
        return self._answer(form, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def enter(self, request, pk=None):
        body = FormEnterSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.form_enter(form=self.get_object(), actor=request.user, **body.validated_data))

    @action(detail=True, methods=["post"])
    def chase(self, request, pk=None):
        body = FormChaseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.form_chase(form=self.get_object(), actor=request.user, **body.validated_data))

    @action(detail=True, methods=["post"])
    def complaint(self, request, pk=None):
        body = FormComplaintSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(
            services.form_mark_complaint(form=self.get_object(), actor=request.user, **body.validated_data)
        )

    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        body = FormVoidSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.form_void(form=self.get_object(), actor=request.user, **body.validated_data))

    @action(detail=True, methods=["post"])
    def dissatisfaction(self, request, pk=None):
        body = DissatisfactionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(
            services.dissatisfaction_raise(form=self.get_object(), actor=request.user, **body.validated_data)
        )

    @action(detail=False, methods=["post"], url_path="chase-run")
    def chase_run(self, request):
        chased = services.surveys_chase_due(actor=request.user)
        return Response({"chased": [form.number for form in chased]})
