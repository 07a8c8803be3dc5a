"""Reads of the records app: retention ends, what is due for disposal, the overview (R-5.7).

Boundary: a record's retention ends its policy's period after it was closed or
voided (``retention_end``: one rule, 29 February included), and it may be disposed of
only once that moment has passed (``retention_ended``) — a review round decided exactly
2 years ago today is still retained; one decided 2 years and a second ago is due. In
queries: ``retention_start < cutoff(now)``, the exact inverse of ``retention_end``.
"""

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from liaison.core import clock, procedure
from liaison.core.models import Department
from liaison.records import registry
from liaison.records.models import DisposalLogEntry, LegalHold, RetentionPolicy
from liaison.records.registry import RecordType


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """``moment`` moved by ``months`` calendar months (the day clamped to the month's end)."""
    index = moment.year * 12 + (moment.month - 1) + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def add_months_date(day: dt.date, months: int) -> dt.date:
    return add_months(dt.datetime.combine(day, dt.time.min), months).date()


def default_policy(record_type: RecordType) -> RetentionPolicy:
    """The procedure's default for a type with no policy row yet (not saved)."""
    return RetentionPolicy(record_type=record_type.code, years=procedure.setting("RETENTION_YEARS"), months=0)


def policies() -> dict[str, RetentionPolicy]:
    """Every record type's policy, by code; a missing row reads as the procedure's default (1 query)."""
    rows = {policy.record_type: policy for policy in RetentionPolicy.objects.select_related("department")}
    return {record_type.code: rows.get(record_type.code) or default_policy(record_type) for record_type in
            registry.REGISTRY.values()}


def owner_of(record_type: RecordType, policy: RetentionPolicy, departments: list[Department]) -> str:
    """The policy's department, else the first active department of the type's usual kind."""
    if policy.department_id:
        return str(policy.department)
    for department in departments:
        if department.kind == record_type.owner_kind and department.active:
            return str(department)
    return str(dict(Department._meta.get_field("kind").choices).get(record_type.owner_kind, record_type.owner_kind))


def _wall(year: int, month: int, day: int, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(dt.date(year, month, day), time))


def _shifted(year: int, month: int, months: int) -> tuple[int, int]:
    year, month = divmod(year * 12 + (month - 1) + months, 12)
    return year, month + 1


def retention_end(policy: RetentionPolicy, start: dt.datetime | None) -> dt.datetime | None:
    """When the retention of a record closed or voided at ``start`` ends: THE rule (R-5.7), used everywhere.

    The same wall-clock moment (project time zone) the policy's months later. When that month
    has no such day — closed on 29 February, kept 2 years; on 31 August, kept 1 month — the
    retention runs to the end of the month's last day: a record closed on 29 February 2024 is
    kept until 28 February 2026 23:59:59.999999 and disposed of from 1 March 2026. (The day
    clamped to the month's end, as the Civil Code's art. 121 counts a period ending in a month
    without the day, and as ``satisfaction.dates.add_months`` does; the end of that day, so the
    record is never disposed of before the time of day it was closed at.)

    The guard's "kept until", the disposal log's ``retention_ended``, the dry run and the
    overview's next disposal read this; the job's query uses ``cutoff``, its exact inverse,
    and checks each record with ``retention_ended`` before disposing of it.
    """
    if start is None:
        return None
    local = timezone.localtime(start)
    year, month = _shifted(local.year, local.month, policy.total_months)
    last_day = calendar.monthrange(year, month)[1]
    if local.day > last_day:
        return _wall(year, month, last_day, dt.time.max)
    return _wall(year, month, local.day, local.time())


def retention_ended(policy: RetentionPolicy, start: dt.datetime | None, now: dt.datetime | None = None) -> bool:
    """Whether a record whose retention started at ``start`` is past retention at ``now``.

    Exactly at ``retention_end`` it is still retained; a moment later it is due.
    """
    return start is not None and retention_end(policy, start) < (now or clock.now())


def cutoff(policy: RetentionPolicy, now: dt.datetime | None = None) -> dt.datetime:
    """The query form of ``retention_ended``: ``start < cutoff(now)`` exactly when ``retention_end(start) < now``.

    ``now`` moved back the policy's months, at the same wall-clock time; when the month back has
    no such day (now 31 March, 1 month), every record of that month has ended (ends are at most
    the end of the month's last day), so the cutoff is the first moment of the month after it.
    """
    local = timezone.localtime(now or clock.now())
    year, month = _shifted(local.year, local.month, -policy.total_months)
    if local.day > calendar.monthrange(year, month)[1]:
        year, month = _shifted(year, month, 1)
        return _wall(year, month, 1, dt.time.min)
    return _wall(year, month, local.day, local.time())


