"""My inbox: what waits on the signed-in user, by role, overdue first.

Each app declares the kinds of work it puts in the inbox (``<app>/workspace.py``); each
kind is one query reading at most the most urgent few, so the inbox page costs a fixed
number of queries however much is waiting. How many wait in all is one more query,
counting every kind at once (the sidebar badge, and the "and K more" of a kind with more
than the page lists).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Func, QuerySet, Subquery

from liaison.core import clock
from liaison.core.models import User
from liaison.core.workspace import InboxItem, WorkKind, work_kinds

# The inbox page lists this many of each kind of work, most urgent first, then "and K more".
INBOX_PER_KIND = 20


@dataclass(frozen=True)
class InboxMore:
    """More work of one kind than the page lists: how many more, and the list that shows them."""

    kind: str
    label: str
    count: int
    link: str


@dataclass
class Inbox:
    """The most urgent items of each kind (overdue first, then by due date) and how many wait in all."""

    items: list[InboxItem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    more: list[InboxMore] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _sort(items: list[InboxItem]) -> list[InboxItem]:
    return sorted(items, key=lambda item: (not item.overdue, item.due_date is None, item.due_date or dt.date.max))


def _count(rows: QuerySet) -> Subquery:
    """``SELECT COUNT(*)`` of ``rows`` as a subquery: no join, no computed column, no order."""
    counted = rows.order_by().annotate(_inbox_count=Func(F("pk"), function="COUNT")).values("_inbox_count")
    return Subquery(counted)


def _counts(user, kinds: list[WorkKind]) -> dict[str, int]:
    """How many rows each kind has, all in one query (none when there is no kind)."""
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
    return _counts(user, work_kinds(user, clock.today()))


def inbox_read(*, user, limit: int | None = None, counts: dict[str, int] | None = None) -> Inbox:
    """The ``limit`` (``INBOX_PER_KIND``) most urgent items of each kind of work, overdue first, and how many wait.

    One query per kind, plus one counting the kinds that have more than ``limit``
    (none when every kind fits, or when ``counts`` are given).
    """
    if not user.is_authenticated:
        return Inbox()
    limit = INBOX_PER_KIND if limit is None else limit
    inbox = Inbox()
    overflowing = []
    for kind in work_kinds(user, clock.today()):
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
    return _sort([kind.item(row) for kind in work_kinds(user, today) for row in kind.rows])


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
