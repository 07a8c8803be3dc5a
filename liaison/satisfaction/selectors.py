"""Reads of the satisfaction app: forms by state, the inbox's survey work, the round calendar.

The analysis of returned forms (response rate, scores, index, trend) lives in its own
module; these are the workflow's reads.
"""

import datetime as dt

from django.db.models import QuerySet

from liaison.core import clock
from liaison.satisfaction.models import SurveyForm, SurveyRound
from liaison.satisfaction.states import RoundStatus, SurveyChannel


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


def half_years_without_round(year: int) -> list[tuple[int, int]]:
    """The half-years of ``year`` (1 or 2) in which no survey round is sent (R-5.6.3: twice a year).

    A round belongs to the half-year of its planned send date.
    """
    months = SurveyRound.objects.filter(planned_send_on__year=year).values_list("planned_send_on", flat=True)
    covered = {1 if day.month <= 6 else 2 for day in months}
    return [(year, half) for half in (1, 2) if half not in covered]
