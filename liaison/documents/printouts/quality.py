"""The quality forms, printed: F6 (complaint or return) and F7 (CAPA request); QC's complaint handling report.

``render_f6`` and ``render_f7`` take what ``documents.selectors.complaint_for_f6`` /
``capa_for_f7`` load and the language to print in. ``complaint_report_flowables`` is the
report's section for any document (the management review pack embeds it);
``render_complaint_report`` prints it on its own.
"""

import math

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, Paragraph

from liaison.documents.pdf import (
    Sheet,
    SignBox,
    field_label,
    fmt_check,
    fmt_date,
    fmt_datetime,
    fmt_person,
    fmt_quantity,
)
from liaison.documents.printouts.common import channel_label, plural_label, void_watermark
from liaison.documents.selectors import F6Record
from liaison.quality.models import (
    CapaRequest,
    CapaStep,
    Complaint,
    NonconformanceRecord,
    ReturnLine,
)
from liaison.quality.report.selectors import ComplaintHandlingReport, Durations
from liaison.quality.states import CapaStepMeaning, CauseCategory, ComplaintStatus, Disposition
from liaison.stock.models import Product

AT_FAULT_COLOUR = colors.HexColor("#C62828")
NOT_AT_FAULT_COLOUR = colors.HexColor("#90A4AE")
LINE_COLOUR = colors.HexColor("#1F3A5F")


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return f"{fmt_check(value)} {_('Yes') if value else _('No')}"


def _kept(story: list) -> list:
    """Each section heading kept on the page of the block that follows it."""
    kept, index = [], 0
    while index < len(story):
        item = story[index]
        is_heading = isinstance(item, Paragraph) and item.style.name == "section"
        if is_heading and index + 1 < len(story):
            kept.append(KeepTogether([item, story[index + 1]]))
            index += 2
            continue
        kept.append(item)
        index += 1
    return kept


# --- F6 -----------------------------------------------------------------------------------------


def _six_m(chosen: str) -> str:
    """The six causes as tick boxes, the chosen one filled (as on the paper form)."""
    return "　".join(f"{'■' if value == chosen else '□'} {label}" for value, label in CauseCategory.choices)


def _why_chain(chain: list[str]) -> str:
    return "\n".join(f"{index}. {why}" for index, why in enumerate(chain, start=1))


