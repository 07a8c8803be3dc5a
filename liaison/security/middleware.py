"""Every refused request (401/403, from pages and the API) goes to the security log."""

from liaison.security.services import security_event_record
from liaison.security.states import SecurityEventKind

REFUSED = frozenset({401, 403})


class RefusedAccessLogMiddleware:
    """Record who was refused what; the response itself is passed on unchanged."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in REFUSED:
            security_event_record(
                kind=SecurityEventKind.ACCESS_REFUSED, request=request, status_code=response.status_code
            )
        return response
