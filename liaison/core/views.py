"""Pages of the core app: the per-user language switch, attachments."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from liaison.core import selectors
from liaison.core.models import Attachment


@require_POST
@login_required
def account_language(request):
    """Save the chosen language on the user and switch to it at once."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    user = request.user
    if user.language != language:
        user.language = language
        user._change_reason = "Language switched"
        user.save(update_fields=["language"])
    translation.activate(language)
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response


def attachment_response(request, attachment: Attachment) -> FileResponse:
    """Stream ``attachment`` to a user allowed to read it and its record (403 otherwise)."""
    if not selectors.attachment_readable(user=request.user, attachment=attachment):
        raise PermissionDenied
    response = FileResponse(
        attachment.file.open("rb"),
        filename=attachment.original_name,
        content_type=attachment.mime_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def attachment_download(request, pk: int):
    """Show an attached scan, photo or PDF, never through a public media URL."""
    try:
        attachment = selectors.attachment_get(pk=pk)
    except Attachment.DoesNotExist:
        raise Http404 from None
    return attachment_response(request, attachment)
