"""Reads of the satisfaction app: forms by state, the inbox's survey work, the round calendar.

The analysis of returned forms (response rate, scores, index, trend) lives in its own
module; these are the workflow's reads.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils import timezone

from liaison.core import clock
from liaison.customers.selectors import customer_search
from liaison.customers.states import CustomerStatus
from liaison.satisfaction.models import SurveyForm, SurveyRound, review_meetings
from liaison.satisfaction.states import FormState, RoundStatus, SurveyChannel


def form_list(
    *, survey_round: SurveyRound | int | None = None, state: str | None = None, customer=None, today=None
) -> QuerySet[SurveyForm]:
    """Forms with their computed ``state``, filtered by round, state and customer (one query)."""
    forms = SurveyForm.objects.with_state(today=today).select_related("customer", "contact", "round", "capa")
    if survey_round is not None:
        forms = forms.filter(round=survey_round)
    if customer is not None:
        forms = forms.filter(customer=customer)
    if state:
        forms = forms.filter(state=state)
    return forms.order_by("round_id", "number")


def round_forms(
    *, survey_round: SurveyRound | int, state: str | None = None, query: str = "", today=None
) -> QuerySet[SurveyForm]:
    """The forms of one round for its page: optionally of one state and of customers matching ``query``.

    Ordered by number (index ``(round, number)``), so a page of 50 reads 50 forms, not the round.
    """
    forms = form_list(survey_round=survey_round, state=state, today=today)
    if query:
        forms = forms.filter(customer__in=customer_search(query=query).values("pk"))
    return forms.order_by("number")


def round_state_counts(*, survey_round: SurveyRound | int, query: str = "", today=None) -> dict[str, int]:
    """How many forms of the round stand in each ``FormState`` (one aggregate query, every state present).

    The state is the database-side ``SurveyFormQuerySet.with_state`` (the same date rules as
    ``SurveyForm.state``), grouped on.
    """
    forms = SurveyForm.objects.filter(round=survey_round)
    if query:
        forms = forms.filter(customer__in=customer_search(query=query).values("pk"))
    rows = forms.with_state(today=today).values("state").annotate(n=Count("pk")).order_by()
    counts = {state.value: 0 for state in FormState}
    counts.update({row["state"]: row["n"] for row in rows})
    return counts


def customers_to_send(*, survey_round: SurveyRound, query: str = "") -> QuerySet:
    """Active customers without a live form in the round, by name, optionally matching ``query``."""
    already = SurveyForm.objects.filter(round=survey_round, voided_at__isnull=True).values("customer_id")
    customers = customer_search(query=query).filter(status=CustomerStatus.ACTIVE).exclude(pk__in=already)
    return customers.order_by("registered_name", "pk")


def forms_to_chase_by_hand(*, today: dt.date | None = None) -> QuerySet[SurveyForm]:
    """Forms sent by fax, post or in person that are due a chase: Sales phones or faxes (R-5.6.3)."""
    return (
        SurveyForm.objects.chase_due(today=today or clock.today())
        .exclude(channel=SurveyChannel.EMAIL)
        .select_related("customer", "contact", "round")
        .order_by("chase_due_on", "pk")
    )


def dissatisfied_without_capa() -> QuerySet[SurveyForm]:
    """Returned, counted forms showing dissatisfaction that have no CAPA request yet (R-5.6.6)."""
    return (
        SurveyForm.objects.dissatisfied().filter(capa__isnull=True)
        .select_related("customer", "round")
        .order_by("returned_on", "pk")
    )


def rounds_to_send(*, today: dt.date | None = None) -> QuerySet[SurveyRound]:
    """Planned rounds whose send date has come (R-5.6.3)."""
    return (
        SurveyRound.objects.filter(status=RoundStatus.PLANNED, planned_send_on__lte=today or clock.today())
        .select_related("meeting")
        .order_by("planned_send_on", "pk")
    )


@dataclass(frozen=True)
class HalfYearGap:
    """A half-year (1: January–June, 2: July–December) in which no survey round was sent (R-5.6.3)."""

    year: int
    half: int
    planned: tuple[dt.date, ...] = ()  # days rounds not sent yet are planned for in it


def half_years_without_round(*, today: dt.date | None = None) -> list[HalfYearGap]:
    """Every half-year without a survey round sent, in each year that has management reviews (R-5.6.3).

    "At least twice a year" is checked for every year with a review meeting on the
    calendar (whatever became of it) and this year, not only the current one. A round
    counts in the half-year of the day it was sent; one not sent does not count (the
    days such rounds are planned for are given with the gap), and neither does a round
    whose management review was cancelled. Two queries.
    """
    today = today or clock.today()
    meetings = review_meetings().objects
    years = {day.year for day in meetings.all().dates("meeting_date", "year")} | {today.year}
    rounds = SurveyRound.objects.filter(meeting__in=meetings.current()).exclude(status=RoundStatus.CANCELLED)
    sent, planned = set(), {}
    for sent_at, planned_send_on in rounds.values_list("sent_at", "planned_send_on").order_by("planned_send_on"):
        if sent_at is not None:
            day = timezone.localdate(sent_at)
            sent.add((day.year, _half(day)))
        else:
            planned.setdefault((planned_send_on.year, _half(planned_send_on)), []).append(planned_send_on)
    return [
        HalfYearGap(year, half, tuple(planned.get((year, half), ())))
        for year in sorted(years)
        for half in (1, 2)
        if (year, half) not in sent
    ]


def _half(day: dt.date) -> int:
    """1 up to 30 June, 2 from 1 July."""
    return 1 if day.month <= 6 else 2
