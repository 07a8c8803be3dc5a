"""The record types kept under a retention policy (R-5.7), and how to read each one.

A type is added with one ``RecordType`` entry in ``REGISTRY``. Each entry says:

- ``retention_start``: a query expression giving when the record's retention starts —
  when it was closed or voided; NULL while it is still open (then it is kept). Only
  fields and history already in the apps are read; no model was changed for this.
- ``number``: the number printed on the form, also the archive folder's name.
- ``parts``: the record and every row disposed of with it, in an order that deletes
  rows that point to a row before that row (PROTECT foreign keys).
- ``pdf``: how ``liaison.documents`` prints it — the loader of ``documents.selectors``
  and the printout that renders what it loaded.

When retention starts, per type:

- F1 order: a rejected, completed or void order — when it first entered that status
  (its history; ``voided_at`` for a void one). An accepted order has no completion step
  in the orders app, so it counts as closed once nothing of its chain is open (no open
  review round, change or production notice) and something was delivered (a completed
  notice or an outbound slip, or a notice of it already disposed of, as the disposal log
  says); retention then starts at the last change to the order
  or its chain (``updated_at``). Until then it is kept.
- F2 review round: ``decided_at``; a withdrawn round — when it was withdrawn (history).
- F3 change register entry: when it was applied, rejected or withdrawn (history;
  ``withdrawn_at`` for a withdrawn one).
- F4 production notice: ``completed_at`` or ``voided_at``.
- F6 complaint or return: ``closed_at`` or ``voided_at``, but not before its CAPA requests
  (F7, kept with their source) are closed: an open CAPA keeps the complaint.
- F10 survey form: ``entered_at`` (returned) or ``voided_at`` (voided by hand); a form never
  returned is void once its last valid day is over (R-5.6.3), and its retention starts then;
  an open CAPA keeps it too.

What goes with a record (``parts`` plus, for every part, the F5 communication records
and attachments that concern it, and every part's history rows):

- F5 communication records are kept "with the record they concern": disposed of with it.
- F7 CAPA requests are kept "with their source": disposed of with the complaint or
  survey form they came from (with their signed steps); a CAPA raised by hand has no
  source and is not disposed of here.
- F8 outbound slips (no retention of their own) go with their order, like its lines
  and clarifications. The stock ledger's moves stay.
- The customer's timeline (F9, kept while a customer) is not touched.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Case, Exists, ExpressionWrapper, F, Max, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import timezone

from liaison.communications.models import CommunicationRecord
from liaison.core import clock
from liaison.core.states import DepartmentKind
from liaison.documents import selectors as printed
from liaison.documents.printouts.orders import render_f1, render_f2, render_f3, render_f4
from liaison.documents.printouts.quality import render_f6
from liaison.documents.printouts.surveys import render_f10
from liaison.orders.models import ChangeEntry, Clarification, Order, OrderLine, ReviewRound, ReviewSignOff
from liaison.orders.states import CHANGE_CLOSED, CHANGE_WITHDRAWABLE, ORDER_CLOSED, OrderStatus, ReviewRoundStatus
from liaison.production.models import NoticeLine, ProductionNotice
from liaison.production.states import NOTICE_OPEN, NoticeStatus
from liaison.quality.models import CapaRequest, CapaStep, Complaint, NonconformanceRecord, ReturnLine
from liaison.records.models import DisposalLogEntry
from liaison.records.states import RecordTypeCode
from liaison.satisfaction.models import SurveyForm, SurveyScore
from liaison.stock.models import OutboundSlip, OutboundSlipLine

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
DATETIME = models.DateTimeField()


@dataclass(frozen=True)
class PdfSpec:
    """How the printed form is made: ``render(load(pk=pk_of(record)), language=…)``."""

    render: Callable[..., bytes]
    load: Callable[..., object]  # a loader of ``liaison.documents.selectors``
    pk_of: Callable = lambda record: record.pk


@dataclass(frozen=True)
class RecordType:
    code: str
    model: type[models.Model]
    label: str
    owner_kind: str
    requirement: str
    retention_start: Callable[[], models.Expression]
    number: Callable[[models.Model], str]
    parts: Callable[[models.Model], list[models.Model]]
    pdf: PdfSpec
    # Models of rows disposed of only with a record of this type (guarded like the record).
    part_models: tuple[type[models.Model], ...] = ()
    select_related: tuple[str, ...] = field(default=())

    def records(self):
        """Every record of this type, with what its number needs."""
        manager = self.model._default_manager
        return manager.select_related(*self.select_related) if self.select_related else manager.all()

    def queryset(self):
        """Every record of this type, annotated with ``retention_start``."""
        return self.records().annotate(retention_start=self.retention_start())


# --- retention start expressions ----------------------------------------------------------


def _entered(model: type[models.Model], statuses) -> Subquery:
    """When the record first entered one of ``statuses``, read from its history.

    The historical row's ``updated_at`` (set from ``core.clock`` by the save) is used rather
    than its ``history_date`` (simple-history's own wall clock), so tests can move the calendar.
    """
    history = model.history.model
    rows = history.objects.filter(id=OuterRef("pk"), status__in=list(statuses)).order_by("history_date", "history_id")
    return Subquery(rows.values("updated_at")[:1], output_field=DATETIME)


def _latest(model: type[models.Model], fk: str, value: str = "updated_at") -> Coalesce:
    """The latest ``value`` of the rows of ``model`` pointing to the record (EPOCH if none)."""
    rows = model._default_manager.filter(**{fk: OuterRef("pk")}).order_by().values(fk).annotate(last=Max(value))
    return Coalesce(Subquery(rows.values("last")[:1], output_field=DATETIME), Value(EPOCH), output_field=DATETIME)


def _open_capas_of(model: type[models.Model]) -> Exists:
    source_type = ContentType.objects.get_for_model(model)
    return Exists(CapaRequest.objects.filter(source_type=source_type, source_id=OuterRef("pk"), closed_at__isnull=True))


def _capas_closed(model: type[models.Model]) -> Coalesce:
    source_type = ContentType.objects.get_for_model(model)
    rows = (
        CapaRequest.objects.filter(source_type=source_type, source_id=OuterRef("pk"))
        .order_by()
        .values("source_id")
        .annotate(last=Max("closed_at"))
    )
    return Coalesce(Subquery(rows.values("last")[:1], output_field=DATETIME), Value(EPOCH), output_field=DATETIME)


def _order_start():
    own = Coalesce("voided_at", _entered(Order, ORDER_CLOSED), output_field=DATETIME)
    open_chain = (
        Exists(ReviewRound.objects.filter(order=OuterRef("pk"), status=ReviewRoundStatus.OPEN))
        | Exists(
            ChangeEntry.objects.filter(order=OuterRef("pk"), status__in=CHANGE_WITHDRAWABLE)
        )
        | Exists(ProductionNotice.objects.filter(order=OuterRef("pk"), status__in=NOTICE_OPEN))
    )
    # Delivered — a completed notice or a slip, or a notice of it disposed of already (the log).
    delivered = (
        Exists(ProductionNotice.objects.filter(order=OuterRef("pk"), status=NoticeStatus.COMPLETED))
        | Exists(OutboundSlip.objects.filter(order=OuterRef("pk")))
        | Exists(DisposalLogEntry.objects.filter(record_type="F4", order_number=OuterRef("number")))
    )
    last_change = Greatest(
        F("updated_at"),
        _latest(ReviewRound, "order"),
        _latest(ChangeEntry, "order"),
        _latest(ProductionNotice, "order"),
        _latest(OutboundSlip, "order"),
        output_field=DATETIME,
    )
    return Case(
        When(status__in=ORDER_CLOSED, then=own),
        When(Q(status=OrderStatus.ACCEPTED) & ~open_chain & delivered, then=last_change),
        default=Value(None),
        output_field=DATETIME,
    )


def _review_round_start():
    return Coalesce("decided_at", _entered(ReviewRound, [ReviewRoundStatus.WITHDRAWN]), output_field=DATETIME)


def _change_start():
    return Coalesce("withdrawn_at", _entered(ChangeEntry, CHANGE_CLOSED), output_field=DATETIME)


def _notice_start():
    return Coalesce("completed_at", "voided_at", output_field=DATETIME)


def _with_capas(model: type[models.Model], closed: models.Expression, is_open: Q):
    """``closed``, but not before the CAPA requests raised from the record are closed."""
    return Case(
        When(is_open | _open_capas_of(model), then=Value(None)),
        default=Greatest(closed, _capas_closed(model), output_field=DATETIME),
        output_field=DATETIME,
    )


def _complaint_start():
    return _with_capas(
        Complaint,
        Coalesce("closed_at", "voided_at", output_field=DATETIME),
        Q(closed_at__isnull=True, voided_at__isnull=True),
    )


def _day_over(date_field: str) -> models.Expression:
    """The first moment (local time) of the day after the date in ``date_field``: when that day is over.

    The date is read as midnight UTC and moved by the project's UTC offset now (exact in a zone
    without daylight saving time, such as Asia/Taipei; elsewhere at most the DST hour out).
    """
    offset = timezone.localtime(clock.now()).utcoffset() or dt.timedelta(0)
    return ExpressionWrapper(
        Cast(date_field, DATETIME) + Value(dt.timedelta(days=1) - offset), output_field=DATETIME
    )


def _survey_form_start():
    """Returned: when entered. Voided: when voided by hand, or — never returned — once its last valid day is over
    (R-5.6.3: a form not returned in time is void), so an unreturned form is not kept for ever."""
    today = clock.today()
    return _with_capas(
        SurveyForm,
        Coalesce(
            "entered_at",
            "voided_at",
            Case(When(valid_until__lt=today, then=_day_over("valid_until")), default=Value(None)),
            output_field=DATETIME,
        ),
        Q(entered_at__isnull=True, voided_at__isnull=True) & (Q(valid_until__isnull=True) | Q(valid_until__gte=today)),
    )


# --- parts disposed of with a record ------------------------------------------------------


def _capas_sourced_by(record) -> list:
    """F7 CAPA requests raised from ``record``, each after its steps."""
    source_type = ContentType.objects.get_for_model(record)
    parts = []
    for capa in CapaRequest.objects.filter(source_type=source_type, source_id=record.pk).order_by("pk"):
        parts += [*capa.steps.order_by("pk"), capa]
    return parts


def _order_parts(order) -> list:
    slips = list(order.outbound_slips.order_by("pk"))
    parts = []
    for slip in slips:
        parts += [*slip.lines.order_by("pk"), slip]
    return [*parts, *order.clarifications.order_by("pk"), *order.lines.order_by("pk"), order]


def _review_round_parts(review_round) -> list:
    return [*review_round.sign_offs.order_by("pk"), review_round]


def _change_parts(change) -> list:
    return [change]


def _notice_parts(notice) -> list:
    return [*notice.lines.order_by("pk"), notice]


def _complaint_parts(complaint) -> list:
    """Each return line's nonconformance records (line by line), the lines, the complaint, its CAPA requests."""
    lines = list(complaint.return_lines.order_by("pk"))
    records = []
    if lines:
        records = list(NonconformanceRecord.objects.filter(return_line__in=lines).order_by("return_line_id", "pk"))
    return [*records, *lines, complaint, *_capas_sourced_by(complaint)]


