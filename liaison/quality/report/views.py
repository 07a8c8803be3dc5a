"""QC's complaint handling report as a page (R-3.3): a period, its figures, the causes chart, the PDF."""

import json
import urllib.parse

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from liaison.core.errors import LiaisonError
from liaison.core.pages import page_context
from liaison.core.quantities import format_quantity
from liaison.quality.models import Complaint, NonconformanceRecord, ReturnLine
from liaison.quality.report import selectors as complaint_report
from liaison.quality.report.errors import ACTIONS

RED = "#C62828"
GREY = "#90A4AE"
BLUE = "#1F3A5F"


def fmt_check(value: bool | None) -> str:
    return "" if value is None else ("✓" if value else "×")


def _label(model, name: str) -> str:
    return capfirst(str(model._meta.get_field(name).verbose_name))


def _days(value: float | None) -> str:
    return "—" if value is None else number_format(value, 1)


def _period_link(start, end) -> str:
    return "?" + urllib.parse.urlencode({"start": start.isoformat(), "end": end.isoformat()})


def _right(value) -> dict:
    return {"content": value, "class": "text-right tabular-nums"}


def _tables(result: complaint_report.ComplaintHandlingReport) -> dict[str, dict]:
    """The report's figures as unfold's table component reads them (headers, rows)."""
    capa = result.capa
    goods = result.goods
    return {
        "counts": {
            "headers": [_("Registered"), _("Complaints"), _("Returns"), _("Closed"), _("Open"),
                        _("Company at fault"), _("Not at fault"), _("Voided (not counted)")],
            "rows": [[_right(value) for value in (result.registered, result.complaints, result.returns, result.closed,
                                                  result.open, result.at_fault, result.not_at_fault, result.voided)]],
        },
        "causes": {
            "headers": [_("Cause"), _("Company at fault"), _("Not at fault"), _("Total"), _("Cumulative share")],
            "rows": [
                [cause.label, _right(cause.at_fault), _right(cause.not_at_fault), _right(cause.total),
                 _right(f"{round(cause.cumulative_share * 100)}%")]
                for cause in result.causes
            ]
            + [[_("Not investigated yet"), "", "", _right(result.not_investigated), ""]],
        },
        "times": {
            "headers": [_("Step"), _("Measured"), _("Mean"), _("Median"), _("Longest"), _("Limit"),
                        _("Over the limit")],
            "rows": [
                [name, _right(durations.measured), _right(_days(durations.mean_days)),
                 _right(_days(durations.median_days)), _right(_days(durations.max_days)), limit,
                 _right(durations.over_limit)]
                for name, durations, limit in (
                    (_("Registration to acknowledgement"), result.acknowledge,
                     _("%(hours)s hours") % {"hours": result.acknowledge_limit_hours}),
                    (_("Complaint to closing"), result.close,
                     _("%(days)s days") % {"days": result.resolve_limit_days}),
                )
            ],
        },
        "goods": {
            "headers": [_label(ReturnLine, "quantity"), _label(ReturnLine, "arrived"), _label(ReturnLine, "good"),
                        _label(ReturnLine, "nonconforming"), _label(ReturnLine, "replacement_needed"),
                        _("Lines not inspected")],
            "rows": [[_right(format_quantity(value)) for value in (goods.returned, goods.arrived, goods.good,
                                                                goods.nonconforming, goods.replacement_needed)]
                     + [_right(goods.lines_not_inspected)]],
        },
        "dispositions": {
            "headers": [_label(NonconformanceRecord, "disposition"),
                        capfirst(str(NonconformanceRecord._meta.verbose_name_plural)),
                        _label(NonconformanceRecord, "quantity")],
            "rows": [[item.label, _right(item.records), _right(format_quantity(item.quantity))]
                     for item in goods.dispositions],
        },
        "capa": {
            "headers": ["", _("Issued in the period"), _("Issued in any period")],
            "rows": [
                [_("Issued"), _right(capa.issued), ""],
                [_("Open"), _right(capa.open), _right(capa.open_all)],
                [_("Overdue"), _right(capa.overdue), _right(capa.overdue_all)],
                [_("Closed, effective"), _right(capa.closed_effective), ""],
                [_("Sent back to the department at least once"), _right(capa.sent_back), ""],
            ],
        },
        "lines": {
            "headers": [_label(Complaint, "number"), _label(Complaint, "kind"), _label(Complaint, "customer"),
                        _label(Complaint, "complaint_date"), _label(Complaint, "cause_category"), _("At fault"),
                        _label(Complaint, "status"), _("Days open")],
            "rows": [
                [
                    format_html('<a class="text-primary-600" href="{}">{}</a>',
                                reverse("quality:complaint", args=[line.pk]), line.number),
                    line.kind_label,
                    line.customer,
                    line.complaint_date.isoformat(),
                    line.cause_label or "—",
                    fmt_check(line.company_at_fault),
                    line.status_label,
                    _right(format_html('{}{}', line.days_open,
                                       format_html(' <span class="text-red-600" title="{}">!</span>',
                                                   _("not closed by the resolve-by date"))
                                       if line.resolved_late else "")),
                ]
                for line in result.lines
            ],
        },
    }


