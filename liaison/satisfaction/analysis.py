"""The data analysis procedure (數據分析程序) applied to survey rounds (R-5.6.4).

``round_analysis`` reads one round: response rate, mean per criterion, the weighted
satisfaction index, CSAT, the score distribution, the trend against earlier rounds and
one row per customer's form. Everything is aggregated in the database: the number of
queries is the same for ten forms or a hundred thousand.

What counts:

- The response rate is a round's survey forms returned in time over its forms sent
  (every form sent in the round, void ones included). A form returned after its last
  valid day, or voided, is ``void`` and left out of every figure but the counts (R-5.6.3).
- Satisfaction heard in interviews and feedback (R-5.6.5) is entered on forms outside
  any round. Such a form belongs to the round of the management review it is reported
  to: returned after the previous round's review meeting, up to and including this
  round's meeting date (for a round with no earlier one: the six months before its
  meeting). Its scores count in the means, index, CSAT, distribution and per-customer
  rows; it is not in ``sent``/``returned`` and does not change the response rate.
- Scores are 1 (very dissatisfied) to 5 (very satisfied). The weighted index is the
  mean of the criteria's means weighted by their weights, normalised over the criteria
  that have answers; ``index_percent`` puts it on 0–100 ((index − 1) / 4 × 100).
  CSAT is the share of answers scoring 4 or 5.
- A form is dissatisfied when a score is under SURVEY_DISSATISFACTION_THRESHOLD or
  Sales marked its comments a complaint (R-5.6.6).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Avg, Case, Count, Exists, F, FloatField, IntegerField, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Cast

from liaison.core import clock, procedure
from liaison.satisfaction.dates import add_months
from liaison.satisfaction.models import Criterion, SurveyForm, SurveyRound, SurveyScore
from liaison.satisfaction.states import SCORE_MAX, SCORE_MIN, SurveySource

# How many earlier rounds the trend shows beside the round itself.
TREND_EARLIER_ROUNDS = 5
# The window of interviews and feedback of a round with no earlier round, in months before its meeting.
FIRST_WINDOW_MONTHS = 6
# How many per-customer rows ``round_analysis`` returns unless asked for another page or all.
CUSTOMER_ROWS = 50
# Scores from this up are "satisfied" in CSAT.
SATISFIED_FROM = 4
OTHER_SOURCES = (SurveySource.INTERVIEW, SurveySource.FEEDBACK)


@dataclass(frozen=True)
class CriterionMean:
    code: str
    label: str
    weight: float
    mean: float | None  # None when nobody answered it
    answers: int


@dataclass(frozen=True)
class ScoreCount:
    score: int
    count: int


@dataclass(frozen=True)
class TrendPoint:
    label: str  # the month the round was sent, "2026-10"
    round_number: str
    planned_send_on: dt.date
    response_rate: float | None
    weighted_index: float | None
    csat: float | None


@dataclass(frozen=True)
class CustomerRow:
    """One counted form of the round (a survey form, or an interview or feedback form of its period)."""

    customer_id: int
    customer_name: str
    form_id: int
    form_number: str
    source: str
    weighted_index: float | None
    mean: float | None
    dissatisfied: bool
    capa_number: str | None


@dataclass(frozen=True)
class RoundAnalysis:
    round_id: int
    round_number: str
    sent: int  # survey forms sent in the round
    returned: int  # returned in time: counted
    chased: int
    void: int  # returned too late or voided: excluded from the statistics
    pending: int  # not returned yet and still valid
    expired: int  # not returned within their validity
    other_sources: int  # counted interview and feedback forms of the round's period (not in the rate)
    response_rate: float | None  # percent, returned / sent
    criteria: list[CriterionMean]
    weighted_index: float | None  # 1–5
    index_percent: float | None  # 0–100
    csat: float | None  # percent of answers scoring 4–5
    answers: int
    distribution: list[ScoreCount]
    trend: list[TrendPoint]
    customers: list[CustomerRow]  # one page of the counted forms, by customer name (``customer_rows``)
    customers_total: int  # counted forms of the round, every page
    customer_offset: int  # where ``customers`` starts in them
    dissatisfied_count: int
    threshold: int
    window_start: dt.date  # interviews and feedback returned after this day …
    window_end: dt.date  # … up to and including this one belong to the round


@dataclass(frozen=True)
class CustomerTrendPoint:
    form_id: int
    form_number: str
    round_number: str | None
    source: str
    returned_on: dt.date
    weighted_index: float | None
    mean: float | None
    dissatisfied: bool


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _index_percent(index: float | None) -> float | None:
    return None if index is None else round((index - SCORE_MIN) / (SCORE_MAX - SCORE_MIN) * 100, 1)


def _counted_q(prefix: str = "") -> Q:
    """The forms whose scores count (``SurveyFormQuerySet.counted``), seen from ``prefix``."""
    in_time = Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}returned_on__lte": F(f"{prefix}valid_until")})
    return in_time & Q(**{f"{prefix}returned_on__isnull": False, f"{prefix}voided_at__isnull": True})


def _windows(rounds: list[SurveyRound]) -> dict[int, tuple[dt.date, dt.date]]:
    """Each round's interview and feedback window (start exclusive, end inclusive); ``rounds`` oldest first."""
    windows = {}
    for index, survey_round in enumerate(rounds):
        end = survey_round.meeting.meeting_date
        if index:
            start = rounds[index - 1].meeting.meeting_date
        else:
            start = add_months(end, -FIRST_WINDOW_MONTHS)
        windows[survey_round.pk] = (start, end)
    return windows


