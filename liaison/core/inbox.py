"""My inbox: what waits on the signed-in user, by role, overdue first.

Each kind of work is one query (see the ``orders`` selectors), so the inbox costs a
fixed number of queries however much is waiting.
"""

import datetime as dt
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from liaison.core import clock
from liaison.core.states import DepartmentKind


@dataclass(frozen=True)
class InboxItem:
    """One piece of work: what to do, where, by when."""

    kind: str
    title: str
    link: str
    due_date: dt.date | None
    overdue: bool
    icon: str = "inbox"


def _order_link(order, anchor: str = "") -> str:
    return reverse("orders:detail", args=[order.pk]) + (f"#{anchor}" if anchor else "")


def _notice_link(notice) -> str:
    if notice.order_id:
        return _order_link(notice.order, f"notice-{notice.pk}")
    try:
        return notice.get_absolute_url()
    except NoReverseMatch:
        return ""


def _item(kind: str, title: str, link: str, due: dt.date | None, today: dt.date, icon: str) -> InboxItem:
    return InboxItem(kind=kind, title=title, link=link, due_date=due, overdue=due is not None and due < today, icon=icon)


def _notice_items(user, today: dt.date) -> list[InboxItem]:
    from liaison.orders import selectors

    if user.has_perm("production.issue_productionnotice"):
        notices = selectors.notices_due(today=today)  # the sales administrator follows every workshop
    elif (
        user.has_perm("production.progress_productionnotice")
        and user.department_id is not None
        and user.department.kind == DepartmentKind.WORKSHOP
    ):
        notices = selectors.notices_due(workshop_id=user.department_id, today=today)
    else:
        return []
    items = []
    for notice in notices:
        if notice.due_date < today:
            title = _("Production notice %(notice)s for %(workshop)s is %(days)s day(s) late") % {
                "notice": notice.number,
                "workshop": notice.workshop,
                "days": (today - notice.due_date).days,
            }
        else:
            title = _("Production notice %(notice)s for %(workshop)s is due") % {
                "notice": notice.number,
                "workshop": notice.workshop,
            }
        items.append(_item("notice_due", title, _notice_link(notice), notice.due_date, today, "precision_manufacturing"))
    return items


def _review_action_items(user, today: dt.date) -> list[InboxItem]:
    """The management review actions the user owns and has not reported done (one query)."""
    from liaison.management import selectors

    if not user.has_perm("management.change_reviewaction"):
        return []
    items = []
    for action in selectors.actions_open(owner=user, today=today):
        title = _("Management review %(meeting)s: %(action)s") % {
            "meeting": action.meeting.number,
            "action": action.description[:60],
        }
        link = action.meeting.get_absolute_url() + "#actions"
        items.append(_item("review_action", title, link, action.due_date, today, "task_alt"))
    return items


def _quality_items(user, today: dt.date) -> list[InboxItem]:
    """Complaints, returns and CAPA requests waiting on the user (R-5.5), one query per kind of work."""
    from django.utils import timezone

    from liaison.quality import capa_selectors
    from liaison.quality import selectors as quality

    def complaint_item(kind, title, complaint, anchor, icon, due=None):
        due = due or complaint.resolve_due
        link = reverse("quality:complaint", args=[complaint.pk]) + f"#{anchor}"
        overdue = complaint.is_overdue or due < today
        return InboxItem(kind=kind, title=title, link=link, due_date=due, overdue=overdue, icon=icon)

    def names(complaint) -> dict:
        return {"kind": complaint.get_kind_display(), "number": complaint.number, "customer": complaint.customer}

    items = []
    if user.has_perm("quality.acknowledge_complaint"):
        for complaint in quality.complaints_to_acknowledge():
            title = _("Acknowledge %(kind)s %(number)s of %(customer)s and pass it to QC") % names(complaint)
            due = timezone.localdate(complaint.acknowledge_due)
            items.append(complaint_item("complaint_acknowledge", title, complaint, "complaint-registration", "report", due))
    if user.has_perm("quality.investigate_complaint"):
        for complaint in quality.complaints_to_investigate():
            title = _("Investigate %(kind)s %(number)s of %(customer)s") % names(complaint)
            items.append(complaint_item("complaint_investigate", title, complaint, "investigation", "troubleshoot"))
        if user.has_perm("quality.issue_caparequest"):
            for complaint in quality.complaints_needing_capa():
                title = _("Issue a CAPA request for %(kind)s %(number)s of %(customer)s") % names(complaint)
                items.append(complaint_item("complaint_capa", title, complaint, "capas", "build_circle"))
        for complaint in quality.complaints_awaiting_result():
            title = _("Record the result of %(kind)s %(number)s of %(customer)s") % names(complaint)
            items.append(complaint_item("complaint_result", title, complaint, "result", "task_alt"))
    if user.has_perm("quality.change_returnline"):
        for complaint in quality.returns_to_inspect():
            title = _("Inspect the goods returned on %(number)s by %(customer)s") % names(complaint)
            items.append(complaint_item("return_inspect", title, complaint, "return-lines", "assignment_return"))
    if user.has_perm("quality.feedback_complaint"):
        for complaint in quality.complaints_to_feed_back():
            title = _("Feed the result of %(number)s back to %(customer)s") % names(complaint)
            items.append(complaint_item("complaint_feedback", title, complaint, "result", "reply"))
    if user.has_perm("quality.verify_caparequest"):
        for capa in capa_selectors.capa_to_verify(today=today):
            if capa.status == "implemented":
                title = _("Verify the execution of CAPA request %(number)s (%(department)s)")
            else:
                title = _("Verify the effectiveness of CAPA request %(number)s (%(department)s)")
            title %= {"number": capa.number, "department": capa.department}
            items.append(_item("capa_verify", title, capa.get_absolute_url(), capa.due_date, today, "verified"))
    if user.department_id is not None and user.has_perm("quality.implement_caparequest"):
        for capa in capa_selectors.capa_to_implement(department_id=user.department_id, today=today):
            title = _("Carry out CAPA request %(number)s for %(department)s: %(problem)s") % {
                "number": capa.number,
                "department": capa.department,
                "problem": capa.problem[:60],
            }
            items.append(_item("capa_implement", title, capa.get_absolute_url(), capa.due_date, today, "build_circle"))
    return items


