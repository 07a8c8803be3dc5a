"""Pages of the satisfaction app: the customer's public answer page (no login).

The round and form pages for staff are built on the analysis selectors elsewhere.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from liaison.core.errors import LiaisonError
from liaison.satisfaction import services
from liaison.satisfaction.states import SCORE_MAX, SCORE_MIN

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def _language(request: HttpRequest, form) -> str:
    """The language asked for with ``?lang=`` (the page's switch), else the form's."""
    asked = (request.POST.get("lang") or request.GET.get("lang") or "").lower()
    if asked in LANGUAGE_CODES:
        return asked
    return form.language if form is not None else services.DEFAULT_FORM_LANGUAGE


def _page(request, form, language, *, status=200, **context) -> HttpResponse:
    context.setdefault("form", form)
    context.update(
        language=language,
        languages=settings.LANGUAGES,
        scale=range(SCORE_MIN, SCORE_MAX + 1),
        criteria=[{"code": c.code, "label": c.label(language)} for c in form.template.criteria.all()] if form else [],
    )
    with translation.override(language):
        return render(request, "satisfaction/answer.html", context, status=status)


@csrf_protect
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The survey form F10 for the customer, through its private link."""
    try:
        form = services.form_by_token(token)
    except LiaisonError as error:
        language = _language(request, None)
        with translation.override(language):
            return _page(request, None, language, status=404, refusal=str(error))
    language = _language(request, form)
    with translation.override(language):
        if request.method == "GET" and request.GET.get("done") and form.returned_on is not None:
            return _page(request, form, language, thanks=True)
        refusal = services.form_refusal(form)
        if refusal is not None:
            return _page(request, form, language, status=410 if refusal.code == "form_expired" else 409,
                         refusal=str(refusal))
        if request.method == "GET":
            return _page(request, form, language, answers={}, comments="")
        answers = {
            code: request.POST[f"score_{code}"]
            for code in form.template.criteria.values_list("code", flat=True)
            if request.POST.get(f"score_{code}")
        }
        comments = request.POST.get("comments", "")
        try:
            services.form_answer_online(token=token, scores=answers, comments=comments)
        except LiaisonError as error:
            return _page(request, form, language, status=400, error=str(error), answers=answers, comments=comments)
    return redirect(f"{request.path}?lang={language}&done=1")