def render_f6(record: F6Record, *, language: str) -> bytes:
    """F6 客戶投訴登記及處理報告: a complaint or return from registration to closing (R-5.5.1, R-5.5.2)."""
    with translation.override(language):
        complaint = record.complaint
        void = complaint.status == ComplaintStatus.VOID
        sheet = Sheet(
            form_id="F6",
            title=_("Complaint registration & handling report"),
            number=complaint.number,
            language=language,
            sign_boxes=[
                SignBox(_("Prepared by"), fmt_person(complaint.created_by), fmt_datetime(complaint.registered_at)),
                SignBox(
                    _("Investigated by"), fmt_person(complaint.investigated_by), fmt_datetime(complaint.investigated_at)
                ),
                SignBox(_("Reviewed by")),
                SignBox(_("Approved by")),
            ],
            watermark=void_watermark(language) if void else "",
        )
        label = lambda name: field_label(Complaint, name)  # noqa: E731
        story = []
        if void:
            story += [
                sheet.stamp(
                    sheet.watermark,
                    [
                        f"{label('voided_at')}: {fmt_datetime(complaint.voided_at)}　"
                        f"{label('voided_by')}: {fmt_person(complaint.voided_by)}",
                        f"{label('void_reason')}: {complaint.void_reason}",
                    ],
                ),
                sheet.space(),
            ]
        product = complaint.product
        story += [
            sheet.section(_("Registration")),
            sheet.fields(
                [
                    (label("number"), complaint.number),
                    (label("kind"), complaint.get_kind_display()),
                    (label("customer"), complaint.customer.registered_name, "wide"),
                    (label("complaint_date"), fmt_date(complaint.complaint_date)),
                    (label("channel"), complaint.get_channel_display()),
                    (label("order"), complaint.order.number if complaint.order else ""),
                    (label("product"), f"{product.code} {product.name}" if product else ""),
                    (label("lot"), complaint.lot),
                    (label("status"), complaint.get_status_display()),
                    (label("content"), complaint.content, "wide"),
                    (label("requested_remedy"), complaint.requested_remedy, "wide"),
                ]
            ),
            sheet.section(_("Acknowledgement")),
            sheet.fields(
                [
                    (label("registered_at"), fmt_datetime(complaint.registered_at)),
                    (label("acknowledge_due"), fmt_datetime(complaint.acknowledge_due)),
                    (label("acknowledged_at"), fmt_datetime(complaint.acknowledged_at)),
                    (label("acknowledged_by"), fmt_person(complaint.acknowledged_by)),
                    (label("resolve_due"), fmt_date(complaint.resolve_due)),
                    ("", ""),
                ]
            ),
            sheet.section(_("Investigation by QC")),
            sheet.fields(
                [
                    (label("cause_category"), _six_m(complaint.cause_category), "wide"),
                    (label("why_chain"), _why_chain(complaint.why_chain), "wide"),
                    (label("root_cause"), complaint.root_cause, "wide"),
                    (label("containment"), complaint.containment, "wide"),
                    (label("company_at_fault"), _yes_no(complaint.company_at_fault)),
                    (label("investigated_at"), fmt_datetime(complaint.investigated_at)),
                ]
            ),
        ]
        if record.return_lines:
            story += [
                sheet.section(_("Returned goods")),
                sheet.grid(
                    [
                        "#",
                        field_label(Product, "code"),
                        field_label(Product, "name"),
                        field_label(ReturnLine, "quantity"),
                        field_label(ReturnLine, "arrived"),
                        field_label(ReturnLine, "good"),
                        field_label(ReturnLine, "nonconforming"),
                        field_label(ReturnLine, "replacement_needed"),
                        field_label(ReturnLine, "inspected_by"),
                    ],
                    [
                        [
                            str(index),
                            line.product.code,
                            line.product.name,
                            fmt_quantity(line.quantity),
                            fmt_quantity(line.arrived),
                            fmt_quantity(line.good),
                            fmt_quantity(line.nonconforming),
                            fmt_quantity(line.replacement_needed),
                            f"{fmt_person(line.inspected_by)}\n{fmt_date(line.inspected_at)}".strip(),
                        ]
                        for index, line in enumerate(record.return_lines, start=1)
                    ],
                    [0.05, 0.13, 0.17, 0.1, 0.1, 0.1, 0.1, 0.1, 0.15],
                    numeric=[3, 4, 5, 6, 7],
                ),
            ]
        if record.nonconformances:
            ncr = lambda name: field_label(NonconformanceRecord, name)  # noqa: E731
            story += [
                sheet.section(plural_label(NonconformanceRecord)),
                sheet.grid(
                    [
                        ncr("number"),
                        field_label(Product, "code"),
                        ncr("quantity"),
                        ncr("description"),
                        ncr("disposition"),
                        ncr("disposition_note"),
                        ncr("disposed_by"),
                    ],
                    [
                        [
                            item.number,
                            item.product.code,
                            fmt_quantity(item.quantity),
                            item.description,
                            item.get_disposition_display() or _("disposition not decided"),
                            "\n".join(
                                part
                                for part in (
                                    item.disposition_note,
                                    f"{ncr('concession_authorised_by')}: {item.concession_authorised_by}"
                                    if item.disposition == Disposition.CONCESSION
                                    else "",
                                )
                                if part
                            ),
                            f"{fmt_person(item.disposed_by)}\n{fmt_date(item.disposed_at)}".strip(),
                        ]
                        for item in record.nonconformances
                    ],
                    [0.15, 0.12, 0.08, 0.2, 0.12, 0.17, 0.16],
                    numeric=[2],
                ),
            ]
        capa = lambda name: field_label(CapaRequest, name)  # noqa: E731
        story += [
            sheet.section(plural_label(CapaRequest)),
            sheet.grid(
                [capa("number"), capa("department"), capa("problem"), capa("due_date"), capa("status")],
                [
                    [
                        item.number,
                        str(item.department),
                        item.problem,
                        fmt_date(item.due_date),
                        item.get_status_display(),
                    ]
                    for item in record.capas
                ],
                [0.16, 0.16, 0.38, 0.12, 0.18],
            ),
            sheet.section(_("Result")),
            sheet.fields(
                [
                    (label("result"), complaint.result, "wide"),
                    (label("result_recorded_by"), fmt_person(complaint.result_recorded_by)),
                    (label("result_recorded_at"), fmt_datetime(complaint.result_recorded_at)),
                ]
            ),
            sheet.section(_("Feedback to the customer")),
            sheet.fields(
                [
                    (label("feedback_at"), fmt_datetime(complaint.feedback_at)),
                    (_("How"), channel_label(record.feedback.channel) if record.feedback else ""),
                    (label("feedback_by"), fmt_person(complaint.feedback_by)),
                    (_("Communication record (F5)"), fmt_date(record.feedback.occurred_at) if record.feedback else ""),
                    (label("feedback_summary"), complaint.feedback_summary, "wide"),
                ]
            ),
            sheet.section(_("Closing")),
            sheet.fields(
                [
                    (label("closed_at"), fmt_datetime(complaint.closed_at)),
                    (_("Closed by the resolve-by date"), _closed_in_time(complaint)),
                ]
            ),
        ]
        return sheet.build(_kept(story))


