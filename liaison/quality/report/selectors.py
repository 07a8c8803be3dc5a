"""QC's complaint handling report for a period, for the management review (R-3.3, R-5.6.7).

The period is the customer's complaint date (``Complaint.complaint_date``), start and end
inclusive. Voided registrations are left out of every figure (their number is given on
its own). Status figures — open, closed, overdue — are as of the moment the report is
made. CAPA figures count the requests QC issued in the period for complaints and returns
(survey CAPAs belong to the satisfaction report), plus those still open from any period.

Counts, sums and groupings are done by the database; the durations (mean, median,
maximum) are worked out from the period's complaint rows, which the report lists anyway.
The report costs a fixed number of queries whatever the amount of data.
"""

import calendar
import datetime as dt
import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.core import clock, procedure
from liaison.core.errors import refuse
from liaison.quality.models import (
    RETURN_LINE_WAITING,
    CapaRequest,
    CapaStep,
    Complaint,
    NonconformanceRecord,
    ReturnLine,
)
from liaison.quality.report.errors import MESSAGES, ReportErrorCode
from liaison.quality.states import (
    CAPA_FROM_COMPLAINTS,
    CAPA_OPEN,
    COMPLAINT_OPEN,
    CapaStatus,
    CapaStepMeaning,
    CauseCategory,
    ComplaintKind,
    ComplaintStatus,
    Disposition,
)

NUMBER_PREFIX = "CHR"
_SECONDS_A_DAY = 86400


# --- the period asked for ------------------------------------------------------------------------


