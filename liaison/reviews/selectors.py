"""Reads of the management review app; each runs a fixed number of queries.

The calendar, one meeting, the open actions (overdue first), and the figures the
review pack brings to the meeting: delivery performance from production notices
(R-3.2), the status of CAPA requests, and the actions of earlier reviews.
"""

import calendar
import datetime as dt
import statistics
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from liaison.core import clock
from liaison.core.models import User
from liaison.production.models import ProductionNotice
from liaison.production.states import NOTICE_OPEN, NoticeStatus
from liaison.quality.capa import selectors as capa_selectors
from liaison.reviews.models import ReviewAction, ReviewMeeting
from liaison.reviews.states import ACTION_COUNTED, MEETING_CURRENT, ActionStatus, MeetingStatus
from liaison.satisfaction.models import SurveyRound

# Without an earlier meeting, the pack looks back this many months (a review every half year, R-5.6.3).
DEFAULT_PERIOD_MONTHS = 6


# --- meetings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyRoundInfo:
    """The survey round planned from a meeting (R-5.6.3), as the calendar shows it."""

    pk: int
    number: str
    status: str
    status_label: str
    planned_send_on: dt.date | None


@dataclass
class CalendarEntry:
    meeting: ReviewMeeting
    survey_round: SurveyRoundInfo | None = None


@dataclass
class Calendar:
    upcoming: list[CalendarEntry] = field(default_factory=list)
    past: list[CalendarEntry] = field(default_factory=list)


def round_info(survey_round: SurveyRound) -> SurveyRoundInfo:
    """What the calendar and the pack show of a survey round."""
    return SurveyRoundInfo(
        pk=survey_round.pk,
        number=survey_round.number,
        status=survey_round.status,
        status_label=str(survey_round.get_status_display()),
        planned_send_on=survey_round.planned_send_on,
    )


def survey_rounds_for(meeting_ids) -> dict[int, SurveyRoundInfo]:
    """The survey round of each meeting, by meeting id: one query (none without meetings)."""
    meeting_ids = list(meeting_ids)
    if not meeting_ids:
        return {}
    rows = SurveyRound.objects.filter(meeting_id__in=meeting_ids).order_by("pk")
    return {row.meeting_id: round_info(row) for row in rows}


def survey_round_of(*, meeting: ReviewMeeting) -> SurveyRound | None:
    """The survey round planned from ``meeting`` (R-5.6.3), if any: one query."""
    return SurveyRound.objects.filter(meeting_id=meeting.pk).first()


def meeting_queryset() -> QuerySet[ReviewMeeting]:
    """Meetings with their chair and how many of their actions are open and done."""
    return ReviewMeeting.objects.select_related("chair", "created_by", "updated_by").annotate(
        actions_open=Count("actions", filter=Q(actions__status=ActionStatus.OPEN)),
        actions_total=Count("actions", filter=Q(actions__status__in=ACTION_COUNTED)),
    )


def meeting_calendar(*, today: dt.date | None = None) -> Calendar:
    """Upcoming meetings (soonest first) and past ones (latest first), each with its survey round.

    Two queries: the meetings, then their survey rounds (none without meetings).
    """
    today = today or clock.today()
    meetings = list(meeting_queryset().order_by("meeting_date", "pk"))
    rounds = survey_rounds_for(meeting.pk for meeting in meetings)
    found = Calendar()
    for meeting in meetings:
        entry = CalendarEntry(meeting=meeting, survey_round=rounds.get(meeting.pk))
        if meeting.meeting_date >= today and meeting.status == MeetingStatus.PLANNED:
            found.upcoming.append(entry)
        else:
            found.past.append(entry)
    found.past.reverse()
    return found


def _actions() -> QuerySet[ReviewAction]:
    return ReviewAction.objects.select_related("owner", "meeting").order_by("due_date", "pk")


def meeting_get(*, pk: int) -> ReviewMeeting:
    """One meeting with its chair, participants and actions (with owners): three queries."""
    return (
        meeting_queryset()
        .prefetch_related(
            Prefetch("participants", queryset=User.objects.order_by("last_name", "first_name", "username")),
            Prefetch("actions", queryset=_actions()),
        )
        .get(pk=pk)
    )