def _closed_in_time(complaint: Complaint) -> str:
    if complaint.closed_at is None:
        return ""
    return _yes_no(fmt_date(complaint.closed_at) <= complaint.resolve_due.isoformat())


# --- F7 -----------------------------------------------------------------------------------------


def _last_step(capa: CapaRequest, *meanings: str) -> CapaStep | None:
    steps = [step for step in capa.steps.all() if step.meaning in meanings]
    return steps[-1] if steps else None


def _signed(box_label: str, step: CapaStep | None) -> SignBox:
    if step is None:
        return SignBox(box_label)
    return SignBox(box_label, fmt_person(step.signed_by), fmt_datetime(step.signed_at))


def _source(capa: CapaRequest) -> str:
    kind = capa.get_source_kind_display()
    if capa.source_type_id is None:
        return kind
    source = capa.source
    return f"{kind} {source}" if source is not None else kind


def _step_note(step: CapaStep) -> str:
    if step.meaning == CapaStepMeaning.RETURNED and step.note:
        return _("New due date: %(date)s") % {"date": step.note}
    return step.note


def render_f7(capa: CapaRequest, *, language: str) -> bytes:
    """F7 糾正和預防措施要求書: the request, the department's actions and every signed step (R-5.5.1.2, R-3.4)."""
    with translation.override(language):
        issued = _last_step(capa, CapaStepMeaning.ISSUED)
        sheet = Sheet(
            form_id="F7",
            title=_("Corrective & preventive action (CAPA) request"),
            number=capa.number,
            language=language,
            sign_boxes=[
                _signed(_("Issued by"), issued),
                _signed(_("Implemented by"), _last_step(capa, CapaStepMeaning.IMPLEMENTED)),
                _signed(_("Verified by"), _last_step(capa, CapaStepMeaning.EFFECTIVENESS_VERIFIED)),
                SignBox(_("Approved by")),
            ],
        )
        label = lambda name: field_label(CapaRequest, name)  # noqa: E731
        step_label = lambda name: field_label(CapaStep, name)  # noqa: E731
        story = [
            sheet.fields(
                [
                    (label("number"), capa.number),
                    (label("status"), capa.get_status_display()),
                    (label("source_kind"), _source(capa)),
                    (label("customer"), capa.customer.registered_name if capa.customer else ""),
                    (label("department"), str(capa.department)),
                    (_("Issued"), f"{fmt_person(issued.signed_by)} {fmt_date(issued.signed_at)}" if issued else ""),
                    (label("problem"), capa.problem, "wide"),
                    (label("due_date"), fmt_date(capa.due_date)),
                    (label("effectiveness_check_date"), fmt_date(capa.effectiveness_check_date)),
                    (label("effectiveness_criterion"), capa.effectiveness_criterion, "wide"),
                ]
            ),
            sheet.section(_("Actions of the responsible department")),
            sheet.fields(
                [
                    (label("corrective_action"), capa.corrective_action, "wide"),
                    (label("preventive_action"), capa.preventive_action, "wide"),
                    (label("implementation"), capa.implementation, "wide"),
                ]
            ),
            sheet.section(plural_label(CapaStep)),
            sheet.grid(
                ["#", step_label("meaning"), step_label("signed_by"), step_label("signed_at"), step_label("note")],
                [
                    [
                        str(index),
                        step.get_meaning_display(),
                        fmt_person(step.signed_by),
                        fmt_datetime(step.signed_at),
                        _step_note(step),
                    ]
                    for index, step in enumerate(capa.steps.all(), start=1)
                ],
                [0.05, 0.22, 0.16, 0.17, 0.4],
            ),
            sheet.section(_("Closing")),
            sheet.fields(
                [
                    (label("effectiveness"), capa.get_effectiveness_display()),
                    (label("closed_at"), fmt_datetime(capa.closed_at)),
                ]
            ),
        ]
        return sheet.build(_kept(story))


