"""The record types kept under a retention policy (R-5.7), and how to read each one.

A type is added with one ``RecordType`` entry in ``REGISTRY``. Each entry says:

- ``retention_start``: a query expression giving when the record's retention starts —
  when it was closed or voided; NULL while it is still open (then it is kept). Only
  fields and history already in the apps are read; no model was changed for this.
- ``number``: the number printed on the form, also the archive folder's name.
- ``parts``: the record and every row disposed of with it, in an order that deletes
  rows that point to a row before that row (PROTECT foreign keys).
- ``pdf``: which ``liaison.documents`` printout prints it, looked up by name so a form
  not built yet (F6/F7, F10) leaves the archive JSON-only, with a note saying so.

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
- F10 survey form: ``entered_at`` (returned) or ``voided_at``; an open CAPA keeps it too.

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

from django.apps import apps
from django.db import models
from django.db.models import Case, Exists, F, Max, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest

from liaison.core.states import DepartmentKind
from liaison.records.states import RecordTypeCode, record_type_label

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
DATETIME = models.DateTimeField()


@dataclass(frozen=True)
class PdfSpec:
    """Where the printed form comes from: ``render(loader(pk=pk_of(record)), language=…)``."""

    module: str
    render: str
    loader: str | None = None  # a function of ``liaison.documents.selectors``; None: the record itself
    loader_module: str = "liaison.documents.selectors"
    pk_of: Callable = lambda record: record.pk


@dataclass(frozen=True)
class RecordType:
    code: str
    model_label: str
    label: str
    owner_kind: str
    requirement: str
    retention_start: Callable[[], models.Expression]
    number: Callable[[models.Model], str]
    parts: Callable[[models.Model], list[models.Model]]
    pdf: PdfSpec | None = None
    # Models of rows disposed of only with a record of this type (guarded like the record).
    part_models: tuple[str, ...] = ()
    select_related: tuple[str, ...] = field(default=())

    @property
    def model(self) -> type[models.Model] | None:
        try:
            return apps.get_model(self.model_label)
        except LookupError:
            return None

    @property
    def installed(self) -> bool:
        return self.model is not None

    def records(self):
        """Every record of this type, with what its number needs."""
        manager = self.model._default_manager
        return manager.select_related(*self.select_related) if self.select_related else manager.all()

    def queryset(self):
        """Every record of this type, annotated with ``retention_start``."""
        return self.records().annotate(retention_start=self.retention_start())


# --- retention start expressions ----------------------------------------------------------


def _entered(model_label: str, statuses) -> Subquery:
    """When the record first entered one of ``statuses``, read from its history.

    The historical row's ``updated_at`` (set from ``core.clock`` by the save) is used rather
    than its ``history_date`` (simple-history's own wall clock), so tests can move the calendar.
    """
    history = apps.get_model(model_label).history.model
    rows = history.objects.filter(id=OuterRef("pk"), status__in=list(statuses)).order_by("history_date", "history_id")
    return Subquery(rows.values("updated_at")[:1], output_field=DATETIME)


def _latest(model_label: str, fk: str, value: str = "updated_at") -> Coalesce:
    """The latest ``value`` of the rows of ``model_label`` pointing to the record (EPOCH if none)."""
    model = apps.get_model(model_label)
    rows = model._default_manager.filter(**{fk: OuterRef("pk")}).order_by().values(fk).annotate(last=Max(value))
    return Coalesce(Subquery(rows.values("last")[:1], output_field=DATETIME), Value(EPOCH), output_field=DATETIME)


def _open_capas_of(model_label: str) -> Exists:
    from django.contrib.contenttypes.models import ContentType

    from liaison.quality.models import CapaRequest

    source_type = ContentType.objects.get_for_model(apps.get_model(model_label))
    return Exists(CapaRequest.objects.filter(source_type=source_type, source_id=OuterRef("pk"), closed_at__isnull=True))


def _capas_closed(model_label: str) -> Coalesce:
    from django.contrib.contenttypes.models import ContentType

    from liaison.quality.models import CapaRequest

    source_type = ContentType.objects.get_for_model(apps.get_model(model_label))
    rows = (
        CapaRequest.objects.filter(source_type=source_type, source_id=OuterRef("pk"))
        .order_by()
        .values("source_id")
        .annotate(last=Max("closed_at"))
    )
    return Coalesce(Subquery(rows.values("last")[:1], output_field=DATETIME), Value(EPOCH), output_field=DATETIME)


def _order_start():
    from liaison.orders.models import ChangeEntry, ReviewRound
    from liaison.orders.states import ChangeStatus, OrderStatus, ReviewRoundStatus
    from liaison.production.models import ProductionNotice
    from liaison.production.states import NOTICE_OPEN, NoticeStatus
    from liaison.records.models import DisposalLogEntry
    from liaison.stock.models import OutboundSlip

    closed = [OrderStatus.COMPLETED, OrderStatus.REJECTED, OrderStatus.VOID]
    own = Coalesce("voided_at", _entered("orders.Order", closed), output_field=DATETIME)
    open_chain = (
        Exists(ReviewRound.objects.filter(order=OuterRef("pk"), status=ReviewRoundStatus.OPEN))
        | Exists(
            ChangeEntry.objects.filter(
                order=OuterRef("pk"),
                status__in=[ChangeStatus.REGISTERED, ChangeStatus.UNDER_REVIEW, ChangeStatus.AGREED],
            )
        )
        | Exists(
            ProductionNotice.objects.filter(
                order=OuterRef("pk"), status__in=NOTICE_OPEN
            )
        )
    )
    # Delivered — a completed notice or a slip, or a notice of it disposed of already (the log).
    delivered = (
        Exists(ProductionNotice.objects.filter(order=OuterRef("pk"), status=NoticeStatus.COMPLETED))
        | Exists(OutboundSlip.objects.filter(order=OuterRef("pk")))
        | Exists(DisposalLogEntry.objects.filter(record_type="F4", order_number=OuterRef("number")))
    )
    last_change = Greatest(
        F("updated_at"),
        _latest("orders.ReviewRound", "order"),
        _latest("orders.ChangeEntry", "order"),
        _latest("production.ProductionNotice", "order"),
        _latest("stock.OutboundSlip", "order"),
        output_field=DATETIME,
    )
    return Case(
        When(status__in=closed, then=own),
        When(Q(status=OrderStatus.ACCEPTED) & ~open_chain & delivered, then=last_change),
        default=Value(None),
        output_field=DATETIME,
    )


def _review_round_start():
    from liaison.orders.states import ReviewRoundStatus

    return Coalesce(
        "decided_at", _entered("orders.ReviewRound", [ReviewRoundStatus.WITHDRAWN]), output_field=DATETIME
    )


def _change_start():
    from liaison.orders.states import ChangeStatus

    closed = [ChangeStatus.APPLIED, ChangeStatus.REJECTED, ChangeStatus.WITHDRAWN]
    return Coalesce("withdrawn_at", _entered("orders.ChangeEntry", closed), output_field=DATETIME)


def _notice_start():
    return Coalesce("completed_at", "voided_at", output_field=DATETIME)


def _with_capas(model_label: str, closed: models.Expression, is_open: Q):
    """``closed``, but not before the CAPA requests raised from the record are closed."""
    return Case(
        When(is_open | _open_capas_of(model_label), then=Value(None)),
        default=Greatest(closed, _capas_closed(model_label), output_field=DATETIME),
        output_field=DATETIME,
    )


def _complaint_start():
    return _with_capas(
        "quality.Complaint",
        Coalesce("closed_at", "voided_at", output_field=DATETIME),
        Q(closed_at__isnull=True, voided_at__isnull=True),
    )


def _survey_form_start():
    return _with_capas(
        "satisfaction.SurveyForm",
        Coalesce("entered_at", "voided_at", output_field=DATETIME),
        Q(entered_at__isnull=True, voided_at__isnull=True),
    )


# --- parts disposed of with a record ------------------------------------------------------


def _capas_sourced_by(record) -> list:
    """F7 CAPA requests raised from ``record``, each after its steps."""
    from django.contrib.contenttypes.models import ContentType

    from liaison.quality.models import CapaRequest

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
    from liaison.quality.models import NonconformanceRecord

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
            model_label="orders.ReviewRound",
            label=RecordTypeCode.F2.label,
            owner_kind=DepartmentKind.SALES,
            requirement="R-5.7.1",
            retention_start=_review_round_start,
            number=_f2_number,
            parts=_review_round_parts,
            pdf=PdfSpec("liaison.documents.printouts.orders", "render_f2", "review_round_for_f2"),
            part_models=("orders.ReviewSignOff",),
            select_related=("order",),
        ),
        RecordType(
            code=RecordTypeCode.F4,
            model_label="production.ProductionNotice",
            label=RecordTypeCode.F4.label,
            owner_kind=DepartmentKind.SALES,
            requirement="R-5.7.1",
            retention_start=_notice_start,
            number=_number,
            parts=_notice_parts,
            pdf=PdfSpec("liaison.documents.printouts.orders", "render_f4", "notice_for_f4"),
            part_models=("production.NoticeLine",),
        ),
        RecordType(
            code=RecordTypeCode.F3,
            model_label="orders.ChangeEntry",
            label=RecordTypeCode.F3.label,
            owner_kind=DepartmentKind.SALES,
            requirement="R-5.7.1",
            retention_start=_change_start,
            number=_number,
            parts=_change_parts,
            # F3 is printed per order: the register as it stands, with this entry on it.
            pdf=PdfSpec("liaison.documents.printouts.orders", "render_f3", "order_for_f3", pk_of=lambda change: change.order_id),
        ),
        RecordType(
            code=RecordTypeCode.F6,
            model_label="quality.Complaint",
            label=RecordTypeCode.F6.label,
            owner_kind=DepartmentKind.QC,
            requirement="R-5.7.2",
            retention_start=_complaint_start,
            number=_number,
            parts=_complaint_parts,
            pdf=PdfSpec("liaison.documents.printouts.quality", "render_f6", "complaint_for_f6"),
            part_models=(
                "quality.ReturnLine",
                "quality.NonconformanceRecord",
                "quality.CapaRequest",
                "quality.CapaStep",
            ),
        ),
        RecordType(
            code=RecordTypeCode.F10,
            model_label="satisfaction.SurveyForm",
            label=RecordTypeCode.F10.label,
            owner_kind=DepartmentKind.SALES,
            requirement="R-5.7.3",
            retention_start=_survey_form_start,
            number=_number,
            parts=_survey_form_parts,
            pdf=PdfSpec("liaison.documents.printouts.surveys", "render_f10", "form_for_f10"),
            part_models=("satisfaction.SurveyScore", "quality.CapaRequest", "quality.CapaStep"),
        ),
        RecordType(
            code=RecordTypeCode.F1,
            model_label="orders.Order",
            label=RecordTypeCode.F1.label,
            owner_kind=DepartmentKind.SALES,
            requirement="R-5.7.1",
            retention_start=_order_start,
            number=_number,
            parts=_order_parts,
            pdf=PdfSpec("liaison.documents.printouts.orders", "render_f1", "order_for_f1"),
            part_models=("orders.OrderLine", "orders.Clarification", "stock.OutboundSlip", "stock.OutboundSlipLine"),
        ),
    )
}

# Rows kept "with the record they concern", whatever its type (F5 lines).
SHARED_PART_MODELS = ("communications.CommunicationRecord",)


def record_types() -> list[RecordType]:
    """The installed record types, in disposal order."""
    return [record_type for record_type in REGISTRY.values() if record_type.installed]


def get(code: str) -> RecordType:
    return REGISTRY[code]


def for_model(model) -> RecordType | None:
    label = model._meta.label
    for record_type in REGISTRY.values():
        if record_type.model_label == label:
            return record_type
    return None


def label_of(code: str) -> str:
    return record_type_label(code)


def choices() -> list[tuple[str, str]]:
    return [(record_type.code, record_type.label) for record_type in REGISTRY.values()]
