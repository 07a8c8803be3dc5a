"""Writing the security log (and the ``liaison.security`` logger beside it)."""

import ipaddress
import logging

from liaison.security.client import client_ip
from liaison.security.models import SecurityEvent
from liaison.security.states import SecurityEventKind

logger = logging.getLogger("liaison.security")


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None


def security_event_record(
    *,
    kind: SecurityEventKind,
    request=None,
    user=None,
    username: str = "",
    status_code: int | None = None,
) -> SecurityEvent:
    """Record one security event with who, from where, on which path, and log it."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    if user is not None and not username:
        username = user.get_username()
    event = SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or "")[:150],
        ip_address=_valid_ip(client_ip(request)) if request is not None else None,
        method=(getattr(request, "method", "") or "")[:10],
        path=(getattr(request, "path", "") or "")[:500],
        status_code=status_code,
    )
    logger.log(
        logging.WARNING if kind != SecurityEventKind.LOGIN and kind != SecurityEventKind.LOGOUT else logging.INFO,
        "%s user=%s ip=%s %s %s %s",
        kind,
        event.username or "-",
        event.ip_address or "-",
        event.method,
        event.path,
        status_code or "",
    )
    return event