# --- QC's complaint handling report ---------------------------------------------------------------


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def pareto_chart(report: ComplaintHandlingReport, sheet: Sheet, *, height: float = 62 * mm) -> Drawing:
    """The 6M causes as bars, largest first, split at fault / not at fault, with the cumulative share as a line."""
    causes = report.causes
    width = sheet.width
    drawing = Drawing(width, height)
    font, size = sheet.fonts.regular, 7.5
    # The renderer starts in Helvetica, which is not embedded: start in ours.
    drawing.initialFontName, drawing.initialFontSize = font, size
    legend_height = 12
    chart = VerticalBarChart()
    # A slot per cause, no wider than a comfortable bar: one cause must not fill the page.
    slot = min((width - 80) / max(len(causes), 1), 72)
    chart.width = slot * max(len(causes), 1)
    chart.x, chart.y = (width - chart.width) / 2, 22
    chart.height = height - chart.y - legend_height - 16
    chart.data = [[cause.at_fault for cause in causes], [cause.not_at_fault for cause in causes]]
    chart.categoryAxis.categoryNames = [cause.label for cause in causes]
    chart.categoryAxis.style = "stacked"
    top = max((cause.total for cause in causes), default=1)
    step = max(1, math.ceil(top / 5))
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = step * math.ceil(top / step)
    chart.valueAxis.valueStep = step
    chart.valueAxis.labelTextFormat = "%d"
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = font
        axis.labels.fontSize = size
    chart.categoryAxis.labels.dy = -2
    chart.bars[0].fillColor = AT_FAULT_COLOUR
    chart.bars[1].fillColor = NOT_AT_FAULT_COLOUR
    chart.bars.strokeColor = None
    chart.barSpacing = 0
    chart.groupSpacing = slot * 0.35
    drawing.add(chart)

    # The cumulative share, on its own 0–100 % scale at the right.
    right = chart.x + chart.width
    drawing.add(Line(right, chart.y, right, chart.y + chart.height, strokeColor=colors.black, strokeWidth=0.5))
    for percent in (0, 50, 100):
        y = chart.y + chart.height * percent / 100
        drawing.add(Line(right, y, right + 3, y, strokeColor=colors.black, strokeWidth=0.5))
        drawing.add(String(right + 5, y - 2.5, f"{percent}%", fontName=font, fontSize=size))
    points = []
    for index, cause in enumerate(causes):
        x = chart.x + slot * (index + 0.5)
        y = chart.y + chart.height * cause.cumulative_share
        points += [x, y]
        drawing.add(Circle(x, y, 2, fillColor=LINE_COLOUR, strokeColor=None))
        text = _percent(cause.cumulative_share)
        text_width = stringWidth(text, font, size)
        # On a white patch, so the figure reads on top of a bar too.
        drawing.add(Rect(x - text_width / 2 - 1.5, y + 3, text_width + 3, size + 1.5, fillColor=colors.white,
                         strokeColor=None))
        drawing.add(String(x, y + 4.5, text, fontName=font, fontSize=size, textAnchor="middle"))
    if len(points) >= 4:
        drawing.add(PolyLine(points, strokeColor=LINE_COLOUR, strokeWidth=1))

    # Legend, along the top.
    x, y = 28, height - legend_height + 2
    for colour, text in (
        (AT_FAULT_COLOUR, _("Company at fault")),
        (NOT_AT_FAULT_COLOUR, _("Not at fault")),
        (LINE_COLOUR, _("Cumulative share")),
    ):
        drawing.add(Rect(x, y, 8, 6, fillColor=colour, strokeColor=None))
        drawing.add(String(x + 11, y, text, fontName=font, fontSize=size))
        x += 11 + stringWidth(text, font, size) + 14
    return drawing