def _survey_form_parts(form) -> list:
    """The form's scores, the form, then the CAPA raised from it."""
    return [*form.scores.order_by("pk"), form, *_capas_sourced_by(form)]


def _f2_number(review_round) -> str:
    return f"{review_round.order.number}-R{review_round.number}"


def _number(record) -> str:
    return record.number


REGISTRY: dict[str, RecordType] = {
    # Disposal order: a type comes before the types its records point to (PROTECT).
    record_type.code: record_type
    for record_type in (
        RecordType(
            code=RecordTypeCode.F2,
            model=ReviewRound,
            label=RecordTypeCode.F2.label,
            owner_kind=DepartmentKind.SALES,
            requirement="R-5.7.1",
            retention_start=_review_round_start,
            number=_f2_number,
            parts=_review_round_parts,
            pdf=PdfSpec(render_f2, printed.review_round_for_f2),
            part_models=(ReviewSignOff,),
            select_related=("order",),
        ),
        RecordType(
            code=RecordTypeCode.F4,
            model=ProductionNotice,
            label=RecordTypeCode.F4.label,
            owner_kind=DepartmentKind.SALES,
            requirement="R-5.7.1",
            retention_start=_notice_start,
            number=_number,
            parts=_notice_parts,
            pdf=PdfSpec(render_f4, printed.notice_for_f4),
            part_models=(NoticeLine,),
        ),
        RecordType(
            code=RecordTypeCode.F3,
            model=ChangeEntry,
            label=RecordTypeCode.F3.label,
            owner_kind=DepartmentKind.SALES,
            requirement="R-5.7.1",
            retention_start=_change_start,
            number=_number,
            parts=_change_parts,
            # F3 is printed per order: the register as it stands, with this entry on it.
            pdf=PdfSpec(render_f3, printed.order_for_f3, pk_of=lambda change: change.order_id),
        ),
        RecordType(
            code=RecordTypeCode.F6,
            model=Complaint,
            label=RecordTypeCode.F6.label,
            owner_kind=DepartmentKind.QC,
            requirement="R-5.7.2",
            retention_start=_complaint_start,
            number=_number,
            parts=_complaint_parts,
            pdf=PdfSpec(render_f6, printed.complaint_for_f6),
            part_models=(ReturnLine, NonconformanceRecord, CapaRequest, CapaStep),
        ),
        RecordType(
            code=RecordTypeCode.F10,
            model=SurveyForm,
            label=RecordTypeCode.F10.label,
            owner_kind=DepartmentKind.SALES,
            requirement="R-5.7.3",
            retention_start=_survey_form_start,
            number=_number,
            parts=_survey_form_parts,
            pdf=PdfSpec(render_f10, printed.form_for_f10),
            part_models=(SurveyScore, CapaRequest, CapaStep),
        ),
        RecordType(
            code=RecordTypeCode.F1,
            model=Order,
            label=RecordTypeCode.F1.label,
            owner_kind=DepartmentKind.SALES,
            requirement="R-5.7.1",
            retention_start=_order_start,
            number=_number,
            parts=_order_parts,
            pdf=PdfSpec(render_f1, printed.order_for_f1),
            part_models=(OrderLine, Clarification, OutboundSlip, OutboundSlipLine),
        ),
    )
}

# Rows kept "with the record they concern", whatever its type (F5 lines).
SHARED_PART_MODELS = (CommunicationRecord,)


def record_types() -> list[RecordType]:
    """The record types, in disposal order."""
    return list(REGISTRY.values())


def get(code: str) -> RecordType:
    return REGISTRY[code]


def for_model(model) -> RecordType | None:
    """The record type whose records are ``model``'s, or None."""
    for record_type in REGISTRY.values():
        if record_type.model is model:
            return record_type
    return None


def choices() -> list[tuple[str, str]]:
    return [(record_type.code, record_type.label) for record_type in REGISTRY.values()]
