"""Who is asking: the client's IP address, also behind the reverse proxy."""

from django.conf import settings


def client_ip(request) -> str | None:
    """Return the client's address: the proxy's X-Forwarded-For entry when behind one, else REMOTE_ADDR.

    Only the last entry is trusted: it is the one our proxy appended; earlier ones are
    whatever the client chose to send.
    """
    meta = getattr(request, "META", {})
    if getattr(settings, "LIAISON_BEHIND_PROXY", False):
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return meta.get("REMOTE_ADDR") or None
