"""What the quality app puts in the workspace: complaints, returns and CAPA requests waiting on someone,
its sidebar entries, its dashboard figures and the Pareto chart of causes."""

import datetime as dt
import json

from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from liaison.core.quantities import format_quantity
from liaison.core.roles import allowed
from liaison.core.workspace import (
    DashboardCard,
    DashboardPanel,
    InboxItem,
    WorkKind,
    dashboard_cards,
    dashboard_panel,
    inbox_item,
    inbox_kinds,
    list_link,
    sidebar_entry,
    sidebar_group,
)
from liaison.quality import selectors
from liaison.quality.capa import selectors as capa_selectors
from liaison.quality.capa.errors import ACTIONS as CAPA_ACTIONS
from liaison.quality.errors import ACTIONS
from liaison.quality.report.errors import ACTIONS as REPORT_ACTIONS
from liaison.quality.states import CapaStatus

COMPLAINTS = "admin:quality_complaint_changelist"
CAPAS = "admin:quality_caparequest_changelist"


@inbox_kinds(order=50)
def quality_work(user, today: dt.date) -> list[WorkKind]:
    """Complaints, returns and CAPA requests waiting on the user (R-5.5), one query per kind of work."""

    def names(complaint) -> dict:
        return {"kind": complaint.get_kind_display(), "number": complaint.number, "customer": complaint.customer}

    def complaint_kind(kind, label, rows, text, anchor, icon, link, acknowledge=False):
        def item(complaint) -> InboxItem:
            due = timezone.localdate(complaint.acknowledge_due) if acknowledge else complaint.resolve_due
            target = reverse("quality:complaint", args=[complaint.pk]) + f"#{anchor}"
            overdue = complaint.is_overdue or due < today
            title = text(complaint) if callable(text) else text % names(complaint)
            return InboxItem(kind=kind, title=title, link=target, due_date=due, overdue=overdue, icon=icon)

        return WorkKind(kind, label, rows, item, list_link(COMPLAINTS, link))

    kinds = []
    if allowed(user, ACTIONS["acknowledge"]):
        rows = selectors.complaints_to_acknowledge().order_by("-is_overdue", "acknowledge_due", "pk")
        text = _("Acknowledge %(kind)s %(number)s of %(customer)s and pass it to QC")
        kinds.append(
            complaint_kind(
                "complaint_acknowledge", _("complaints to acknowledge"), rows, text, "complaint-registration",
                "report", "status__exact=registered", acknowledge=True,
            )
        )
    if allowed(user, ACTIONS["investigate"]):
        text = _("Investigate %(kind)s %(number)s of %(customer)s")
        kinds.append(
            complaint_kind(
                "complaint_investigate", _("complaints to investigate"), selectors.complaints_to_investigate(), text,
                "investigation", "troubleshoot", "status__exact=acknowledged",
            )
        )
    if allowed(user, CAPA_ACTIONS["issue"]):
        text = _("Issue a CAPA request for %(kind)s %(number)s of %(customer)s")
        kinds.append(
            complaint_kind(
                "complaint_capa", _("complaints needing a CAPA request"), selectors.complaints_needing_capa(),
                text, "capas", "build_circle", "status__exact=investigated&company_at_fault__exact=1",
            )
        )
    if allowed(user, ACTIONS["record_result"]):
        text = _("Record the result of %(kind)s %(number)s of %(customer)s")
        kinds.append(
            complaint_kind(
                "complaint_result", _("results to record"), selectors.complaints_awaiting_result(), text, "result",
                "task_alt", "status__exact=investigated",
            )
        )
    if allowed(user, ACTIONS["inspect"]):

        def still_to_inspect(complaint) -> str:
            """The goods returned on the complaint, with what is still to inspect (R-5.5.2.2)."""
            values = {
                **names(complaint),
                "product": complaint.waiting_product,
                "quantity": format_quantity(complaint.waiting_quantity),
                "unit": complaint.waiting_unit,
            }
            others = complaint.waiting_lines - 1
            if others:
                values["others"] = others
                return ngettext(
                    "Inspect the goods returned on %(number)s by %(customer)s: %(quantity)s %(unit)s of "
                    "%(product)s and %(others)s more product still to inspect",
                    "Inspect the goods returned on %(number)s by %(customer)s: %(quantity)s %(unit)s of "
                    "%(product)s and %(others)s more products still to inspect",
                    others,
                ) % values
            return _(
                "Inspect the goods returned on %(number)s by %(customer)s: %(quantity)s %(unit)s of %(product)s "
                "still to inspect"
            ) % values

        kinds.append(
            complaint_kind(
                "return_inspect", _("returns to inspect"), selectors.returns_to_inspect(), still_to_inspect,
                "return-lines", "assignment_return", "kind__exact=return",
            )
        )
    if allowed(user, ACTIONS["feedback"]):
        text = _("Feed the result of %(number)s back to %(customer)s")
        kinds.append(
            complaint_kind(
                "complaint_feedback", _("results to feed back"), selectors.complaints_to_feed_back(), text, "result",
                "reply", "status__exact=result_recorded",
            )
        )
    if allowed(user, CAPA_ACTIONS["verify"]):

        def verify(capa) -> InboxItem:
            if capa.status == CapaStatus.IMPLEMENTED:
                title = _("Verify the execution of CAPA request %(number)s (%(department)s)")
            else:
                title = _("Verify the effectiveness of CAPA request %(number)s (%(department)s)")
            title %= {"number": capa.number, "department": capa.department}
            return inbox_item("capa_verify", title, capa.get_absolute_url(), capa.due_date, today, "verified")

        rows = capa_selectors.capa_to_verify(today=today)
        kinds.append(WorkKind("capa_verify", _("CAPA requests to verify"), rows, verify, list_link(CAPAS)))
    if user.department_id is not None and allowed(user, CAPA_ACTIONS["implement"]):

        def implement(capa) -> InboxItem:
            title = _("Carry out CAPA request %(number)s for %(department)s: %(problem)s") % {
                "number": capa.number,
                "department": capa.department,
                "problem": capa.problem[:60],
            }
            return inbox_item("capa_implement", title, capa.get_absolute_url(), capa.due_date, today, "build_circle")

        rows = capa_selectors.capa_to_implement(department_id=user.department_id, today=today)
        link = list_link(CAPAS, f"status__exact=issued&department__id__exact={user.department_id}")
        kinds.append(WorkKind("capa_implement", _("CAPA requests to carry out"), rows, implement, link))
    return kinds


