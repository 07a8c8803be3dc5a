"""The management review pack (R-5.6.7, R-3.3): everything one meeting reviews, in one place.

The pack covers the period since the previous meeting (or the last six months) and
brings: (a) customer satisfaction — the survey round's analysis and the CAPA requests
raised for dissatisfied customers; (b) QC's complaint handling report; (c) the status
of CAPA requests; (d) what became of earlier reviews' actions; (e) delivery performance
from production notices; (f) this meeting's agenda, minutes and actions.

Sections (a) and (b) are the satisfaction app's analysis of the meeting's survey round
and the quality app's complaint handling report, both apps below this one.
"""

import dataclasses
import datetime as dt
import decimal
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.core import clock
from liaison.quality.capa import selectors as capa_selectors
from liaison.quality.report.selectors import ComplaintHandlingReport, complaint_handling_report
from liaison.quality.states import CapaSource
from liaison.reviews import selectors
from liaison.reviews.models import ReviewAction, ReviewMeeting
from liaison.satisfaction.analysis import RoundAnalysis, round_analysis


@dataclass
class Figure:
    """One labelled number of a chart or a table (a criterion's mean, a round's index, …)."""

    label: str
    value: float | None


@dataclass
class SatisfactionSection:
    """Section (a): the survey round of the meeting and its analysis (R-5.6.4), and its CAPAs (R-5.6.6)."""

    survey_round: selectors.SurveyRoundInfo | None
    analysis_available: bool = False  # the meeting has a survey round, so its analysis
    sent: int | None = None
    returned: int | None = None
    void: int | None = None
    response_rate: float | None = None  # percent
    index: float | None = None  # weighted satisfaction index
    csat: float | None = None  # percent satisfied
    criteria: list[Figure] = field(default_factory=list)
    distribution: list[Figure] = field(default_factory=list)
    trend: list[Figure] = field(default_factory=list)
    customers: list[Figure] = field(default_factory=list)
    customers_total: int | None = None  # counted forms of the round, when the analysis pages ``customers``
    capas: list = field(default_factory=list)
    raw: dict | None = None  # the analysis as the satisfaction app gave it, for the API


@dataclass
class ReviewPack:
    meeting: ReviewMeeting
    previous: ReviewMeeting | None
    start: dt.date
    end: dt.date
    made_at: dt.datetime
    satisfaction: SatisfactionSection
    complaints: ComplaintHandlingReport
    capa: selectors.CapaStatusSummary
    previous_actions: list[ReviewAction]
    delivery: selectors.DeliveryPerformance

    @property
    def actions(self) -> list[ReviewAction]:
        return list(self.meeting.actions.all())

    @property
    def number(self) -> str:
        return f"{self.meeting.number}-P"


def section_titles() -> list[str]:
    """The pack's section headings, in the active language (the page, the PDF and the tests use them)."""
    return [
        _("1. Customer satisfaction"),
        _("2. Complaint handling (QC)"),
        _("3. Status of CAPA requests"),
        _("4. Actions from earlier reviews"),
        _("5. Delivery performance"),
        _("6. This meeting"),
    ]


# --- sections (a) and (b) -----------------------------------------------------------------------


def _number(value) -> float | None:
    if value is None:
        return None
    try:
        return round(float(value), 2)
    except (TypeError, ValueError):
        return None


def _plain(value):
    """The analysis as JSON-friendly data (dataclasses, dates, decimals, querysets)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(item) for item in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _satisfaction_from(section: SatisfactionSection, analysis: RoundAnalysis) -> None:
    """Copy what the pack shows from a ``satisfaction.analysis.RoundAnalysis``."""
    section.analysis_available = True
    section.sent, section.returned, section.void = analysis.sent, analysis.returned, analysis.void
    section.response_rate = _number(analysis.response_rate)
    section.csat = _number(analysis.csat)
    section.index = _number(analysis.weighted_index)
    section.criteria = [Figure(item.label, _number(item.mean)) for item in analysis.criteria]
    section.distribution = [Figure(str(item.score), item.count) for item in analysis.distribution]
    section.trend = [Figure(point.round_number, _number(point.weighted_index)) for point in analysis.trend]
    section.customers = [
        Figure(row.customer_name + (" !" if row.dissatisfied else ""), _number(row.weighted_index))
        for row in analysis.customers
    ]
    section.customers_total = analysis.customers_total
    section.raw = _plain(analysis)


def satisfaction_section(*, meeting: ReviewMeeting, start: dt.date, end: dt.date) -> SatisfactionSection:
    """Section (a): the meeting's survey round and its analysis, and the survey CAPAs of the period."""
    survey_round = selectors.survey_round_of(meeting=meeting)
    section = SatisfactionSection(survey_round=selectors.round_info(survey_round) if survey_round else None)
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    section.capas = list(
        capa_selectors.capa_queryset()
        .filter(Q(source_kind=CapaSource.SURVEY) & Q(created_at__gte=since, created_at__lt=until))
        .order_by("created_at", "pk")
    )
    if survey_round is not None:
        _satisfaction_from(section, round_analysis(survey_round=survey_round))
    return section