def _bucket(windows: dict[int, tuple[dt.date, dt.date]], prefix: str = "") -> Case:
    """The round a counted form belongs to: its own, or the one whose window its return date falls in."""
    whens = [When(**{f"{prefix}round_id__in": list(windows)}, then=F(f"{prefix}round_id"))]
    for pk, (start, end) in windows.items():
        whens.append(
            When(
                **{
                    f"{prefix}round__isnull": True,
                    f"{prefix}source__in": OTHER_SOURCES,
                    f"{prefix}returned_on__gt": start,
                    f"{prefix}returned_on__lte": end,
                },
                then=Value(pk),
            )
        )
    return Case(*whens, default=Value(None), output_field=IntegerField())


def _scope_q(windows: dict[int, tuple[dt.date, dt.date]], prefix: str = "") -> Q:
    starts = [start for start, _end in windows.values()]
    ends = [end for _start, end in windows.values()]
    return _counted_q(prefix) & (
        Q(**{f"{prefix}round_id__in": list(windows)})
        | Q(
            **{
                f"{prefix}round__isnull": True,
                f"{prefix}source__in": OTHER_SOURCES,
                f"{prefix}returned_on__gt": min(starts),
                f"{prefix}returned_on__lte": max(ends),
            }
        )
    )


def _weighted(means: dict[int, float], weights: dict[int, float]) -> float | None:
    """The weighted mean of criterion means, weights normalised over the criteria answered."""
    total = sum(weights.get(pk, 0.0) for pk in means)
    if not means:
        return None
    if total <= 0:  # every answered criterion weighs nothing: fall back to the plain mean
        return sum(means.values()) / len(means)
    return sum(mean * weights.get(pk, 0.0) for pk, mean in means.items()) / total