@dashboard_cards(order=30)
def quality_cards(user) -> list[DashboardCard]:
    """Open and overdue complaints, overdue CAPA requests (R-1.2); two queries."""
    if not user.has_perm("quality.view_complaint"):
        return []
    figures = selectors.complaint_figures()
    capa_figures = capa_selectors.capa_status_counts()
    return [
        DashboardCard(
            title=_("Open complaints and returns"),
            value=figures["open"],
            note=_("%(count)s overdue") % {"count": figures["overdue"]},
            danger=figures["overdue"] > 0,
            link=COMPLAINTS,
        ),
        DashboardCard(
            title=_("Overdue CAPA requests"),
            value=capa_figures["overdue"],
            danger=capa_figures["overdue"] > 0,
            link=CAPAS,
        ),
    ]


@dashboard_panel(order=30)
def cause_pareto(user) -> DashboardPanel | None:
    """The causes of complaints of the last 12 months, most frequent first, with the cumulative share (one query)."""
    if not user.has_perm("quality.view_complaint"):
        return None
    bars = selectors.complaint_cause_pareto()
    chart = {
        "labels": [bar.label for bar in bars],
        "datasets": [
            {
                "type": "line",
                "label": _("Cumulative %"),
                "data": [bar.cumulative_percent for bar in bars],
                "yAxisID": "percent",
                "borderColor": "var(--color-base-500)",
                "backgroundColor": "var(--color-base-500)",
                "borderWidth": 2,
                "pointRadius": 3,
                "order": 0,
            },
            {
                "type": "bar",
                "label": _("Complaints"),
                "data": [bar.count for bar in bars],
                "yAxisID": "count",
                "backgroundColor": "var(--color-primary-600)",
                "maxBarThickness": 48,
                "borderRadius": 4,
                "order": 1,
            },
        ],
    }
    options = {
        "animation": False,
        "responsive": True,
        "maintainAspectRatio": True,
        "aspectRatio": 3,
        "plugins": {"legend": {"display": True, "position": "bottom"}},
        "scales": {
            "count": {"type": "linear", "position": "left", "beginAtZero": True, "ticks": {"precision": 0}},
            "percent": {
                "type": "linear",
                "position": "right",
                "min": 0,
                "max": 100,
                "grid": {"drawOnChartArea": False},
                "title": {"display": True, "text": "%"},
            },
        },
    }
    return DashboardPanel(
        template="quality/_dashboard_pareto.html",
        context={
            "bars": bars,
            "data": json.dumps(chart, ensure_ascii=False),
            "options": json.dumps(options),
        },
    )


sidebar_group("quality", gettext_lazy("Complaints and CAPA"), order=30)
sidebar_entry(
    "quality", gettext_lazy("Complaints and returns (F6)"), icon="report", link=reverse_lazy(COMPLAINTS), order=10,
    permission="quality.view_complaint",
)
sidebar_entry(
    "quality", gettext_lazy("Register a complaint or return"), icon="add_comment",
    link=reverse_lazy("quality:register"), order=20, permission="quality.add_complaint",
)
sidebar_entry(
    "quality", gettext_lazy("Nonconformance records"), icon="rule",
    link=reverse_lazy("admin:quality_nonconformancerecord_changelist"), order=30,
    permission="quality.view_nonconformancerecord",
)
sidebar_entry(
    "quality", gettext_lazy("CAPA requests (F7)"), icon="build_circle", link=reverse_lazy(CAPAS), order=40,
    permission="quality.view_caparequest",
)
sidebar_entry(
    "quality", gettext_lazy("Complaint handling report"), icon="query_stats", link=reverse_lazy("quality:report"),
    order=50, permission=REPORT_ACTIONS["view"].permission,
)
sidebar_entry(
    "quality", gettext_lazy("Other feedback"), icon="thumb_up", link=reverse_lazy("admin:quality_feedback_changelist"),
    order=60, permission="quality.view_feedback",
)
