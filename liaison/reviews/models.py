"""The management review calendar: meetings, their agenda and minutes, and the actions decided."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin

from liaison.core import clock
from liaison.core.models import AuditedModel
from liaison.reviews.states import (
    ACTION_TRANSITIONS,
    MEETING_CURRENT,
    MEETING_TRANSITIONS,
    ActionStatus,
    MeetingStatus,
)


class ReviewMeetingQuerySet(models.QuerySet):
    def awaiting_survey_round(self) -> "ReviewMeetingQuerySet":
        """Planned meetings no survey round is planned for yet (R-5.6.3), soonest first."""
        return self.filter(status=MeetingStatus.PLANNED, survey_round__isnull=True).order_by("meeting_date", "pk")

    def current(self) -> "ReviewMeetingQuerySet":
        """Meetings that are not cancelled (planned or held): their survey rounds count (R-5.6.3)."""
        return self.filter(status__in=MEETING_CURRENT)


class ReviewMeeting(FSMModelMixin, AuditedModel):
    """A management review meeting (管理評審). Survey rounds are planned from its date (R-5.6.3)."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    meeting_date = models.DateField(_("meeting date"), db_index=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("chair"), on_delete=models.PROTECT, related_name="+"
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("participants"), blank=True, related_name="review_meetings"
    )
    agenda = models.TextField(_("agenda inputs"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    status = FSMField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED, protected=True
    )
    held_at = models.DateTimeField(_("held at"), null=True, blank=True, editable=False)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True, editable=False)

    objects = ReviewMeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("management review meeting")
        verbose_name_plural = _("management review meetings")
        ordering = ["-meeting_date", "-pk"]
        permissions = [("hold_reviewmeeting", _("Can record the minutes of a management review"))]

    def __str__(self) -> str:
        return f"{self.number} {self.meeting_date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("management:meeting", args=[self.pk])

    @property
    def is_planned(self) -> bool:
        """Still to take place: a survey round can be planned for it."""
        return self.status == MeetingStatus.PLANNED

    @MEETING_TRANSITIONS.transition("hold")
    def hold(self, *, minutes: str) -> None:
        """The meeting took place; its minutes and decisions are recorded."""
        self.minutes = minutes
        self.held_at = clock.now()

    @MEETING_TRANSITIONS.transition("cancel")
    def cancel(self, *, reason: str) -> None:
        """The meeting will not take place."""
        self.cancel_reason = reason[:300]


class ReviewAction(FSMModelMixin, AuditedModel):
    """A decision of a management review: what is to be done, by whom, by when."""

    meeting = models.ForeignKey(
        ReviewMeeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="actions"
    )
    description = models.TextField(_("action"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("due date"))
    status = FSMField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN, protected=True
    )
    outcome = models.TextField(_("outcome"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, editable=False)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True, editable=False)

    class Meta:
        verbose_name = _("management review action")
        verbose_name_plural = _("management review actions")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.meeting.number}: {self.description[:40]}"

    @ACTION_TRANSITIONS.transition("complete")
    def complete(self, *, outcome: str) -> None:
        """The owner reported the action done."""
        self.outcome = outcome
        self.done_at = clock.now()

    @ACTION_TRANSITIONS.transition("cancel")
    def cancel(self, *, reason: str) -> None:
        """The action is no longer needed."""
        self.cancel_reason = reason[:300]
