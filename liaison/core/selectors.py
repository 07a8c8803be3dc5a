"""Reads of the core app."""

import rules

from liaison.core.models import Attachment
from liaison.core.roles import Role, user_roles

INBOX_ON_DASHBOARD = 8


def dashboard_for(*, user, inbox=None) -> dict:
    """Return what the dashboard shows this user: their roles and each area's key figures."""
    from liaison.core.inbox import inbox_read
    from liaison.customers.selectors import customer_figures, timeline_recent
    from liaison.stock.selectors import stock_figures

    roles = user_roles(user)
    cards = []
    if user.has_perm("customers.view_customer"):
        cards.extend(customer_figures())
    if user.has_perm("stock.view_qualifiedstock"):
        cards.extend(stock_figures())
    recent = timeline_recent(limit=8) if user.has_perm("customers.view_timelineentry") else []
    inbox = inbox_read(user=user) if inbox is None else inbox
    return {
        "liaison_inbox": inbox.items[:INBOX_ON_DASHBOARD],
        "liaison_inbox_more": max(0, inbox.total - INBOX_ON_DASHBOARD),
        "liaison_roles": [Role(code).label for code in sorted(roles) if code in Role.values],
        "liaison_cards": cards,
        "liaison_recent": recent,
    }


def attachment_get(*, pk: int) -> Attachment:
    """One attachment with its owner's type (raises ``Attachment.DoesNotExist``)."""
    return Attachment.objects.select_related("owner_type").get(pk=pk)


def attachment_readable(*, user, attachment: Attachment) -> bool:
    """True when ``user`` may read attachments and the record the file belongs to.

    The owner's view permission is checked with the owner itself where an object
    rule exists (a workshop reads only its own notices' files).
    """
    owner = attachment.owner
    if owner is None or not user.has_perm("core.view_attachment"):
        return False
    perm = f"{owner._meta.app_label}.view_{owner._meta.model_name}"
    if not user.has_perm(perm):
        return False
    return user.has_perm(perm, owner) if rules.perm_exists(perm) else True