def inbox_for(*, user) -> list[InboxItem]:
    """Return the work waiting on ``user``: overdue items first, then by due date (undated last)."""
    from liaison.orders import selectors

    if not user.is_authenticated:
        return []
    today = clock.today()
    items: list[InboxItem] = []
    if user.has_perm("orders.decide_reviewround"):
        for review in selectors.review_rounds_awaiting_decision():
            title = _("Decide the contract review of %(order)s (%(customer)s): %(signed)s of %(total)s signed") % {
                "order": review.order.number,
                "customer": review.order.customer,
                "signed": review.signed,
                "total": review.departments,
            }
            items.append(_item("decide", title, _order_link(review.order, "review"), review.first_required, today, "gavel"))
    if user.department_id is not None and user.has_perm("orders.change_reviewsignoff"):
        for sign_off in selectors.sign_offs_awaiting(department_id=user.department_id):
            order = sign_off.review_round.order
            title = _("Sign the contract review of %(order)s (%(customer)s) for %(department)s") % {
                "order": order.number,
                "customer": order.customer,
                "department": sign_off.department,
            }
            items.append(_item("sign_off", title, _order_link(order, "review"), sign_off.first_required, today, "draw"))
    if user.has_perm("orders.change_clarification"):
        for clarification in selectors.clarifications_open():
            title = _("Get the answer of %(customer)s on %(order)s: %(question)s") % {
                "customer": clarification.order.customer,
                "order": clarification.order.number,
                "question": clarification.question[:60],
            }
            link = _order_link(clarification.order, "clarifications")
            items.append(_item("clarification", title, link, clarification.first_required, today, "help"))
    items += _notice_items(user, today)
    items += _quality_items(user, today)
    items += _review_action_items(user, today)
    if user.has_perm("orders.change_order"):
        for order in selectors.orders_awaiting_reply():
            title = _("Reply the delivery date of %(order)s to %(customer)s") % {
                "order": order.number,
                "customer": order.customer,
            }
            items.append(_item("reply_owed", title, _order_link(order, "actions"), order.first_required, today, "reply"))
    if user.has_perm("orders.change_changeentry") and user.has_perm("production.issue_productionnotice"):
        for change in selectors.changes_to_apply():
            title = _("Apply agreed change %(change)s to %(order)s: issue the new production notice") % {
                "change": change.number,
                "order": change.order.number,
            }
            items.append(_item("change_apply", title, _order_link(change.order, "changes"), change.new_due_date, today, "published_with_changes"))
    return sorted(items, key=lambda item: (not item.overdue, item.due_date is None, item.due_date or dt.date.max))


def inbox_cached(request) -> list[InboxItem]:
    """The signed-in user's inbox, computed once per request (dashboard card and sidebar badge)."""
    if not hasattr(request, "_liaison_inbox"):
        request._liaison_inbox = inbox_for(user=request.user)
    return request._liaison_inbox


def inbox_badge(request) -> int | None:
    """The sidebar badge: how many items wait; nothing shown when none do."""
    return len(inbox_cached(request)) or None