def _chart(result: complaint_report.ComplaintHandlingReport) -> dict[str, str]:
    """The Pareto chart of causes for unfold's bar component: stacked bars and the cumulative share."""
    data = {
        "labels": [cause.label for cause in result.causes],
        "datasets": [
            {"label": _("Company at fault"), "data": [c.at_fault for c in result.causes], "backgroundColor": RED,
             "stack": "causes", "yAxisID": "y", "order": 2},
            {"label": _("Not at fault"), "data": [c.not_at_fault for c in result.causes], "backgroundColor": GREY,
             "stack": "causes", "yAxisID": "y", "order": 2},
            {"type": "line", "label": _("Cumulative share %"),
             "data": [round(c.cumulative_share * 100) for c in result.causes], "borderColor": BLUE,
             "backgroundColor": BLUE, "yAxisID": "y1", "order": 1},
        ],
    }
    options = {
        "animation": False,
        "responsive": True,
        "maintainAspectRatio": False,
        "plugins": {"legend": {"display": True, "position": "bottom"}},
        "datasets": {"bar": {"maxBarThickness": 56, "borderRadius": 4}},
        "elements": {"point": {"radius": 4}},
        "scales": {
            "x": {"stacked": True},
            "y": {"stacked": True, "beginAtZero": True, "ticks": {"precision": 0}, "position": "left"},
            "y1": {"min": 0, "max": 100, "position": "right", "grid": {"drawOnChartArea": False}},
        },
    }
    return {"data": json.dumps(data, ensure_ascii=False), "options": json.dumps(options, ensure_ascii=False)}


@login_required
@permission_required(ACTIONS["view"].permission, raise_exception=True)
def complaint_report_page(request):
    """The report for ``?start=`` – ``?end=`` (the last six months unless asked), with quick half-year choices."""
    start_text, end_text = request.GET.get("start", ""), request.GET.get("end", "")
    default_start, default_end = complaint_report.default_period()
    halves = complaint_report.half_years()
    context = page_context(
        request,
        title=_("Complaint handling report"),
        opts=Complaint._meta,
        start_text=start_text or default_start.isoformat(),
        end_text=end_text or default_end.isoformat(),
        quick=[
            (_("Last 6 months"), _period_link(default_start, default_end)),
            (_("This half-year"), _period_link(*halves["this_half"])),
            (_("Last half-year"), _period_link(*halves["last_half"])),
        ],
    )
    try:
        start, end = complaint_report.report_period(start=start_text, end=end_text)
    except LiaisonError as error:
        context["error"] = str(error)
        context["error_field"] = error.field
        return render(request, "quality/report.html", context, status=400)
    result = complaint_report.complaint_handling_report(start=start, end=end)
    context.update(
        report=result,
        tables=_tables(result),
        chart=_chart(result),
        pdf_url=reverse("documents:complaint-report") + _period_link(start, end),
    )
    return render(request, "quality/report.html", context)
