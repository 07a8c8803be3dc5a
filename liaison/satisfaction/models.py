"""Satisfaction survey rounds, questionnaire templates and F10 survey forms (R-5.6).

A round is planned from a management review meeting and sent SURVEY_LEAD_MONTHS
before it. Each form's chase date and last valid day are fixed when it is sent; where
the form stands (sent, chase due, chased, returned, void) is computed from those dates
and ``clock.today()`` (``SurveyForm.state`` and ``SurveyFormQuerySet.with_state``), so it
is right even if the scheduled job never ran.
"""

import datetime as dt
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin

from liaison.core import clock, procedure
from liaison.core.models import AuditedModel, linked_model
from liaison.quality.states import CapaSource
from liaison.satisfaction.states import (
    ROUND_TRANSITIONS,
    SCORE_MAX,
    SCORE_MIN,
    ChaseChannel,
    FormState,
    RoundStatus,
    SurveyChannel,
    SurveySource,
)

_USER = {"on_delete": models.PROTECT, "null": True, "blank": True, "related_name": "+"}


def answer_token() -> str:
    """An unguessable token for the customer's private answer link."""
    return secrets.token_urlsafe(32)


class QuestionnaireTemplate(AuditedModel):
    """The questions of a survey: a set of weighted criteria scored 1–5 (R-5.6.4)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("questionnaire template")
        verbose_name_plural = _("questionnaire templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Criterion(AuditedModel):
    """One question of a questionnaire: what is scored (quality, delivery, …) and its weight."""

    template = models.ForeignKey(
        QuestionnaireTemplate, verbose_name=_("questionnaire template"), on_delete=models.PROTECT,
        related_name="criteria",
    )
    code = models.SlugField(_("code"), max_length=40)
    label_zh_hant = models.CharField(_("label (Traditional Chinese)"), max_length=200)
    label_zh_hans = models.CharField(_("label (Simplified Chinese)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    # Weight in the overall satisfaction index; a template's weights add up to 1.
    weight = models.DecimalField(_("weight"), max_digits=4, decimal_places=3,
                                 validators=[MinValueValidator(0), MaxValueValidator(1)])
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["template", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="satisfaction_criterion_unique_code"),
            models.CheckConstraint(condition=Q(weight__gte=0, weight__lte=1), name="satisfaction_criterion_weight_0_1"),
        ]

    def __str__(self) -> str:
        return self.label()

    def label(self, language: str | None = None) -> str:
        """The criterion's wording in ``language`` (default: the active language)."""
        language = (language or translation.get_language() or settings.LANGUAGE_CODE).lower()
        if language.startswith("zh-hans") or language in ("zh-cn", "zh-sg"):
            return self.label_zh_hans or self.label_zh_hant
        if language.startswith("zh"):
            return self.label_zh_hant
        return self.label_en or self.label_zh_hant


class SurveyRound(FSMModelMixin, AuditedModel):
    """One survey round, sent SURVEY_LEAD_MONTHS before a management review (R-5.6.3)."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    meeting = models.OneToOneField(
        "management.ReviewMeeting", verbose_name=_("management review meeting"), on_delete=models.PROTECT,
        related_name="survey_round",
    )
    template = models.ForeignKey(
        QuestionnaireTemplate, verbose_name=_("questionnaire template"), on_delete=models.PROTECT,
        related_name="rounds",
    )
    planned_send_on = models.DateField(_("planned send date"), db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    status = FSMField(
        _("status"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.PLANNED, protected=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")
        ordering = ["-planned_send_on", "-pk"]
        permissions = [
            ("send_surveyround", _("Can send a survey round to customers")),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.planned_send_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("satisfaction:round", args=[self.pk])

    @ROUND_TRANSITIONS.transition("send")
    def send(self) -> None:
        self.sent_at = clock.now()

    @ROUND_TRANSITIONS.transition("close")
    def close(self) -> None:
        self.closed_at = clock.now()

    @ROUND_TRANSITIONS.transition("cancel")
    def cancel(self) -> None:
        """Its management review was cancelled before the round went out (R-5.6.3)."""

    def send_window(self) -> tuple[dt.date, dt.date]:
        """The days the round may go out without a reason: its planned day to its meeting's day (R-5.6.3)."""
        return self.planned_send_on, self.meeting.meeting_date

    def outside_window(self, today: dt.date | None = None) -> str:
        """``"before"`` the planned send day, ``"after"`` the meeting (or it is held), else ``""``."""
        today = today or clock.today()
        first, last = self.send_window()
        if today < first:
            return "before"
        if today > last or not self.meeting.is_planned:
            return "after"
        return ""


