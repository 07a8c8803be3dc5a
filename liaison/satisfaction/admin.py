"""Back office of the satisfaction surveys: read-only lists; the steps go through the services (API, pages)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.decorators import display

from liaison.core.admin_base import ReadOnlyAdmin
from liaison.satisfaction.models import Criterion, QuestionnaireTemplate, SurveyForm, SurveyRound, SurveyScore
from liaison.satisfaction.states import FormState, RoundStatus

_ROUND_LABELS = {RoundStatus.PLANNED: "info", RoundStatus.SENT: "warning", RoundStatus.CLOSED: "success"}
_FORM_LABELS = {
    FormState.SENT: "info",
    FormState.CHASE_DUE: "warning",
    FormState.CHASED: "warning",
    FormState.RETURNED: "success",
    FormState.VOID_LATE: "danger",
    FormState.EXPIRED: "danger",
    FormState.VOID: "danger",
}


class _ReadOnlyInline(TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class CriterionInline(_ReadOnlyInline):
    model = Criterion
    fields = ["order", "code", "label_zh_hant", "label_zh_hans", "label_en", "weight"]
    readonly_fields = fields


class ScoreInline(_ReadOnlyInline):
    model = SurveyScore
    fields = ["criterion", "score"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("criterion")


@admin.register(QuestionnaireTemplate)
class QuestionnaireTemplateAdmin(ReadOnlyAdmin):
    list_display = ["name", "active"]
    list_filter = ["active"]
    search_fields = ["name"]
    inlines = [CriterionInline]
    fields = ["name", "active", "created_at", "created_by"]
    readonly_fields = fields


@admin.register(SurveyRound)
class SurveyRoundAdmin(ReadOnlyAdmin):
    list_display = ["number", "meeting", "planned_send_on", "sent_at", "status_label"]
    list_filter = ["status"]
    search_fields = ["number", "meeting__number", "meeting__title"]
    date_hierarchy = "planned_send_on"
    fields = ["number", "meeting", "template", "planned_send_on", "sent_at", "status", "closed_at", "created_at",
              "created_by"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("meeting")

    @display(description=_("status"), label=_ROUND_LABELS)
    def status_label(self, survey_round: SurveyRound):
        return survey_round.status, survey_round.get_status_display()


@admin.register(SurveyForm)
class SurveyFormAdmin(ReadOnlyAdmin):
    list_display = ["number", "customer", "round", "source", "channel", "sent_at", "returned_on", "state_label",
                    "capa"]
    list_filter = ["source", "channel", "round", "comment_is_complaint"]
    search_fields = ["number", "customer__registered_name", "customer__short_name", "comments"]
    inlines = [ScoreInline]
    fields = [
        "number", "round", "template", "customer", "contact", "source", "channel", "language", "sent_at",
        "chase_due_on", "chased_at", "chase_channel", "valid_until", "returned_on", "entered_at", "entered_by",
        "answered_online", "comments", "comment_is_complaint", "capa", "voided_at", "voided_by", "void_reason",
        "created_at", "created_by",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).with_state().select_related("customer", "round", "capa")

    @display(description=_("state"), label=_FORM_LABELS)
    def state_label(self, form: SurveyForm):
        # ``with_state`` annotates the value over the model's ``state()`` method.
        state = FormState(form.state if isinstance(form.state, str) else form.state())
        return state, state.label