def without_jit() -> None:
    """On PostgreSQL, plan the rest of the current transaction without JIT compilation.

    The retention-start expressions (CASE over EXISTS and history subqueries) make the
    planner's cost estimate of a scan of every order enormous, so PostgreSQL JIT-compiles
    the query: at 50 000 orders 12.6 s of compiling for 0.8 s of execution. Call inside a
    transaction (``SET LOCAL``); a no-op on other databases.
    """
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def held_ids(code: str) -> set[int]:
    return set(LegalHold.objects.filter(record_type=code, released_at__isnull=True).values_list("object_id", flat=True))


def past_retention(record_type: RecordType, policy: RetentionPolicy, now: dt.datetime | None = None):
    """Records of the type whose retention has ended (on hold or not), oldest first."""
    if not policy.active:
        return record_type.queryset().none()
    return (
        record_type.queryset()
        .filter(retention_start__isnull=False, retention_start__lt=cutoff(policy, now))
        .order_by("retention_start", "pk")
    )


def due_for_disposal(record_type: RecordType, policy: RetentionPolicy, now: dt.datetime | None = None):
    """Records past retention and not on legal hold, oldest first."""
    return past_retention(record_type, policy, now).exclude(pk__in=held_ids(record_type.code))


def record_retention(instance) -> tuple[RecordType, RetentionPolicy, dt.datetime | None] | None:
    """The type, policy and retention start of one record, or None if it is not a kept record."""
    record_type = registry.for_model(type(instance))
    if record_type is None:
        return None
    policy = policies()[record_type.code]
    start = record_type.queryset().filter(pk=instance.pk).values_list("retention_start", flat=True).first()
    return record_type, policy, start


@dataclass
class OverviewRow:
    record_type: RecordType
    policy: RetentionPolicy
    owner: str
    total: int
    in_retention: int
    past_retention: int
    due_this_month: int
    on_hold: int
    next_disposal: dt.datetime | None


def overview(now: dt.datetime | None = None) -> list[OverviewRow]:
    """Per record type: owner, period and counts (3 queries, plus 1 per type).

    ``due_this_month``: not on hold, and retention ended already or ends before the month is
    out. ``next_disposal``: when the next record still in retention becomes due.
    """
    with transaction.atomic():
        without_jit()  # at 50 000 orders: 26.5 s with JIT compiling, 3.8 s without
        return _overview(now)


def _overview(now: dt.datetime | None) -> list[OverviewRow]:
    now = now or clock.now()
    local = timezone.localdate(now)
    month_end = timezone.make_aware(dt.datetime.combine(add_months_date(local.replace(day=1), 1), dt.time.min))
    all_policies = policies()
    departments = list(Department.objects.all())
    holds: dict[str, set[int]] = {}
    for code, object_id in LegalHold.objects.filter(released_at__isnull=True).values_list("record_type", "object_id"):
        holds.setdefault(code, set()).add(object_id)
    rows = []
    for record_type in registry.record_types():
        policy = all_policies[record_type.code]
        held = holds.get(record_type.code, set())
        limit = cutoff(policy, now)
        month_limit = cutoff(policy, month_end)
        past = Q(retention_start__isnull=False, retention_start__lt=limit)
        figures = record_type.model._default_manager.annotate(retention_start=record_type.retention_start()).aggregate(
            total=Count("pk"),
            past=Count("pk", filter=past),
            due=Count("pk", filter=Q(retention_start__lt=month_limit) & ~Q(pk__in=held)),
            next_start=Min("retention_start", filter=Q(retention_start__gte=limit)),
        )
        active = policy.active
        rows.append(
            OverviewRow(
                record_type=record_type,
                policy=policy,
                owner=owner_of(record_type, policy, departments),
                total=figures["total"],
                in_retention=figures["total"] - (figures["past"] if active else 0),
                past_retention=figures["past"] if active else 0,
                due_this_month=figures["due"] if active else 0,
                on_hold=len(held),
                next_disposal=retention_end(policy, figures["next_start"]) if active else None,
            )
        )
    return rows


def disposal_log(*, record_type: str | None = None):
    queryset = DisposalLogEntry.objects.select_related("run", "policy").order_by("-disposed_at", "-pk")
    return queryset.filter(record_type=record_type) if record_type else queryset
