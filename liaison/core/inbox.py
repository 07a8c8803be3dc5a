"""My inbox: what waits on the signed-in user, by role, overdue first.

Each kind of work is one query (see the ``orders`` selectors) reading at most the most
urgent few of that kind, so the inbox page costs a fixed number of queries however much
is waiting; how many wait in all is one more query, counting every kind at once (the
sidebar badge, and the "and K more" of a kind with more than the page lists).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import F, Func, QuerySet, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from liaison.core import clock
from liaison.core.states import DepartmentKind

# The inbox page lists this many of each kind of work, most urgent first, then "and K more".
INBOX_PER_KIND = 20


@dataclass(frozen=True)
class InboxItem:
    """One piece of work: what to do, where, by when."""

    kind: str
    title: str
    link: str
    due_date: dt.date | None
    overdue: bool
    icon: str = "inbox"


@dataclass(frozen=True)
class InboxMore:
    """More work of one kind than the page lists: how many more, and the list that shows them."""

    kind: str
    label: str
    count: int
    link: str


@dataclass(frozen=True)
class _Kind:
    """One kind of work waiting on the user: its rows (most urgent first) and how each becomes an item."""

    kind: str
    label: str
    rows: QuerySet
    item: Callable[[object], InboxItem]
    more_link: str = ""


@dataclass
class Inbox:
    """The most urgent items of each kind (overdue first, then by due date) and how many wait in all."""

    items: list[InboxItem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    more: list[InboxMore] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _order_link(order, anchor: str = "") -> str:
    return reverse("orders:detail", args=[order.pk]) + (f"#{anchor}" if anchor else "")


def _notice_link(notice) -> str:
    if notice.order_id:
        return _order_link(notice.order, f"notice-{notice.pk}")
    try:
        return notice.get_absolute_url()
    except NoReverseMatch:
        return ""


def _list_link(name: str, query: str = "") -> str:
    return reverse(name) + (f"?{query}" if query else "")


def _item(kind: str, title: str, link: str, due: dt.date | None, today: dt.date, icon: str) -> InboxItem:
    return InboxItem(kind=kind, title=title, link=link, due_date=due, overdue=due is not None and due < today, icon=icon)


def _notice_kinds(user, today: dt.date) -> list[_Kind]:
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

    def item(notice) -> InboxItem:
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
        return _item("notice_due", title, _notice_link(notice), notice.due_date, today, "precision_manufacturing")

    link = _list_link("admin:production_productionnotice_changelist")
    return [_Kind("notice_due", _("production notices due"), notices, item, link)]


def _review_action_kinds(user, today: dt.date) -> list[_Kind]:
    """The management review actions the user owns and has not reported done (one query)."""
    from liaison.management import selectors

    if not user.has_perm("management.change_reviewaction"):
        return []

    def item(action) -> InboxItem:
        title = _("Management review %(meeting)s: %(action)s") % {
            "meeting": action.meeting.number,
            "action": action.description[:60],
        }
        link = action.meeting.get_absolute_url() + "#actions"
        return _item("review_action", title, link, action.due_date, today, "task_alt")

    link = _list_link("admin:management_reviewaction_changelist", f"status__exact=open&owner__id__exact={user.pk}")
    rows = selectors.actions_open(owner=user, today=today)
    return [_Kind("review_action", _("management review actions"), rows, item, link)]


def _quality_kinds(user, today: dt.date) -> list[_Kind]:
    """Complaints, returns and CAPA requests waiting on the user (R-5.5), one query per kind of work."""
    from django.utils import timezone

    from liaison.quality import capa_selectors
    from liaison.quality import selectors as quality

    complaints = "admin:quality_complaint_changelist"
    capas = "admin:quality_caparequest_changelist"

    def names(complaint) -> dict:
        return {"kind": complaint.get_kind_display(), "number": complaint.number, "customer": complaint.customer}

    def complaint_kind(kind, label, rows, text, anchor, icon, link, acknowledge=False):
        def item(complaint) -> InboxItem:
            due = timezone.localdate(complaint.acknowledge_due) if acknowledge else complaint.resolve_due
            target = reverse("quality:complaint", args=[complaint.pk]) + f"#{anchor}"
            overdue = complaint.is_overdue or due < today
            return InboxItem(kind=kind, title=text % names(complaint), link=target, due_date=due, overdue=overdue, icon=icon)

        return _Kind(kind, label, rows, item, _list_link(complaints, link))

    kinds = []
    if user.has_perm("quality.acknowledge_complaint"):
        rows = quality.complaints_to_acknowledge().order_by("-is_overdue", "acknowledge_due", "pk")
        text = _("Acknowledge %(kind)s %(number)s of %(customer)s and pass it to QC")
        kinds.append(
            complaint_kind(
                "complaint_acknowledge", _("complaints to acknowledge"), rows, text, "complaint-registration",
                "report", "status__exact=registered", acknowledge=True,
            )
        )
    if user.has_perm("quality.investigate_complaint"):
        text = _("Investigate %(kind)s %(number)s of %(customer)s")
        kinds.append(
            complaint_kind(
                "complaint_investigate", _("complaints to investigate"), quality.complaints_to_investigate(), text,
                "investigation", "troubleshoot", "status__exact=acknowledged",
            )
        )
        if user.has_perm("quality.issue_caparequest"):
            text = _("Issue a CAPA request for %(kind)s %(number)s of %(customer)s")
            kinds.append(
                complaint_kind(
                    "complaint_capa", _("complaints needing a CAPA request"), quality.complaints_needing_capa(), text,
                    "capas", "build_circle", "status__exact=investigated&company_at_fault__exact=1",
                )
            )
        text = _("Record the result of %(kind)s %(number)s of %(customer)s")
        kinds.append(
            complaint_kind(
                "complaint_result", _("results to record"), quality.complaints_awaiting_result(), text, "result",
                "task_alt", "status__exact=investigated",
            )
        )
    if user.has_perm("quality.change_returnline"):
        text = _("Inspect the goods returned on %(number)s by %(customer)s")
        kinds.append(
            complaint_kind(
                "return_inspect", _("returns to inspect"), quality.returns_to_inspect(), text, "return-lines",
                "assignment_return", "kind__exact=return",
            )
        )
    if user.has_perm("quality.feedback_complaint"):
        text = _("Feed the result of %(number)s back to %(customer)s")
        kinds.append(
            complaint_kind(
                "complaint_feedback", _("results to feed back"), quality.complaints_to_feed_back(), text, "result",
                "reply", "status__exact=result_recorded",
            )
        )
    if user.has_perm("quality.verify_caparequest"):

        def verify(capa) -> InboxItem:
            if capa.status == "implemented":
                title = _("Verify the execution of CAPA request %(number)s (%(department)s)")
            else:
                title = _("Verify the effectiveness of CAPA request %(number)s (%(department)s)")
            title %= {"number": capa.number, "department": capa.department}
            return _item("capa_verify", title, capa.get_absolute_url(), capa.due_date, today, "verified")

        rows = capa_selectors.capa_to_verify(today=today)
        kinds.append(_Kind("capa_verify", _("CAPA requests to verify"), rows, verify, _list_link(capas)))
    if user.department_id is not None and user.has_perm("quality.implement_caparequest"):

        def implement(capa) -> InboxItem:
            title = _("Carry out CAPA request %(number)s for %(department)s: %(problem)s") % {
                "number": capa.number,
                "department": capa.department,
                "problem": capa.problem[:60],
            }
            return _item("capa_implement", title, capa.get_absolute_url(), capa.due_date, today, "build_circle")

        rows = capa_selectors.capa_to_implement(department_id=user.department_id, today=today)
        link = _list_link(capas, f"status__exact=issued&department__id__exact={user.department_id}")
        kinds.append(_Kind("capa_implement", _("CAPA requests to carry out"), rows, implement, link))
    return kinds


def _kinds(user, today: dt.date) -> list[_Kind]:
    """Every kind of work that can wait on ``user``, with its rows most urgent first (no query yet)."""
    from liaison.orders import selectors

    orders = "admin:orders_order_changelist"
    rounds = "admin:orders_reviewround_changelist"
    kinds: list[_Kind] = []
    if user.has_perm("orders.decide_reviewround"):

        def decide(review) -> InboxItem:
            title = _("Decide the contract review of %(order)s (%(customer)s): %(signed)s of %(total)s signed") % {
                "order": review.order.number,
                "customer": review.order.customer,
                "signed": review.signed,
                "total": review.departments,
            }
            return _item("decide", title, _order_link(review.order, "review"), review.first_required, today, "gavel")

        rows = selectors.review_rounds_awaiting_decision()
        kinds.append(_Kind("decide", _("contract reviews to decide"), rows, decide, _list_link(rounds, "status__exact=open")))
    if user.department_id is not None and user.has_perm("orders.change_reviewsignoff"):

        def sign(sign_off) -> InboxItem:
            order = sign_off.review_round.order
            title = _("Sign the contract review of %(order)s (%(customer)s) for %(department)s") % {
                "order": order.number,
                "customer": order.customer,
                "department": sign_off.department,
            }
            return _item("sign_off", title, _order_link(order, "review"), sign_off.first_required, today, "draw")

        rows = selectors.sign_offs_awaiting(department_id=user.department_id)
        kinds.append(_Kind("sign_off", _("contract reviews to sign"), rows, sign, _list_link(rounds, "status__exact=open")))
    if user.has_perm("orders.change_clarification"):

        def clarify(clarification) -> InboxItem:
            title = _("Get the answer of %(customer)s on %(order)s: %(question)s") % {
                "customer": clarification.order.customer,
                "order": clarification.order.number,
                "question": clarification.question[:60],
            }
            link = _order_link(clarification.order, "clarifications")
            return _item("clarification", title, link, clarification.first_required, today, "help")

        kinds.append(_Kind("clarification", _("questions awaiting an answer"), selectors.clarifications_open(), clarify))
    kinds += _notice_kinds(user, today)
    kinds += _quality_kinds(user, today)
    kinds += _review_action_kinds(user, today)
    if user.has_perm("orders.change_order"):

        def reply(order) -> InboxItem:
            title = _("Reply the delivery date of %(order)s to %(customer)s") % {
                "order": order.number,
                "customer": order.customer,
            }
            return _item("reply_owed", title, _order_link(order, "actions"), order.first_required, today, "reply")

        rows = selectors.orders_awaiting_reply()
        kinds.append(_Kind("reply_owed", _("delivery dates to reply"), rows, reply, _list_link(orders, "status__exact=accepted")))
    if user.has_perm("orders.change_changeentry") and user.has_perm("production.issue_productionnotice"):

        def apply(change) -> InboxItem:
            title = _("Apply agreed change %(change)s to %(order)s: issue the new production notice") % {
                "change": change.number,
                "order": change.order.number,
            }
            link = _order_link(change.order, "changes")
            return _item("change_apply", title, link, change.new_due_date, today, "published_with_changes")

        link = _list_link("admin:orders_changeentry_changelist", "status__exact=agreed")
        kinds.append(_Kind("change_apply", _("agreed changes to apply"), selectors.changes_to_apply(), apply, link))
    return kinds


def _sort(items: list[InboxItem]) -> list[InboxItem]:
    return sorted(items, key=lambda item: (not item.overdue, item.due_date is None, item.due_date or dt.date.max))


def _count(rows: QuerySet) -> Subquery:
    """``SELECT COUNT(*)`` of ``rows`` as a subquery: no join, no computed column, no order."""
    counted = rows.order_by().annotate(_inbox_count=Func(F("pk"), function="COUNT")).values("_inbox_count")
    return Subquery(counted)


def _counts(user, kinds: list[_Kind]) -> dict[str, int]:
    """How many rows each kind has, all in one query (none when there is no kind)."""
    from liaison.core.models import User

    if not kinds:
        return {}
    names = {f"n{index}": kind.kind for index, kind in enumerate(kinds)}
    row = User.objects.filter(pk=user.pk).values(
        **{name: _count(kind.rows) for name, kind in zip(names, kinds, strict=True)}
    ).get()
    return {names[name]: value for name, value in row.items()}


def inbox_counts(*, user) -> dict[str, int]:
    """How much of each kind of work waits on ``user``: one query (none without any kind of work)."""
    if not user.is_authenticated:
        return {}
    return _counts(user, _kinds(user, clock.today()))


def inbox_read(*, user, limit: int | None = None, counts: dict[str, int] | None = None) -> Inbox:
    """The ``limit`` (``INBOX_PER_KIND``) most urgent items of each kind of work, overdue first, and how many wait.

    One query per kind, plus one counting the kinds that have more than ``limit``
    (none when every kind fits, or when ``counts`` are given).
    """
    if not user.is_authenticated:
        return Inbox()
    limit = INBOX_PER_KIND if limit is None else limit
    today = clock.today()
    inbox = Inbox()
    overflowing = []
    for kind in _kinds(user, today):
        rows = list(kind.rows[: limit + 1])
        inbox.items += [kind.item(row) for row in rows[:limit]]
        inbox.counts[kind.kind] = len(rows)
        if len(rows) > limit:
            overflowing.append(kind)
    if overflowing:
        inbox.counts.update(counts if counts is not None else _counts(user, overflowing))
    for kind in overflowing:
        count = inbox.counts.get(kind.kind, 0)
        if count > limit:
            inbox.more.append(InboxMore(kind=kind.kind, label=kind.label, count=count - limit, link=kind.more_link))
    inbox.items = _sort(inbox.items)
    return inbox


def inbox_for(*, user, limit: int | None = None) -> list[InboxItem]:
    """Return the work waiting on ``user``: overdue items first, then by due date (undated last).

    Every item without ``limit`` (one query per kind of work); with it, the ``limit`` most
    urgent of each kind.
    """
    if not user.is_authenticated:
        return []
    if limit is not None:
        return inbox_read(user=user, limit=limit).items
    today = clock.today()
    return _sort([kind.item(row) for kind in _kinds(user, today) for row in kind.rows])


def inbox_cached(request) -> Inbox:
    """The signed-in user's inbox (the most urgent of each kind), read once per request.

    The inbox page, the dashboard card and the sidebar badge share it; the badge's count
    reuses it when it was read before the badge.
    """
    if not hasattr(request, "_liaison_inbox"):
        request._liaison_inbox = inbox_read(user=request.user, counts=getattr(request, "_liaison_inbox_counts", None))
    return request._liaison_inbox


def inbox_badge(request) -> int | None:
    """The sidebar badge: how many items wait (one counting query); nothing shown when none do."""
    if hasattr(request, "_liaison_inbox"):
        return request._liaison_inbox.total or None
    if not hasattr(request, "_liaison_inbox_counts"):
        request._liaison_inbox_counts = inbox_counts(user=request.user)
    return sum(request._liaison_inbox_counts.values()) or None