def _duration_row(name: str, durations: Durations, limit: str) -> list[str]:
    return [
        name,
        str(durations.measured),
        _days(durations.mean_days),
        _days(durations.median_days),
        _days(durations.max_days),
        limit,
        str(durations.over_limit),
    ]


def _goods_tables(report: ComplaintHandlingReport, sheet: Sheet) -> KeepTogether:
    """The returned quantities and what became of the nonconforming ones, on one page."""
    return KeepTogether(
        [
            sheet.grid(
                [
                    field_label(ReturnLine, "quantity"),
                    field_label(ReturnLine, "arrived"),
                    field_label(ReturnLine, "good"),
                    field_label(ReturnLine, "nonconforming"),
                    field_label(ReturnLine, "replacement_needed"),
                    _("Lines not inspected"),
                ],
                [
                    [
                        fmt_quantity(report.goods.returned),
                        fmt_quantity(report.goods.arrived),
                        fmt_quantity(report.goods.good),
                        fmt_quantity(report.goods.nonconforming),
                        fmt_quantity(report.goods.replacement_needed),
                        str(report.goods.lines_not_inspected),
                    ]
                ],
                [1 / 6] * 6,
                numeric=range(6),
            ),
            sheet.space(2 * mm),
            sheet.grid(
                [field_label(NonconformanceRecord, "disposition"), plural_label(NonconformanceRecord),
                 field_label(NonconformanceRecord, "quantity")],
                [[item.label, str(item.records), fmt_quantity(item.quantity)] for item in report.goods.dispositions],
                [0.5, 0.25, 0.25],
                numeric=[1, 2],
            ),
        ]
    )