# --- the pack ------------------------------------------------------------------------------------


def pack_build(*, meeting_pk: int, today: dt.date | None = None) -> ReviewPack:
    """Gather a meeting's pack (raises ``ReviewMeeting.DoesNotExist``); a fixed number of queries."""
    today = today or clock.today()
    meeting = selectors.meeting_get(pk=meeting_pk)
    previous = selectors.meeting_previous(meeting=meeting)
    start, end = selectors.review_period(meeting=meeting, previous=previous)
    return ReviewPack(
        meeting=meeting,
        previous=previous,
        start=start,
        end=end,
        made_at=clock.now(),
        satisfaction=satisfaction_section(meeting=meeting, start=start, end=end),
        complaints=complaint_handling_report(start=start, end=end),
        capa=selectors.capa_status(start=start, end=end, today=today),
        previous_actions=selectors.previous_review_actions(meeting=meeting, previous=previous, today=today),
        delivery=selectors.delivery_performance(start=start, end=end, today=today),
    )


def _person(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


def _action_dict(action: ReviewAction) -> dict:
    return {
        "id": action.pk,
        "meeting": action.meeting.number,
        "description": action.description,
        "owner": action.owner_id,
        "owner_name": _person(action.owner),
        "due_date": action.due_date.isoformat(),
        "status": action.status,
        "is_overdue": bool(getattr(action, "is_overdue", False)),
        "outcome": action.outcome,
    }


def _figure_list(figures: list[Figure]) -> list[dict]:
    return [{"label": figure.label, "value": figure.value} for figure in figures]


def pack_as_dict(pack: ReviewPack) -> dict:
    """The pack as plain data for the API."""
    meeting = pack.meeting
    survey = pack.satisfaction
    capa = pack.capa
    return {
        "meeting": {
            "id": meeting.pk,
            "number": meeting.number,
            "title": meeting.title,
            "meeting_date": meeting.meeting_date.isoformat(),
            "status": meeting.status,
            "chair_name": _person(meeting.chair),
            "agenda": meeting.agenda,
            "minutes": meeting.minutes,
            "actions": [_action_dict(action) for action in pack.actions],
        },
        "previous_meeting": pack.previous.number if pack.previous else None,
        "period_start": pack.start.isoformat(),
        "period_end": pack.end.isoformat(),
        "made_at": pack.made_at.isoformat(),
        "satisfaction": {
            "survey_round": survey.survey_round.number if survey.survey_round else None,
            "survey_round_status": survey.survey_round.status if survey.survey_round else None,
            "analysis_available": survey.analysis_available,
            "response_rate": survey.response_rate,
            "index": survey.index,
            "csat": survey.csat,
            "criteria": _figure_list(survey.criteria),
            "distribution": _figure_list(survey.distribution),
            "trend": _figure_list(survey.trend),
            "customers": _figure_list(survey.customers),
            "capa_requests": [
                {"number": record.number, "status": record.status, "customer": str(record.customer or "")}
                for record in survey.capas
            ],
            "analysis": survey.raw,
        },
        "complaint_report": _plain(pack.complaints),
        "capa": {
            "counts": dict(capa.counts),
            "issued_in_period": dict(capa.issued_in_period),
            "overdue": [
                {
                    "number": record.number,
                    "department": str(record.department),
                    "due_date": record.due_date.isoformat(),
                    "status": record.status,
                }
                for record in capa.overdue
            ],
        },
        "previous_actions": [_action_dict(action) for action in pack.previous_actions],
        "delivery": {
            "rows": [row.as_dict() for row in pack.delivery.rows],
            "total": pack.delivery.total.as_dict(),
        },
    }
