"""Reads of CAPA requests (F7); every list runs a fixed number of queries.

Overdue follows from dates: a request is overdue while it is open (not closed) and
today is past its due date; nothing stores "late". A department's member reads only
the requests issued to their department (R-3.4).
"""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Case, Count, Model, Prefetch, Q, QuerySet, Value, When

from liaison.core import clock
from liaison.core.models import Department, User
from liaison.quality.capa.rules import VIEW, sees_every_capa
from liaison.quality.models import CapaRequest, CapaStep
from liaison.quality.states import CAPA_OPEN, CapaStatus


def _overdue(today: dt.date) -> Q:
    return Q(status__in=CAPA_OPEN, due_date__lt=today)


def _steps() -> Prefetch:
    return Prefetch(
        "steps", queryset=CapaStep.objects.select_related("signed_by").order_by("signed_at", "pk")
    )


def capa_queryset(*, today: dt.date | None = None) -> QuerySet[CapaRequest]:
    """Requests with what every page shows of them, and ``is_overdue`` as of ``today``."""
    today = today or clock.today()
    return CapaRequest.objects.select_related(
        "department", "customer", "source_type", "created_by", "updated_by"
    ).annotate(
        is_overdue=Case(
            When(_overdue(today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        is_open=Case(
            When(status__in=CAPA_OPEN, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def capa_list(
    *,
    department: Department | None = None,
    status: str | None = None,
    overdue: bool | None = None,
    today: dt.date | None = None,
) -> QuerySet[CapaRequest]:
    """Requests, overdue first (most late first), then open by due date, then closed: one query."""
    today = today or clock.today()
    queryset = capa_queryset(today=today)
    if department is not None:
        queryset = queryset.filter(department=department)
    if status:
        queryset = queryset.filter(status=status)
    if overdue is True:
        queryset = queryset.filter(_overdue(today))
    elif overdue is False:
        queryset = queryset.exclude(_overdue(today))
    return queryset.order_by("-is_overdue", "-is_open", "due_date", "pk")


def capa_overdue(*, today: dt.date | None = None) -> QuerySet[CapaRequest]:
    """Open requests whose due date has passed, most late first, in one query."""
    today = today or clock.today()
    return capa_queryset(today=today).filter(_overdue(today)).order_by("due_date", "pk")


def capa_for_source(*, source: Model) -> QuerySet[CapaRequest]:
    """The requests issued for one complaint, return or survey form, in issue order: one query."""
    return (
        capa_queryset()
        .filter(source_type=ContentType.objects.get_for_model(source), source_id=source.pk)
        .order_by("created_at", "pk")
    )


def capa_status_counts(*, today: dt.date | None = None) -> dict[str, int]:
    """How many requests are in each status, and how many are overdue, in one query."""
    today = today or clock.today()
    counts = {status.value: Count("pk", filter=Q(status=status)) for status in CapaStatus}
    return CapaRequest.objects.aggregate(**counts, overdue=Count("pk", filter=_overdue(today)))


def capa_with_steps(queryset: QuerySet[CapaRequest]) -> QuerySet[CapaRequest]:
    """``queryset`` with each request's signed steps and signers: one more query."""
    return queryset.prefetch_related(_steps())


def capa_get(*, pk: int, today: dt.date | None = None) -> CapaRequest:
    """One request with its signed steps, in two queries (raises ``DoesNotExist``)."""
    return capa_with_steps(capa_queryset(today=today)).get(pk=pk)


def capa_visible_to(*, user: User, queryset: QuerySet | None = None) -> QuerySet[CapaRequest]:
    """Only the requests ``user`` may read: all of them, or their own department's."""
    queryset = capa_list() if queryset is None else queryset
    if not user.has_perm(VIEW):
        return queryset.none()
    if sees_every_capa(user):
        return queryset
    if user.department_id is None:
        return queryset.none()
    return queryset.filter(department_id=user.department_id)


# --- work waiting (My inbox) -------------------------------------------------------------------


def capa_to_implement(*, department_id: int, today: dt.date | None = None) -> QuerySet[CapaRequest]:
    """Requests issued to one department and not yet implemented, most late first: one query."""
    return capa_queryset(today=today).filter(department_id=department_id, status=CapaStatus.ISSUED).order_by(
        "due_date", "pk"
    )


def capa_to_verify(*, today: dt.date | None = None) -> QuerySet[CapaRequest]:
    """Requests waiting on QC: implemented (verify execution), or due for the effectiveness check: one query."""
    today = today or clock.today()
    return (
        capa_queryset(today=today)
        .filter(
            Q(status=CapaStatus.IMPLEMENTED)
            | Q(status=CapaStatus.EXECUTION_VERIFIED, effectiveness_check_date__lte=today)
        )
        .order_by("due_date", "pk")
    )