def complaint_report_flowables(report: ComplaintHandlingReport, *, language: str, sheet: Sheet | None = None) -> list:
    """The complaint handling report as ReportLab flowables, to print alone or inside another document.

    ``sheet`` is the document's own ``Sheet`` when embedding (its fonts, styles and text
    width are used); without one, a portrait A4 sheet in ``language`` is assumed.
    """
    with translation.override(language):
        if sheet is None:
            sheet = _report_sheet(report, language=language)
        period = f"{report.start.isoformat()} – {report.end.isoformat()}"
        capa = report.capa
        story = [
            sheet.fields(
                [
                    (_("Period"), period),
                    (_("As of"), fmt_datetime(report.made_at)),
                    (
                        _("Limits of the procedure"),
                        _("Acknowledge within %(hours)s hours; resolve within %(days)s days of the complaint.")
                        % {"hours": report.acknowledge_limit_hours, "days": report.resolve_limit_days},
                        "wide",
                    ),
                ]
            ),
            sheet.section(_("Complaints and returns registered")),
            sheet.grid(
                [_("Registered"), _("Complaints"), _("Returns"), _("Closed"), _("Open"), _("Voided (not counted)")],
                [[str(value) for value in (report.registered, report.complaints, report.returns, report.closed,
                                           report.open, report.voided)]],
                [1 / 6] * 6,
                numeric=range(6),
            ),
            sheet.section(_("Causes (6M)")),
            sheet.grid(
                [_("Cause"), _("Company at fault"), _("Not at fault"), _("Total"), _("Cumulative share")],
                [
                    [cause.label, str(cause.at_fault), str(cause.not_at_fault), str(cause.total),
                     _percent(cause.cumulative_share)]
                    for cause in report.causes
                ]
                + [[_("Not investigated yet"), "", "", str(report.not_investigated), ""]],
                [0.32, 0.17, 0.17, 0.14, 0.2],
                numeric=[1, 2, 3, 4],
            ),
        ]
        if report.causes:
            story += [sheet.space(2 * mm), pareto_chart(report, sheet)]
        story += [
            sheet.section(_("Handling times (days)")),
            sheet.grid(
                [_("Step"), _("Measured"), _("Mean"), _("Median"), _("Longest"), _("Limit"), _("Over the limit")],
                [
                    _duration_row(
                        _("Registration to acknowledgement"),
                        report.acknowledge,
                        _("%(hours)s hours") % {"hours": report.acknowledge_limit_hours},
                    ),
                    _duration_row(
                        _("Complaint to closing"),
                        report.close,
                        _("%(days)s days") % {"days": report.resolve_limit_days},
                    ),
                ],
                [0.31, 0.1, 0.09, 0.09, 0.09, 0.13, 0.19],
                numeric=[1, 2, 3, 4, 6],
            ),
            sheet.space(1 * mm),
            sheet.para(
                _("Over the limit: done late, or still waiting past the limit on the day of the report."), "small"
            ),
            sheet.section(_("Returned goods")),
            _goods_tables(report, sheet),
            sheet.section(plural_label(CapaRequest)),
            sheet.grid(
                ["", _("Issued in the period"), _("Issued in any period")],
                [
                    [_("Issued"), str(capa.issued), ""],
                    [_("Open"), str(capa.open), str(capa.open_all)],
                    [_("Overdue"), str(capa.overdue), str(capa.overdue_all)],
                    [_("Closed, effective"), str(capa.closed_effective), ""],
                    [_("Sent back to the department at least once"), str(capa.sent_back), ""],
                ],
                [0.5, 0.25, 0.25],
                numeric=[1, 2],
            ),
            sheet.space(1 * mm),
            sheet.para(_("For complaints and returns; open and overdue as of the day of the report."), "small"),
            sheet.section(_("Complaints and returns of the period")),
            sheet.grid(
                [
                    field_label(Complaint, "number"),
                    field_label(Complaint, "kind"),
                    field_label(Complaint, "customer"),
                    field_label(Complaint, "complaint_date"),
                    field_label(Complaint, "cause_category"),
                    _("At fault"),
                    field_label(Complaint, "status"),
                    _("Days open"),
                ],
                [
                    [
                        line.number,
                        line.kind_label,
                        line.customer,
                        fmt_date(line.complaint_date),
                        line.cause_label,
                        fmt_check(line.company_at_fault),
                        line.status_label,
                        f"{line.days_open}{' !' if line.resolved_late else ''}",
                    ]
                    for line in report.lines
                ],
                [0.15, 0.1, 0.22, 0.11, 0.1, 0.07, 0.14, 0.11],
                numeric=[7],
            ),
            sheet.space(1 * mm),
            sheet.para(_("! not closed by the resolve-by date"), "small"),
        ]
        return _kept(story)


def _report_sheet(report: ComplaintHandlingReport, *, language: str) -> Sheet:
    return Sheet(
        form_id=_("QC · for the management review"),
        title=_("Complaint handling report"),
        number=report.number,
        language=language,
        sign_boxes=[SignBox(_("Prepared by")), SignBox(_("Reviewed by")), SignBox(_("Approved by"))],
    )


def render_complaint_report(report: ComplaintHandlingReport, *, language: str) -> bytes:
    """QC's complaint handling report for its period as a PDF of its own (R-3.3)."""
    with translation.override(language):
        sheet = _report_sheet(report, language=language)
        return sheet.build(complaint_report_flowables(report, language=language, sheet=sheet))