class SurveyFormQuerySet(models.QuerySet):
    def with_state(self, today=None):
        """Annotate ``state`` (a ``FormState`` value) computed from the dates and today."""
        today = today or clock.today()
        return self.annotate(
            state=Case(
                When(voided_at__isnull=False, then=Value(FormState.VOID.value)),
                When(returned_on__isnull=False, valid_until__isnull=False, returned_on__gt=models.F("valid_until"),
                     then=Value(FormState.VOID_LATE.value)),
                When(returned_on__isnull=False, then=Value(FormState.RETURNED.value)),
                When(valid_until__lt=today, then=Value(FormState.EXPIRED.value)),
                When(chased_at__isnull=False, then=Value(FormState.CHASED.value)),
                When(chase_due_on__lte=today, then=Value(FormState.CHASE_DUE.value)),
                default=Value(FormState.SENT.value),
                output_field=models.CharField(max_length=20, choices=FormState.choices),
            )
        )

    def counted(self):
        """Forms whose scores count in the statistics: returned in time and not void (R-5.6.3)."""
        return self.filter(
            Q(valid_until__isnull=True) | Q(returned_on__lte=models.F("valid_until")),
            returned_on__isnull=False,
            voided_at__isnull=True,
        )

    def chase_due(self, today=None):
        """Unreturned, unchased forms on or after their chase day and still valid (R-5.6.3)."""
        today = today or clock.today()
        return self.filter(
            returned_on__isnull=True,
            voided_at__isnull=True,
            chased_at__isnull=True,
            chase_due_on__lte=today,
            valid_until__gte=today,
        )

    def dissatisfied(self, threshold: int | None = None):
        """Counted forms with a score under the threshold or a complaint in the comments (R-5.6.6)."""
        threshold = threshold if threshold is not None else procedure.setting("SURVEY_DISSATISFACTION_THRESHOLD")
        low = SurveyScore.objects.filter(form=OuterRef("pk"), score__lt=threshold)
        return self.counted().filter(Q(comment_is_complaint=True) | Exists(low))