def meeting_previous(*, meeting: ReviewMeeting) -> ReviewMeeting | None:
    """The latest meeting before this one that was not cancelled: one query."""
    return (
        ReviewMeeting.objects.filter(status__in=MEETING_CURRENT)
        .exclude(pk=meeting.pk)
        .filter(Q(meeting_date__lt=meeting.meeting_date) | Q(meeting_date=meeting.meeting_date, pk__lt=meeting.pk))
        .order_by("-meeting_date", "-pk")
        .first()
    )


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier (the month's last day when it has no such day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def review_period(*, meeting: ReviewMeeting, previous: ReviewMeeting | None) -> tuple[dt.date, dt.date]:
    """The period a meeting reviews: the day after the previous meeting (or 6 months back) to its date."""
    end = meeting.meeting_date
    if previous is not None and previous.meeting_date < end:
        return previous.meeting_date + dt.timedelta(days=1), end
    return months_before(end, DEFAULT_PERIOD_MONTHS) + dt.timedelta(days=1), end


# --- actions -----------------------------------------------------------------------------------


def _with_overdue(queryset: QuerySet[ReviewAction], today: dt.date) -> QuerySet[ReviewAction]:
    return queryset.annotate(
        is_overdue=Case(
            When(status=ActionStatus.OPEN, due_date__lt=today, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        is_open=Case(
            When(status=ActionStatus.OPEN, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
    )


def actions_open(*, owner: User | None = None, today: dt.date | None = None) -> QuerySet[ReviewAction]:
    """Open actions (of one owner, or all), overdue first, then by due date: one query."""
    today = today or clock.today()
    queryset = _with_overdue(_actions().filter(status=ActionStatus.OPEN), today)
    if owner is not None:
        queryset = queryset.filter(owner=owner)
    return queryset.order_by("-is_overdue", "due_date", "pk")


_UNSET = object()


def previous_review_actions(
    *, meeting: ReviewMeeting, previous=_UNSET, today: dt.date | None = None
) -> list[ReviewAction]:
    """What became of earlier reviews' decisions (ISO 9001 9.3.2 a): one query (two without ``previous``).

    Every action of the previous meeting, whatever its status, and the actions of
    any earlier meeting still open; open and overdue first.
    """
    today = today or clock.today()
    if previous is _UNSET:
        previous = meeting_previous(meeting=meeting)
    earlier = Q(meeting__meeting_date__lt=meeting.meeting_date) | Q(
        meeting__meeting_date=meeting.meeting_date, meeting__pk__lt=meeting.pk
    )
    wanted = Q(status=ActionStatus.OPEN) & earlier & ~Q(meeting=meeting)
    if previous is not None:
        wanted |= Q(meeting=previous)
    queryset = _with_overdue(_actions().filter(wanted), today)
    return list(queryset.order_by("-is_open", "-is_overdue", "due_date", "pk"))


# --- delivery performance (R-3.2) --------------------------------------------------------------


@dataclass
class DeliveryRow:
    """One workshop's production notices: completed in the period on time or late, and open past due."""

    workshop: str
    completed: int = 0
    on_time: int = 0
    late: int = 0
    days_late: list[int] = field(default_factory=list)
    open_overdue: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.completed, 1) if self.completed else None

    @property
    def mean_days_late(self) -> float | None:
        """Mean lateness of the notices completed late, in days."""
        return round(statistics.fmean(self.days_late), 1) if self.days_late else None

    def as_dict(self) -> dict:
        return {
            "workshop": self.workshop,
            "completed": self.completed,
            "on_time": self.on_time,
            "late": self.late,
            "on_time_rate": self.on_time_rate,
            "mean_days_late": self.mean_days_late,
            "open_overdue": self.open_overdue,
        }


@dataclass
class DeliveryPerformance:
    start: dt.date
    end: dt.date
    rows: list[DeliveryRow]
    total: DeliveryRow


def delivery_performance(*, start: dt.date, end: dt.date, today: dt.date | None = None) -> DeliveryPerformance:
    """Production notices (F4) completed from ``start`` to ``end`` (inclusive), on time or late, per workshop.

    A notice is on time when completed (local date) on or before its due date. Notices
    still open past their due date today are counted apart. Void notices are left
    out. One query.
    """
    today = today or clock.today()
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    completed = Q(status=NoticeStatus.COMPLETED, completed_at__gte=since, completed_at__lt=until)
    open_overdue = Q(status__in=NOTICE_OPEN, due_date__lt=today)
    rows = (
        ProductionNotice.objects.filter(completed | open_overdue)
        .values_list("workshop__name", "status", "due_date", "completed_at")
        .order_by("workshop__name", "due_date", "pk")
    )
    by_workshop: dict[str, DeliveryRow] = {}
    total = DeliveryRow(workshop="")
    for workshop, status, due_date, completed_at in rows:
        row = by_workshop.setdefault(workshop, DeliveryRow(workshop=workshop))
        for target in (row, total):
            if status != NoticeStatus.COMPLETED:
                target.open_overdue += 1
                continue
            late = (timezone.localdate(completed_at) - due_date).days
            target.completed += 1
            if late > 0:
                target.late += 1
                target.days_late.append(late)
            else:
                target.on_time += 1
    return DeliveryPerformance(start=start, end=end, rows=list(by_workshop.values()), total=total)


# --- CAPA status -------------------------------------------------------------------------------


@dataclass
class CapaStatusSummary:
    counts: dict[str, int]  # per status, and "overdue"
    issued_in_period: dict[str, int]  # per source kind
    overdue: list  # open CAPA requests past due, most late first


def capa_status(*, start: dt.date, end: dt.date, today: dt.date | None = None) -> CapaStatusSummary:
    """Where CAPA requests (F7) stand today, how many the period issued by source, and the overdue ones.

    Three queries, through the quality app's CAPA selectors.
    """
    today = today or clock.today()
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    issued = {
        row["source_kind"]: row["n"]
        for row in capa_selectors.capa_queryset(today=today)
        .filter(created_at__gte=since, created_at__lt=until)
        .values("source_kind")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return CapaStatusSummary(
        counts=capa_selectors.capa_status_counts(today=today),
        issued_in_period=issued,
        overdue=list(capa_selectors.capa_overdue(today=today)),
    )


# --- choices for the forms ---------------------------------------------------------------------


def _holding(codename: str) -> QuerySet[User]:
    """Active users whose role groups give them management.<codename> (superusers too)."""
    held = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label="management")
    return (
        User.objects.filter(is_active=True)
        .filter(held | Q(is_superuser=True))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def chair_choices() -> QuerySet[User]:
    """Who may chair a review: top management (those who hold reviews)."""
    return _holding("hold_reviewmeeting")


def owner_choices() -> QuerySet[User]:
    """Who may own a review action: those who can report actions done (department heads, management)."""
    return _holding("change_reviewaction")


def participant_choices() -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("last_name", "first_name", "username")
