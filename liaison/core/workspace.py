"""What each app puts in the clerk's workspace: inbox kinds, sidebar entries, dashboard cards.

The workspace app (``liaison.workspace``) draws them: my inbox, the sidebar and the
dashboard. Each app declares its own in its ``workspace.py`` with the functions below;
the workspace app imports those modules when Django starts (``autodiscover_modules``),
so no app imports the one that shows its work, and the apps' work shows in ``order``.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.urls import reverse

# --- my inbox ------------------------------------------------------------------------------------


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
class WorkKind:
    """One kind of work waiting on a user: its rows (most urgent first, not read yet) and how each reads."""

    kind: str
    label: str
    rows: QuerySet
    item: Callable[[object], InboxItem]
    more_link: str = ""


def inbox_item(kind: str, title: str, link: str, due: dt.date | None, today: dt.date, icon: str) -> InboxItem:
    """An item that is overdue once its due date has passed."""
    overdue = due is not None and due < today
    return InboxItem(kind=kind, title=title, link=link, due_date=due, overdue=overdue, icon=icon)


def list_link(name: str, query: str = "") -> str:
    """The address of a back-office list (``admin:…_changelist``), filtered by ``query``."""
    return reverse(name) + (f"?{query}" if query else "")


# (order, provider): a provider gives the kinds of work of one area that can wait on ``user``.
_inbox: list[tuple[int, Callable[[object, dt.date], list[WorkKind]]]] = []


def inbox_kinds(*, order: int):
    """Register ``provider(user, today) -> [WorkKind]``: an area's kinds of work, in ``order``."""

    def register(provider):
        _inbox.append((order, provider))
        _inbox.sort(key=lambda entry: entry[0])
        return provider

    return register


def work_kinds(user, today: dt.date) -> list[WorkKind]:
    """Every kind of work that can wait on ``user``, area by area (no query yet)."""
    return [kind for _order, provider in _inbox for kind in provider(user, today)]


# --- the sidebar ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SidebarGroup:
    key: str
    title: str
    order: int


@dataclass(frozen=True)
class SidebarEntry:
    """A link in the sidebar. ``permission``: a permission name, or ``check(request) -> bool``; None shows it to all."""

    group: str
    title: str
    icon: str
    link: object  # a URL (lazy), or ``link(request) -> str``
    order: int
    permission: str | Callable | None = None
    badge: str | None = None  # dotted path of ``badge(request) -> int | None``


_groups: dict[str, SidebarGroup] = {}
_entries: list[SidebarEntry] = []


def sidebar_group(key: str, title: str, *, order: int) -> None:
    """Declare a group of the sidebar (an area of the procedure)."""
    _groups[key] = SidebarGroup(key=key, title=title, order=order)


def sidebar_entry(group: str, title: str, *, icon: str, link, order: int, permission=None, badge=None) -> None:
    """Add a link to a group of the sidebar, at ``order`` within it."""
    _entries.append(
        SidebarEntry(group=group, title=title, icon=icon, link=link, order=order, permission=permission, badge=badge)
    )


def sidebar_layout() -> list[tuple[SidebarGroup, list[SidebarEntry]]]:
    """The groups in order, each with its entries in order; groups without an entry are left out.

    An entry for a group nobody declared is a mistake in an app's ``workspace.py``: it is said, not dropped.
    """
    unknown = sorted({entry.group for entry in _entries} - set(_groups))
    if unknown:
        raise ImproperlyConfigured(f"Sidebar entries name undeclared groups: {', '.join(unknown)}")
    layout = []
    for group in sorted(_groups.values(), key=lambda group: group.order):
        entries = sorted((entry for entry in _entries if entry.group == group.key), key=lambda entry: entry.order)
        if entries:
            layout.append((group, entries))
    return layout


# --- the dashboard -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardCard:
    """A figure on the dashboard, linking to the list behind it (a URL name)."""

    title: str
    value: int
    link: str
    note: str = ""
    danger: bool = False


@dataclass(frozen=True)
class DashboardPanel:
    """A wider part of the dashboard (a chart), drawn by ``template`` with ``context``."""

    template: str
    context: dict


_cards: list[tuple[int, Callable[[object], list[DashboardCard]]]] = []
_panels: list[tuple[int, Callable[[object], DashboardPanel | None]]] = []


def dashboard_cards(*, order: int):
    """Register ``provider(user) -> [DashboardCard]``: an area's figures, in ``order``."""

    def register(provider):
        _cards.append((order, provider))
        _cards.sort(key=lambda entry: entry[0])
        return provider

    return register


def dashboard_panel(*, order: int):
    """Register ``provider(user) -> DashboardPanel | None``: an area's chart, in ``order``."""

    def register(provider):
        _panels.append((order, provider))
        _panels.sort(key=lambda entry: entry[0])
        return provider

    return register


def cards_for(user) -> list[DashboardCard]:
    return [card for _order, provider in _cards for card in provider(user)]


def panels_for(user) -> list[DashboardPanel]:
    return [panel for _order, provider in _panels if (panel := provider(user)) is not None]