class SurveyForm(AuditedModel):
    """A customer satisfaction survey form, F10 (客戶滿意度調查表).

    From a survey round, or entered outside one from an interview or feedback
    (R-5.6.2, R-5.6.5). A form returned after ``valid_until`` is kept with everything
    the customer said but is void and left out of the statistics (R-5.6.3).
    """

    # A dissatisfied customer's form is the source of a CAPA request of this kind.
    capa_source_kind = CapaSource.SURVEY

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    round = models.ForeignKey(
        SurveyRound, verbose_name=_("survey round"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="forms",
    )
    template = models.ForeignKey(
        QuestionnaireTemplate, verbose_name=_("questionnaire template"), on_delete=models.PROTECT,
        related_name="forms",
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="survey_forms"
    )
    contact = models.ForeignKey(
        "customers.Contact", verbose_name=_("contact"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="survey_forms",
    )
    source = models.CharField(_("source"), max_length=12, choices=SurveySource.choices, default=SurveySource.SURVEY)
    channel = models.CharField(_("channel"), max_length=12, choices=SurveyChannel.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hant")
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    # Fixed when the form is sent: the chase day and the last day a return counts.
    chase_due_on = models.DateField(_("chase due on"), null=True, blank=True, editable=False, db_index=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, editable=False, db_index=True)
    # Why the form went out before its round's planned day or after the management review.
    send_reason = models.CharField(_("reason for sending outside the window"), max_length=300, blank=True,
                                   editable=False)
    chased_at = models.DateTimeField(_("chased at"), null=True, blank=True, editable=False)
    chase_channel = models.CharField(_("chase channel"), max_length=12, choices=ChaseChannel.choices, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True, editable=False, db_index=True)
    entered_at = models.DateTimeField(_("entered at"), null=True, blank=True, editable=False)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), editable=False, **_USER)
    answered_online = models.BooleanField(_("answered online"), default=False, editable=False)
    answer_token = models.CharField(_("answer token"), max_length=64, unique=True, default=answer_token,
                                    editable=False)
    comments = models.TextField(_("comments"), blank=True)
    comment_is_complaint = models.BooleanField(_("the comments are a complaint"), default=False)
    capa = models.ForeignKey(
        "quality.CapaRequest", verbose_name=_("CAPA request (F7)"), on_delete=models.PROTECT, null=True, blank=True,
        editable=False, related_name="survey_forms",
    )
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("voided by"), editable=False, **_USER)
    void_reason = models.CharField(_("reason for voiding"), max_length=300, blank=True, editable=False)

    objects = SurveyFormQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer satisfaction survey form (F10)")
        verbose_name_plural = _("customer satisfaction survey forms (F10)")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("enter_surveyform", _("Can enter a returned survey form")),
            ("chase_surveyform", _("Can run the survey chase")),
            ("void_surveyform", _("Can void a survey form")),
            ("flag_surveyform", _("Can raise a dissatisfaction for a CAPA request")),
            ("export_surveyform", _("Can export survey forms")),
        ]
        constraints = [
            # One live form per customer and round; a voided one may be replaced.
            models.UniqueConstraint(
                fields=["round", "customer"], condition=Q(voided_at__isnull=True, round__isnull=False),
                name="satisfaction_form_one_per_customer_round",
            ),
            models.CheckConstraint(
                condition=Q(source=SurveySource.SURVEY) | Q(round__isnull=True),
                name="satisfaction_form_round_only_for_surveys",
            ),
        ]
        indexes = [
            models.Index(fields=["round", "customer"]),
            # The round page lists a round's forms by number, 50 a page (a round may hold 50 000).
            models.Index(fields=["round", "number"], name="satisfaction_form_round_number"),
            # The analysis counts a round's forms by their dates, from this index alone.
            models.Index(
                fields=["round", "sent_at", "returned_on", "valid_until", "voided_at", "chased_at"],
                name="satisfaction_form_round_dates",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("satisfaction:form", args=[self.pk])

    def state(self, today=None) -> FormState:
        """Where the form stands today; the same rule as ``SurveyFormQuerySet.with_state``."""
        today = today or clock.today()
        if self.voided_at is not None:
            return FormState.VOID
        if self.returned_on is not None:
            if self.valid_until is not None and self.returned_on > self.valid_until:
                return FormState.VOID_LATE
            return FormState.RETURNED
        if self.valid_until is not None and self.valid_until < today:
            return FormState.EXPIRED
        if self.chased_at is not None:
            return FormState.CHASED
        if self.chase_due_on is not None and self.chase_due_on <= today:
            return FormState.CHASE_DUE
        return FormState.SENT

    @property
    def is_late(self) -> bool:
        return self.returned_on is not None and self.valid_until is not None and self.returned_on > self.valid_until

    def answer_path(self) -> str:
        return reverse("satisfaction:answer", args=[self.answer_token])


class SurveyScore(AuditedModel):
    """The score a form gives one criterion, 1 (very dissatisfied) to 5 (very satisfied)."""

    form = models.ForeignKey(SurveyForm, verbose_name=_("survey form"), on_delete=models.PROTECT, related_name="scores")
    criterion = models.ForeignKey(Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT,
                                  related_name="scores")
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
    )

    class Meta:
        verbose_name = _("survey score")
        verbose_name_plural = _("survey scores")
        ordering = ["form", "criterion__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["form", "criterion"], name="satisfaction_score_unique_criterion"),
            models.CheckConstraint(condition=Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX),
                                   name="satisfaction_score_1_to_5"),
        ]
        # The analysis reads a form's scores from this index alone (index-only scans).
        indexes = [models.Index(fields=["form", "criterion", "score"], name="satisfaction_score_covering")]

    def __str__(self) -> str:
        return f"{self.form.number} {self.criterion.code}: {self.score}"


def review_meetings():
    """The management review meetings survey rounds are planned for (``SurveyRound.meeting``)."""
    return linked_model(SurveyRound, "meeting")