def _months_back(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier, or that month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last six months up to today."""
    today = today or clock.today()
    return _months_back(today, 6) + dt.timedelta(days=1), today


def half_years(today: dt.date | None = None) -> dict[str, tuple[dt.date, dt.date]]:
    """This half-year and the last one, the usual periods between two management reviews."""
    today = today or clock.today()
    if today.month <= 6:
        this = (dt.date(today.year, 1, 1), dt.date(today.year, 6, 30))
        last = (dt.date(today.year - 1, 7, 1), dt.date(today.year - 1, 12, 31))
    else:
        this = (dt.date(today.year, 7, 1), dt.date(today.year, 12, 31))
        last = (dt.date(today.year, 1, 1), dt.date(today.year, 6, 30))
    return {"this_half": this, "last_half": last}


def report_period(*, start: str | None, end: str | None, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The period from two ``YYYY-MM-DD`` texts; a missing one takes the default (the last six months).

    Raises ``LiaisonError`` (field ``start`` or ``end``) for a text that is not a date or
    a period that ends before it starts.
    """
    default_start, default_end = default_period(today)
    values = {}
    for name, text, default in (("start", start, default_start), ("end", end, default_end)):
        text = (text or "").strip()
        if not text:
            values[name] = default
            continue
        try:
            values[name] = dt.date.fromisoformat(text)
        except ValueError:
            raise refuse(MESSAGES, ReportErrorCode.DATE_INVALID, field=name, value=text[:40]) from None
    if values["end"] < values["start"]:
        raise refuse(
            MESSAGES,
            ReportErrorCode.PERIOD_REVERSED,
            field="end",
            start=values["start"].isoformat(),
            end=values["end"].isoformat(),
        )
    return values["start"], values["end"]


# --- the report's figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class CauseFigure:
    """One 6M cause: how many complaints of the period QC traced to it, at fault or not."""

    category: str
    at_fault: int
    not_at_fault: int
    total: int
    cumulative_share: float  # of all investigated complaints, this cause and the larger ones (Pareto)

    @property
    def label(self) -> str:
        return str(CauseCategory(self.category).label)


@dataclass(frozen=True)
class Durations:
    """How long a step took, in days, over the complaints that took it; and how many missed its limit."""

    measured: int
    mean_days: float | None
    median_days: float | None
    max_days: float | None
    over_limit: int  # late when done, or still waiting past the limit


@dataclass(frozen=True)
class DispositionFigure:
    disposition: str  # "" while not decided
    records: int
    quantity: Decimal

    @property
    def label(self) -> str:
        return str(Disposition(self.disposition).label) if self.disposition else str(_("not decided yet"))


@dataclass(frozen=True)
class ReturnFigures:
    returned: Decimal
    arrived: Decimal
    good: Decimal
    nonconforming: Decimal
    replacement_needed: Decimal
    lines_not_inspected: int
    dispositions: tuple[DispositionFigure, ...]


@dataclass(frozen=True)
class CapaFigures:
    issued: int  # in the period, for complaints and returns
    open: int  # of those, not closed yet
    overdue: int  # of those, open past their due date
    closed_effective: int  # of those, closed as effective
    sent_back: int  # of those, sent back to the department at least once
    open_all: int  # from any period, still open
    overdue_all: int  # from any period, open past their due date


@dataclass(frozen=True)
class ComplaintLine:
    """One complaint or return of the period, as the report lists it."""

    pk: int
    number: str
    kind: str
    customer: str
    complaint_date: dt.date
    cause_category: str
    company_at_fault: bool | None
    status: str
    days_open: int  # to closing, or to today while open
    acknowledged_late: bool
    resolved_late: bool

    @property
    def kind_label(self) -> str:
        return str(ComplaintKind(self.kind).label)

    @property
    def status_label(self) -> str:
        return str(ComplaintStatus(self.status).label)

    @property
    def cause_label(self) -> str:
        return str(CauseCategory(self.cause_category).label) if self.cause_category else ""

    @property
    def is_open(self) -> bool:
        return self.status in COMPLAINT_OPEN


@dataclass(frozen=True)
class ComplaintHandlingReport:
    start: dt.date
    end: dt.date
    made_at: dt.datetime
    acknowledge_limit_hours: int
    resolve_limit_days: int
    registered: int
    complaints: int
    returns: int
    closed: int
    open: int
    voided: int  # left out of every other figure
    at_fault: int
    not_at_fault: int
    not_investigated: int
    causes: tuple[CauseFigure, ...]  # largest first (Pareto order)
    acknowledge: Durations  # from registration to acknowledgement
    close: Durations  # from the complaint date to closing
    goods: ReturnFigures
    capa: CapaFigures
    lines: tuple[ComplaintLine, ...]

    @property
    def number(self) -> str:
        return f"{NUMBER_PREFIX}-{self.start:%y%m%d}-{self.end:%y%m%d}"

    @property
    def as_of(self) -> dt.date:
        return timezone.localdate(self.made_at)


def _durations(values: list[float], over_limit: int) -> Durations:
    if not values:
        return Durations(measured=0, mean_days=None, median_days=None, max_days=None, over_limit=over_limit)
    return Durations(
        measured=len(values),
        mean_days=round(statistics.fmean(values), 1),
        median_days=round(statistics.median(values), 1),
        max_days=round(max(values), 1),
        over_limit=over_limit,
    )


def _causes(rows: list[dict]) -> tuple[tuple[CauseFigure, ...], int]:
    """The 6M causes, largest first, and how many complaints have no cause yet."""
    counts: dict[str, list[int]] = {}
    not_investigated = 0
    for row in rows:
        if not row["cause_category"]:
            not_investigated += row["n"]
            continue
        pair = counts.setdefault(row["cause_category"], [0, 0])
        pair[0 if row["company_at_fault"] else 1] += row["n"]
    order = list(CauseCategory.values)
    ranked = sorted(counts.items(), key=lambda item: (-sum(item[1]), order.index(item[0])))
    total = sum(sum(pair) for _category, pair in ranked)
    figures, running = [], 0
    for category, (at_fault, not_at_fault) in ranked:
        running += at_fault + not_at_fault
        figures.append(
            CauseFigure(
                category=category,
                at_fault=at_fault,
                not_at_fault=not_at_fault,
                total=at_fault + not_at_fault,
                cumulative_share=running / total,
            )
        )
    return tuple(figures), not_investigated


def complaint_handling_report(*, start: dt.date, end: dt.date) -> ComplaintHandlingReport:
    """QC's complaint handling report of the complaints and returns dated ``start`` to ``end`` (inclusive).

    Six queries: the counts, the causes, the complaint lines, the returned goods, the
    nonconformance dispositions and the CAPA requests.
    """
    now = clock.now()
    today = timezone.localdate(now)
    in_period = Complaint.objects.filter(complaint_date__gte=start, complaint_date__lte=end)
    counted = in_period.exclude(status=ComplaintStatus.VOID)
    acknowledged_late = Q(acknowledged_at__gt=F("acknowledge_due")) | Q(
        acknowledged_at__isnull=True, status__in=COMPLAINT_OPEN, acknowledge_due__lt=now
    )
    # ``__date`` is the local date (USE_TZ): late when closed after the resolve-by day.
    resolved_late = Q(closed_at__date__gt=F("resolve_due")) | Q(status__in=COMPLAINT_OPEN, resolve_due__lt=today)
    valid = ~Q(status=ComplaintStatus.VOID)
    counts = in_period.aggregate(
        registered=Count("pk", filter=valid),
        complaints=Count("pk", filter=valid & Q(kind=ComplaintKind.COMPLAINT)),
        returns=Count("pk", filter=valid & Q(kind=ComplaintKind.RETURN)),
        closed=Count("pk", filter=Q(status=ComplaintStatus.CLOSED)),
        open=Count("pk", filter=Q(status__in=COMPLAINT_OPEN)),
        voided=Count("pk", filter=Q(status=ComplaintStatus.VOID)),
        at_fault=Count("pk", filter=valid & Q(company_at_fault=True)),
        not_at_fault=Count("pk", filter=valid & Q(company_at_fault=False)),
        acknowledged_late=Count("pk", filter=valid & acknowledged_late),
        resolved_late=Count("pk", filter=valid & resolved_late),
    )
    causes, not_investigated = _causes(
        list(counted.values("cause_category", "company_at_fault").annotate(n=Count("pk")).order_by())
    )

    lines, to_acknowledge, to_close = [], [], []
    rows = counted.annotate(
        customer_name=F("customer__registered_name"),
    ).values(
        "pk", "number", "kind", "customer_name", "complaint_date", "cause_category", "company_at_fault",
        "status", "registered_at", "acknowledged_at", "acknowledge_due", "closed_at", "resolve_due",
    ).order_by("complaint_date", "number")
    for row in rows:
        closed_on = timezone.localdate(row["closed_at"]) if row["closed_at"] else None
        if row["acknowledged_at"] is not None:
            to_acknowledge.append((row["acknowledged_at"] - row["registered_at"]).total_seconds() / _SECONDS_A_DAY)
        if closed_on is not None:
            to_close.append((closed_on - row["complaint_date"]).days)
        is_open = row["status"] in COMPLAINT_OPEN
        lines.append(
            ComplaintLine(
                pk=row["pk"],
                number=row["number"],
                kind=row["kind"],
                customer=row["customer_name"],
                complaint_date=row["complaint_date"],
                cause_category=row["cause_category"],
                company_at_fault=row["company_at_fault"],
                status=row["status"],
                days_open=((closed_on or today) - row["complaint_date"]).days,
                acknowledged_late=(
                    row["acknowledged_at"] > row["acknowledge_due"]
                    if row["acknowledged_at"] is not None
                    else is_open and row["acknowledge_due"] < now
                ),
                resolved_late=(
                    closed_on > row["resolve_due"] if closed_on is not None else is_open and row["resolve_due"] < today
                ),
            )
        )

    goods = ReturnLine.objects.filter(complaint__in=counted.filter(kind=ComplaintKind.RETURN)).aggregate(
        # Named apart from the fields: the count of lines still waiting reads the fields themselves.
        returned_total=Sum("quantity"),
        arrived_total=Sum("arrived"),
        good_total=Sum("good"),
        nonconforming_total=Sum("nonconforming"),
        replacement_total=Sum("replacement_needed"),
        lines_not_inspected=Count("pk", filter=RETURN_LINE_WAITING),
    )
    dispositions = tuple(
        DispositionFigure(disposition=row["disposition"], records=row["records"], quantity=row["quantity"])
        for row in NonconformanceRecord.objects.filter(return_line__complaint__in=counted)
        .values("disposition")
        .annotate(records=Count("pk"), quantity=Sum("quantity"))
        .order_by("disposition")
    )

    capa_open = Q(status__in=CAPA_OPEN)
    capa_overdue = capa_open & Q(due_date__lt=today)
    issued = Q(created_at__date__gte=start, created_at__date__lte=end)
    returned = CapaStep.objects.filter(capa=OuterRef("pk"), meaning=CapaStepMeaning.RETURNED)
    capa = (
        CapaRequest.objects.filter(source_kind__in=CAPA_FROM_COMPLAINTS)
        .annotate(was_sent_back=Exists(returned))
        .aggregate(
            issued=Count("pk", filter=issued),
            open=Count("pk", filter=issued & capa_open),
            overdue=Count("pk", filter=issued & capa_overdue),
            closed_effective=Count("pk", filter=issued & Q(status=CapaStatus.CLOSED)),
            sent_back=Count("pk", filter=issued & Q(was_sent_back=True)),
            open_all=Count("pk", filter=capa_open),
            overdue_all=Count("pk", filter=capa_overdue),
        )
    )

    zero = Decimal(0)
    return ComplaintHandlingReport(
        start=start,
        end=end,
        made_at=now,
        acknowledge_limit_hours=procedure.setting("COMPLAINT_ACKNOWLEDGE_HOURS"),
        resolve_limit_days=procedure.setting("COMPLAINT_RESOLVE_DAYS"),
        registered=counts["registered"],
        complaints=counts["complaints"],
        returns=counts["returns"],
        closed=counts["closed"],
        open=counts["open"],
        voided=counts["voided"],
        at_fault=counts["at_fault"],
        not_at_fault=counts["not_at_fault"],
        not_investigated=not_investigated,
        causes=causes,
        acknowledge=_durations(to_acknowledge, counts["acknowledged_late"]),
        close=_durations(to_close, counts["resolved_late"]),
        goods=ReturnFigures(
            returned=goods["returned_total"] or zero,
            arrived=goods["arrived_total"] or zero,
            good=goods["good_total"] or zero,
            nonconforming=goods["nonconforming_total"] or zero,
            replacement_needed=goods["replacement_total"] or zero,
            lines_not_inspected=goods["lines_not_inspected"],
            dispositions=dispositions,
        ),
        capa=CapaFigures(**capa),
        lines=tuple(lines),
    )
