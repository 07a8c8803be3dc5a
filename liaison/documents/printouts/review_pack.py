"""The management review pack, printed (R-5.6.7, R-3.3): one PDF per meeting.

``render_review_pack`` takes what ``management.pack.pack_build`` gathered and the
language to print in. Charts are drawn with ``reportlab.graphics`` in the document's
own embedded font. QC's complaint handling report is embedded with the quality
printouts' ``complaint_report_flowables``.

The pack summarises: a list (customers' indexes, complaints of the period, CAPA requests,
actions) prints at most ``LIST_LIMIT`` rows and says how many more there are and where
they are all listed. At 1 M orders a period has thousands of complaints; printing each
made a pack of hundreds of pages that took minutes.
"""

import dataclasses
import math

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, Table

from liaison.documents.pdf import Sheet, SignBox, field_label, fmt_date, fmt_datetime, fmt_person
from liaison.documents.printouts.quality import complaint_report_flowables
from liaison.quality.states import CapaSource, CapaStatus
from liaison.reviews.models import ReviewAction, ReviewMeeting
from liaison.reviews.pack import ReviewPack, section_titles
from liaison.reviews.states import ActionStatus

GOOD = colors.HexColor("#2E7D32")
BAD = colors.HexColor("#C62828")
NEUTRAL = colors.HexColor("#1565C0")
SOFT = colors.HexColor("#90A4AE")
CHART_HEIGHT = 52 * mm
# Rows a list of the pack prints at most; the rest is counted under it.
LIST_LIMIT = 30


def _number(value, suffix: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}{suffix}"
    return f"{value}{suffix}"


# --- charts --------------------------------------------------------------------------------------


def _nice_top(value: float) -> tuple[float, float]:
    """An axis maximum and step for values up to ``value`` (about five steps)."""
    if value <= 0:
        return 1, 1
    raw = value / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if value <= 5 and float(value).is_integer():
        step = 1
    return step * math.ceil(value / step), step


def _drawing(sheet: Sheet, width: float, height: float) -> Drawing:
    drawing = Drawing(width, height)
    # The renderer starts in Helvetica, which is not embedded: start in ours.
    drawing.initialFontName, drawing.initialFontSize = sheet.fonts.regular, 7.5
    return drawing


def _legend(drawing: Drawing, sheet: Sheet, items, *, x: float, y: float) -> None:
    font, size = sheet.fonts.regular, 7.5
    for colour, text in items:
        drawing.add(Rect(x, y, 8, 6, fillColor=colour, strokeColor=None))
        drawing.add(String(x + 11, y, text, fontName=font, fontSize=size))
        x += 11 + stringWidth(text, font, size) + 14