def round_analysis(
    *, survey_round: SurveyRound, customer_rows: int | None = CUSTOMER_ROWS, customer_offset: int = 0
) -> RoundAnalysis:
    """The analysis of one survey round and the trend of up to five rounds before it (seven queries).

    ``customers`` holds ``customer_rows`` of the round's counted forms from ``customer_offset``
    (by customer name; ``None``: all of them — a round may have 50 000); the counts of counted,
    dissatisfied and interview/feedback forms are over all of them.
    """
    threshold = procedure.setting("SURVEY_DISSATISFACTION_THRESHOLD")
    today = clock.today()
    current = survey_round
    # 1. This round and the earlier ones (one more than the trend shows: it opens the oldest's window).
    rounds = list(
        SurveyRound.objects.filter(
            Q(pk=current.pk)
            | Q(planned_send_on__lt=current.planned_send_on)
            | Q(planned_send_on=current.planned_send_on, pk__lt=current.pk)
        )
        .select_related("meeting")
        .order_by("-planned_send_on", "-pk")[: TREND_EARLIER_ROUNDS + 2]
    )
    rounds.reverse()
    current = next(r for r in rounds if r.pk == current.pk)
    windows = _windows(rounds)
    shown = rounds[-(TREND_EARLIER_ROUNDS + 1):]
    windows = {r.pk: windows[r.pk] for r in shown}

    # 2. The survey forms of each round, counted by where they stand.
    late = Q(returned_on__isnull=False, valid_until__isnull=False, returned_on__gt=F("valid_until"))
    void = Q(voided_at__isnull=False) | late
    open_forms = Q(returned_on__isnull=True, voided_at__isnull=True)
    counts = {
        row["round_id"]: row
        for row in SurveyForm.objects.filter(round_id__in=list(windows), sent_at__isnull=False)
        .values("round_id")
        .annotate(
            sent=Count("pk"),
            returned=Count("pk", filter=_counted_q()),
            chased=Count("pk", filter=Q(chased_at__isnull=False)),
            void=Count("pk", filter=void),
            pending=Count("pk", filter=open_forms & Q(valid_until__gte=today)),
            expired=Count("pk", filter=open_forms & Q(valid_until__lt=today)),
        )
        .order_by()
    }

    # 3. Every counted answer of those rounds, by round, criterion and score: the survey forms grouped by
    #    their round, UNION ALL the few interview and feedback forms bucketed by their return date (so
    #    the bulk of the rows is grouped on plain columns, not on the CASE).
    survey_answers = (
        SurveyScore.objects.filter(_counted_q("form__"), form__round_id__in=list(windows))
        .annotate(bucket=F("form__round_id"))
        .values("bucket", "criterion_id", "score")
        .annotate(n=Count("pk"))
        .order_by()
    )
    other_answers = (
        SurveyScore.objects.filter(_scope_q(windows, "form__"), form__round__isnull=True)
        .annotate(bucket=_bucket(windows, "form__"))
        .values("bucket", "criterion_id", "score")
        .annotate(n=Count("pk"))
        .order_by()
    )
    answers = survey_answers.union(other_answers, all=True).order_by()
    per_round: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))  # sum, count
    satisfied: dict[int, int] = defaultdict(int)
    distribution = {score: 0 for score in range(SCORE_MIN, SCORE_MAX + 1)}
    criterion_ids = set()
    for row in answers:
        bucket, criterion_id, score, n = row["bucket"], row["criterion_id"], row["score"], row["n"]
        if bucket is None:
            continue
        criterion_ids.add(criterion_id)
        cell = per_round[bucket][criterion_id]
        cell[0] += score * n
        cell[1] += n
        if score >= SATISFIED_FROM:
            satisfied[bucket] += n
        if bucket == current.pk:
            distribution[score] = distribution.get(score, 0) + n

    # 4. The criteria: this round's questionnaire and any other one answered in the trend.
    criteria = list(
        Criterion.objects.filter(Q(template_id=current.template_id) | Q(pk__in=criterion_ids)).order_by(
            "template_id", "order", "pk"
        )
    )
    weights = {c.pk: float(c.weight) for c in criteria}

    def figures(pk: int) -> tuple[float | None, float | None, int]:
        cells = per_round.get(pk, {})
        means = {cid: total / n for cid, (total, n) in cells.items() if n}
        count = sum(n for _total, n in cells.values())
        return _weighted(means, weights), _percent(satisfied.get(pk, 0), count), count

    trend = []
    for r in shown:
        index, csat, _count = figures(r.pk)
        row = counts.get(r.pk, {})
        trend.append(
            TrendPoint(
                label=f"{r.planned_send_on:%Y-%m}",
                round_number=r.number,
                planned_send_on=r.planned_send_on,
                response_rate=_percent(row.get("returned", 0), row.get("sent", 0)),
                weighted_index=_round(index),
                csat=csat,
            )
        )
    index, csat, answered = figures(current.pk)
    cells = per_round.get(current.pk, {})
    criterion_means = [
        CriterionMean(
            code=c.code,
            label=c.label(),
            weight=float(c.weight),
            mean=_round(cells[c.pk][0] / cells[c.pk][1]) if cells.get(c.pk, [0, 0])[1] else None,
            answers=cells.get(c.pk, [0, 0])[1],
        )
        for c in criteria
        if c.template_id == current.template_id or c.pk in cells
    ]

    # 5. The counted forms of this round (its survey forms and the interviews and feedback of its window):
    #    how many, how many dissatisfied, how many not from the survey.
    start, end = windows[current.pk]
    scope = SurveyForm.objects.filter(_scope_q({current.pk: (start, end)}))
    low = SurveyScore.objects.filter(form=OuterRef("pk"), score__lt=threshold)
    totals = scope.annotate(has_low=Exists(low)).aggregate(
        total=Count("pk"),
        dissatisfied=Count("pk", filter=Q(comment_is_complaint=True) | Q(has_low=True)),
        other=Count("pk", filter=~Q(source=SurveySource.SURVEY)),
    )
    total = totals["total"]
    offset = max(0, customer_offset)
    if customer_rows is not None and offset >= total:
        offset = max(0, (total - 1) // customer_rows * customer_rows)

    # 6. One page of them by customer name, then 7. the scores of just those forms, per form.
    page = scope.select_related("customer", "capa").order_by("customer__registered_name", "number")
    if customer_rows is not None:
        page = page[offset: offset + customer_rows]
    page = list(page)
    weight = Cast("criterion__weight", FloatField())
    per_form = {
        row["form_id"]: row
        for row in SurveyScore.objects.filter(form_id__in=[form.pk for form in page])
        .values("form_id")
        .annotate(
            weighted_sum=Sum(Cast("score", FloatField()) * weight),
            weight_total=Sum(weight),
            mean=Avg("score"),
            low=Count("pk", filter=Q(score__lt=threshold)),
        )
        .order_by()
    } if page else {}
    customers = []
    for form in page:
        row = per_form.get(form.pk, {})
        mean = row.get("mean")
        form_index = row["weighted_sum"] / row["weight_total"] if row.get("weight_total") else mean
        customers.append(
            CustomerRow(
                customer_id=form.customer_id,
                customer_name=form.customer.registered_name,
                form_id=form.pk,
                form_number=form.number,
                source=form.source,
                weighted_index=_round(form_index),
                mean=_round(mean),
                dissatisfied=bool(row.get("low")) or form.comment_is_complaint,
                capa_number=form.capa.number if form.capa_id else None,
            )
        )

    row = counts.get(current.pk, {})
    return RoundAnalysis(
        round_id=current.pk,
        round_number=current.number,
        sent=row.get("sent", 0),
        returned=row.get("returned", 0),
        chased=row.get("chased", 0),
        void=row.get("void", 0),
        pending=row.get("pending", 0),
        expired=row.get("expired", 0),
        other_sources=totals["other"],
        response_rate=_percent(row.get("returned", 0), row.get("sent", 0)),
        criteria=criterion_means,
        weighted_index=_round(index),
        index_percent=_index_percent(index),
        csat=csat,
        answers=answered,
        distribution=[ScoreCount(score=score, count=count) for score, count in sorted(distribution.items())],
        trend=trend,
        customers=customers,
        customers_total=total,
        customer_offset=offset,
        dissatisfied_count=totals["dissatisfied"],
        threshold=threshold,
        window_start=start,
        window_end=end,
    )


def customer_trend(*, customer) -> list[CustomerTrendPoint]:
    """The customer's counted forms, oldest first, with each one's weighted index (one query)."""
    threshold = procedure.setting("SURVEY_DISSATISFACTION_THRESHOLD")
    weight = Cast("scores__criterion__weight", FloatField())
    forms = (
        SurveyForm.objects.counted()
        .filter(customer=customer)
        .select_related("round")
        .annotate(
            weighted_sum=Sum(Cast("scores__score", FloatField()) * weight),
            weight_total=Sum(weight),
            mean=Avg("scores__score"),
            low=Count("scores", filter=Q(scores__score__lt=threshold)),
        )
        .order_by("returned_on", "pk")
    )
    return [
        CustomerTrendPoint(
            form_id=form.pk,
            form_number=form.number,
            round_number=form.round.number if form.round_id else None,
            source=form.source,
            returned_on=form.returned_on,
            weighted_index=_round(form.weighted_sum / form.weight_total if form.weight_total else form.mean),
            mean=_round(form.mean),
            dissatisfied=bool(form.low) or form.comment_is_complaint,
        )
        for form in forms
    ]
