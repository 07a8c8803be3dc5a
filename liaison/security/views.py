"""The page shown to someone locked out after repeated failed sign-ins."""

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from liaison.core.pages import page_context


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed sign-ins with this user name from this computer. Sign-in is blocked for "
        "%(minutes)s minutes; try again later or ask an administrator to unlock the account."
    ) % {"minutes": minutes}


def lockout(request, original_response=None, credentials=None):
    """Answer a locked-out sign-in: the login page with the reason (API: the error format), status 429."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    message = lockout_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "message": message, "fields": {}}, status=status)
    username = (credentials or {}).get("username", "") or request.POST.get("username", "")
    messages.error(request, message)
    context = page_context(
        request,
        title=_("Log in"),
        app_path=request.get_full_path(),
        form=AdminAuthenticationForm(request, initial={"username": username}),
        username=username,
    )
    return TemplateResponse(request, "admin/login.html", context, status=status).render()