def bar_chart(
    sheet: Sheet,
    categories: list[str],
    series: list[tuple[str, list, object]],
    *,
    width: float | None = None,
    height: float = CHART_HEIGHT,
    stacked: bool = False,
    top: float | None = None,
    value_format: str = "%d",
) -> Drawing:
    """Bars per category, one colour per series (stacked or side by side), with a legend on top."""
    width = width or sheet.width
    font, size = sheet.fonts.regular, 7.5
    legend = 12
    drawing = _drawing(sheet, width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 30, 24
    chart.width, chart.height = width - chart.x - 10, height - chart.y - legend - 10
    chart.data = [[value or 0 for value in values] for _name, values, _colour in series]
    chart.categoryAxis.categoryNames = categories
    if stacked:
        chart.categoryAxis.style = "stacked"
        highest = max((sum(column) for column in zip(*chart.data, strict=True)), default=0)
    else:
        highest = max((max(values, default=0) for values in chart.data), default=0)
    axis_top, step = (top, top / 5) if top else _nice_top(highest)
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = axis_top
    chart.valueAxis.valueStep = step
    chart.valueAxis.labelTextFormat = value_format
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = font
        axis.labels.fontSize = size
    chart.categoryAxis.labels.dy = -2
    # Long category names (criteria, workshops) would overlap: shrink them to their slot.
    slot = chart.width / max(len(categories), 1)
    longest = max((stringWidth(name, font, size) for name in categories), default=0)
    if longest > slot - 4:
        chart.categoryAxis.labels.fontSize = max(5.5, size * (slot - 4) / longest)
    for index, (_name, _values, colour) in enumerate(series):
        chart.bars[index].fillColor = colour
    chart.bars.strokeColor = None
    # Bars at most 28 pt wide: a chart of two workshops should not be two walls of colour.
    bars = 1 if stacked else len(series)
    chart.barWidth = min(28.0, slot * 0.7 / bars)
    chart.barSpacing = 0 if stacked else 1
    chart.groupSpacing = max(4.0, slot - bars * chart.barWidth - (bars - 1) * chart.barSpacing)
    drawing.add(chart)
    if legend:
        _legend(drawing, sheet, [(colour, name) for name, _values, colour in series], x=chart.x, y=height - legend + 2)
    return drawing


def line_chart(
    sheet: Sheet, categories: list[str], values: list, *, name: str, width: float | None = None,
    height: float = CHART_HEIGHT, top: float | None = None,
) -> Drawing:
    """One line over the categories (a trend over rounds), with its points marked."""
    width = width or sheet.width
    font, size = sheet.fonts.regular, 7.5
    drawing = _drawing(sheet, width, height)
    chart = HorizontalLineChart()
    chart.x, chart.y = 30, 24
    chart.width, chart.height = width - chart.x - 10, height - chart.y - 22
    chart.data = [[value if value is not None else 0 for value in values]]
    chart.categoryAxis.categoryNames = categories
    axis_top, step = (top, top / 5) if top else _nice_top(max((v or 0 for v in values), default=0))
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = axis_top
    chart.valueAxis.valueStep = step
    chart.valueAxis.labelTextFormat = "%.1f" if step < 1 else "%d"
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = font
        axis.labels.fontSize = size
    chart.lines[0].strokeColor = NEUTRAL
    chart.lines[0].strokeWidth = 1.5
    chart.lines[0].symbol = makeMarker("FilledCircle", size=4, fillColor=NEUTRAL)
    chart.lineLabelFormat = "%.2f"
    chart.lineLabels.fontName = font
    chart.lineLabels.fontSize = size
    drawing.add(chart)
    _legend(drawing, sheet, [(NEUTRAL, name)], x=chart.x, y=height - 10)
    return drawing


def _side_by_side(sheet: Sheet, left, right):
    table = Table([[left, right]], colWidths=[sheet.width / 2, sheet.width / 2], hAlign="LEFT")
    table.setStyle(sheet._table_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


# --- lists --------------------------------------------------------------------------------------


def _capped(items) -> tuple[list, int]:
    """The first ``LIST_LIMIT`` items and how many more there are."""
    items = list(items)
    return items[:LIST_LIMIT], max(len(items) - LIST_LIMIT, 0)


def _more(sheet: Sheet, count: int, where: str) -> list:
    """The line under a capped list: how many rows it left out, and where they are all listed."""
    if count <= 0:
        return []
    more = _("… and %(count)s more (%(where)s lists them all).") % {"count": count, "where": where}
    return [sheet.para(more, "small")]


# --- sections ------------------------------------------------------------------------------------


def _subheading(sheet: Sheet, text: str) -> list:
    return [sheet.space(2 * mm), sheet.para(text, "label")]


def _satisfaction(sheet: Sheet, pack: ReviewPack) -> list:
    survey = pack.satisfaction
    story: list = []
    if survey.survey_round is None:
        story.append(sheet.para(_("No survey round was planned for this meeting."), "body"))
    else:
        story.append(
            sheet.fields(
                [
                    (_("Survey round"), survey.survey_round.number),
                    (_("Status"), survey.survey_round.status_label),
                    (_("Response rate"), _number(survey.response_rate, " %")),
                    (_("Satisfaction index"), _number(survey.index)),
                    (_("CSAT"), _number(survey.csat, " %")),
                    (
                        _("Forms sent / returned / void"),
                        " / ".join(_number(v) for v in (survey.sent, survey.returned, survey.void)),
                    ),
                ]
            )
        )
        if not survey.analysis_available:
            story.append(sheet.para(_("The analysis of this survey round is not available yet."), "small"))
    half = sheet.width / 2 - 4
    charts = []
    if survey.criteria:
        charts.append(
            bar_chart(
                sheet, [figure.label for figure in survey.criteria],
                [(_("Mean score"), [figure.value for figure in survey.criteria], NEUTRAL)],
                width=half, top=5, value_format="%d",
            )
        )
    if survey.trend:
        charts.append(
            line_chart(
                sheet, [figure.label for figure in survey.trend], [figure.value for figure in survey.trend],
                name=_("Satisfaction index by round"), width=half, top=5,
            )
        )
    if len(charts) == 2:
        story += [sheet.space(), _side_by_side(sheet, *charts)]
    elif charts:
        story += [sheet.space(), charts[0]]
    if survey.distribution:
        story += [
            sheet.space(),
            bar_chart(
                sheet, [figure.label for figure in survey.distribution],
                [(_("Answers"), [figure.value for figure in survey.distribution], SOFT)],
                width=half, height=40 * mm,
            ),
        ]
    if survey.customers:
        customers = survey.customers[:LIST_LIMIT]
        more = max(survey.customers_total or 0, len(survey.customers)) - len(customers)
        story += [
            *_subheading(sheet, _("Satisfaction by customer")),
            sheet.grid(
                [_("Customer"), _("Satisfaction index")],
                [[figure.label, _number(figure.value)] for figure in customers],
                [0.7, 0.3], numeric=[1],
            ),
            *_more(sheet, more, _("the survey round's analysis")),
        ]
    capas, more = _capped(survey.capas)
    story += [
        *_subheading(sheet, _("Improvement actions for dissatisfied customers (CAPA, F7)")),
        sheet.grid(
            [_("CAPA request"), _("Customer"), _("Department"), _("Due date"), _("Status")],
            [
                [record.number, str(record.customer or ""), str(record.department), fmt_date(record.due_date),
                 record.get_status_display()]
                for record in capas
            ],
            [0.16, 0.34, 0.18, 0.12, 0.2],
        ),
        *_more(sheet, more, _("the CAPA list")),
    ]
    return story


def complaint_lines_shown(lines) -> tuple[tuple, int]:
    """The complaints of the period the pack lists, and how many it leaves out.

    Up to ``LIST_LIMIT``: those not closed by the resolve-by date first, then those still
    open, then the longest open; printed in the report's own order.
    """
    lines, limit = list(lines), LIST_LIMIT
    if len(lines) <= limit:
        return tuple(lines), 0
    ranked = sorted(
        range(len(lines)),
        key=lambda index: (not lines[index].resolved_late, not lines[index].is_open, -lines[index].days_open, index),
    )
    chosen = sorted(ranked[:limit])
    return tuple(lines[index] for index in chosen), len(lines) - limit


def _complaints(sheet: Sheet, pack: ReviewPack, language: str) -> list:
    if pack.complaints is None:
        return [sheet.para(_("QC's complaint handling report is not available yet."), "body")]
    report = pack.complaints
    lines, more = complaint_lines_shown(getattr(report, "lines", ()))
    if more:
        report = dataclasses.replace(report, lines=lines)
    story = complaint_report_flowables(report, language=language, sheet=sheet)
    if more:
        story += [
            sheet.para(
                _("%(shown)s of the %(total)s complaints and returns of the period are listed: those not closed "
                  "by the resolve-by date first, then the open ones, then the longest open. QC's complaint "
                  "handling report lists them all.") % {"shown": len(lines), "total": len(lines) + more},
                "small",
            )
        ]
    return story


def _capa(sheet: Sheet, pack: ReviewPack) -> list:
    counts = pack.capa.counts
    statuses = list(CapaStatus)
    issued = pack.capa.issued_in_period
    overdue, more = _capped(pack.capa.overdue)
    return [
        sheet.grid(
            [*[str(status.label) for status in statuses], _("Overdue")],
            [[str(counts.get(status.value, 0)) for status in statuses] + [str(counts.get("overdue", 0))]],
            [0.18, 0.18, 0.18, 0.18, 0.28],
            numeric=[0, 1, 2, 3, 4],
        ),
        sheet.space(),
        _side_by_side(
            sheet,
            sheet.grid(
                [_("Issued in the period, by source"), _("Requests")],
                [[str(kind.label), str(issued.get(kind.value, 0))] for kind in CapaSource],
                [0.33, 0.15], numeric=[1],
            ),
            bar_chart(
                sheet, [str(status.label) for status in statuses],
                [(_("Requests"), [counts.get(status.value, 0) for status in statuses], NEUTRAL)],
                width=sheet.width / 2 - 4, height=40 * mm,
            ),
        ),
        *_subheading(sheet, _("Overdue CAPA requests")),
        sheet.grid(
            [_("CAPA request"), _("Department"), _("Problem"), _("Due date"), _("Status")],
            [
                [record.number, str(record.department), record.problem, fmt_date(record.due_date),
                 record.get_status_display()]
                for record in overdue
            ],
            [0.15, 0.17, 0.4, 0.12, 0.16],
        ),
        *_more(sheet, more, _("the CAPA list")),
    ]


def _actions_grid(sheet: Sheet, actions: list[ReviewAction], *, with_meeting: bool) -> list:
    headers = [
        field_label(ReviewAction, name) for name in ("description", "owner", "due_date", "status", "outcome")
    ]
    widths = [0.34, 0.13, 0.11, 0.15, 0.27]
    if with_meeting:
        headers.insert(0, field_label(ReviewAction, "meeting"))
        widths = [0.13, 0.27, 0.12, 0.11, 0.15, 0.22]
    actions, more = _capped(actions)
    rows = []
    for action in actions:
        status = action.get_status_display()
        if action.status == ActionStatus.OPEN and getattr(action, "is_overdue", False):
            status = f"{status} · {_('overdue')}"
        row = [action.description, fmt_person(action.owner), fmt_date(action.due_date), status,
               action.outcome or action.cancel_reason]
        if with_meeting:
            row.insert(0, action.meeting.number)
        rows.append(row)
    return [sheet.grid(headers, rows, widths), *_more(sheet, more, _("the management review page"))]


def _delivery(sheet: Sheet, pack: ReviewPack) -> list:
    delivery = pack.delivery
    rows = [
        [row.workshop, row.completed, row.on_time, row.late, _number(row.on_time_rate, " %"),
         _number(row.mean_days_late), row.open_overdue]
        for row in delivery.rows
    ]
    total = delivery.total
    if delivery.rows:
        rows.append([_("Total"), total.completed, total.on_time, total.late, _number(total.on_time_rate, " %"),
                     _number(total.mean_days_late), total.open_overdue])
    story = [
        sheet.para(
            _("Production notices (F4) completed from %(start)s to %(end)s; open notices past due as of today.")
            % {"start": fmt_date(delivery.start), "end": fmt_date(delivery.end)},
            "small",
        ),
        sheet.grid(
            [_("Workshop"), _("Completed"), _("On time"), _("Late"), _("On-time rate"), _("Mean days late"),
             _("Open, past due")],
            [[str(value) for value in row] for row in rows],
            [0.25, 0.11, 0.11, 0.1, 0.14, 0.14, 0.15],
            numeric=[1, 2, 3, 4, 5, 6],
        ),
    ]
    if delivery.rows:
        story += [
            sheet.space(),
            bar_chart(
                sheet, [row.workshop for row in delivery.rows],
                [
                    (_("On time"), [row.on_time for row in delivery.rows], GOOD),
                    (_("Late"), [row.late for row in delivery.rows], BAD),
                    (_("Open, past due"), [row.open_overdue for row in delivery.rows], SOFT),
                ],
                stacked=True,
            ),
        ]
    return story


def _this_meeting(sheet: Sheet, pack: ReviewPack) -> list:
    meeting = pack.meeting
    story = [
        sheet.fields(
            [
                (field_label(ReviewMeeting, "agenda"), meeting.agenda or "—", "wide"),
                (field_label(ReviewMeeting, "minutes"), meeting.minutes or _("Not recorded yet."), "wide"),
            ]
        ),
        sheet.space(),
        *_actions_grid(sheet, pack.actions, with_meeting=False),
    ]
    return story


def render_review_pack(pack: ReviewPack, *, language: str) -> bytes:
    """The pack of one management review as a PDF (R-5.6.7): six sections, charts included."""
    with translation.override(language):
        meeting = pack.meeting
        sheet = Sheet(
            form_id=_("Management review · prepared %(when)s") % {"when": fmt_datetime(pack.made_at)},
            title=_("Management review report"),
            number=meeting.number,
            language=language,
            sign_boxes=[SignBox(_("Prepared by")), SignBox(_("Reviewed by")), SignBox(_("Approved by"))],
        )
        titles = section_titles()
        capa, delivery = _capa(sheet, pack), _delivery(sheet, pack)
        complaints = _complaints(sheet, pack, language)
        participants = ", ".join(fmt_person(user) for user in meeting.participants.all())
        story = [
            sheet.fields(
                [
                    (field_label(ReviewMeeting, "title"), meeting.title, "wide"),
                    (field_label(ReviewMeeting, "meeting_date"), fmt_date(meeting.meeting_date)),
                    (field_label(ReviewMeeting, "status"), meeting.get_status_display()),
                    (field_label(ReviewMeeting, "chair"), fmt_person(meeting.chair)),
                    (_("Period reviewed"), f"{fmt_date(pack.start)} – {fmt_date(pack.end)}"),
                    (_("Previous review"), pack.previous.number if pack.previous else "—"),
                    (field_label(ReviewMeeting, "participants"), participants or "—"),
                ]
            ),
            sheet.section(titles[0]),
            *_satisfaction(sheet, pack),
            # A heading stays with the start of its section, never alone at the foot of a page.
            KeepTogether([sheet.section(titles[1]), *complaints[:1]]),
            *complaints[1:],
            KeepTogether([sheet.section(titles[2]), *capa[:1]]),
            *capa[1:],
            KeepTogether([sheet.section(titles[3]), *_actions_grid(sheet, pack.previous_actions, with_meeting=True)]),
            KeepTogether([sheet.section(titles[4]), *delivery]),
            sheet.section(titles[5]),
            *_this_meeting(sheet, pack),
        ]
        return sheet.build(story)
