"""Reads of the core app."""

from liaison.core.roles import Role, user_roles

INBOX_ON_DASHBOARD = 8


def dashboard_for(*, user, inbox=None) -> dict:
    """Return what the dashboard shows this user: their roles and each area's key figures."""
    from liaison.core.inbox import inbox_for
    from liaison.customers.selectors import customer_figures, timeline_recent
    from liaison.stock.selectors import stock_figures

    roles = user_roles(user)
    cards = []
    if user.has_perm("customers.view_customer"):
        cards.extend(customer_figures())
    if user.has_perm("stock.view_qualifiedstock"):
        cards.extend(stock_figures())
    recent = timeline_recent(limit=8) if user.has_perm("customers.view_timelineentry") else []
    inbox = inbox_for(user=user) if inbox is None else inbox
    return {
        "liaison_inbox": inbox[:INBOX_ON_DASHBOARD],
        "liaison_inbox_more": max(0, len(inbox) - INBOX_ON_DASHBOARD),
        "liaison_roles": [Role(code).label for code in sorted(roles) if code in Role.values],
        "liaison_cards": cards,
        "liaison_recent": recent,
    }
