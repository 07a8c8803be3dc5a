"""Printed forms as PDF, for those allowed to read the record.

Each view refuses (403) a role without the record's view permission before reading it,
then, where an object rule narrows who reads which record (a workshop its own notices, a
department its own CAPA requests), refuses a record the rule keeps from the user.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.pages import require_page
from liaison.documents import selectors
from liaison.documents.printouts import communications, orders, quality, stock, surveys
from liaison.documents.printouts.review_pack import render_review_pack
from liaison.quality.report import selectors as complaint_report
from liaison.quality.report.errors import ACTIONS as REPORT_ACTIONS
from liaison.reviews.pack import pack_build
from liaison.reviews.rules import READ_PACK

PERM_F1 = "orders.view_order"
PERM_F2 = "orders.view_reviewround"
PERM_F3 = "orders.view_changeentry"
PERM_F4 = "production.view_productionnotice"  # object rule: a workshop lead reads its own workshop's
PERM_F5 = "communications.view_communicationrecord"
PERM_F8 = "stock.view_outboundslip"
PERM_F6 = "quality.view_complaint"
PERM_F7 = "quality.view_caparequest"  # object rule: a department reads its own requests
PERM_F10 = "satisfaction.view_surveyform"
PERM_REVIEW = "management.view_reviewmeeting"


def _language(request) -> str:
    """``?lang=`` when it names one of our languages, else the user's language."""
    wanted = request.GET.get("lang", "").lower()
    if wanted in {code for code, _name in settings.LANGUAGES}:
        return wanted
    return translation.get_language() or settings.LANGUAGE_CODE


def _load(loader, **kwargs):
    try:
        return loader(**kwargs)
    except ObjectDoesNotExist:
        raise Http404 from None


def _pdf(content: bytes, number: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=f"{number}.pdf")
    return response


@login_required
def f1_order(request, pk: int):
    require_page(request.user, PERM_F1)
    order = _load(selectors.order_for_f1, pk=pk)
    return _pdf(orders.render_f1(order, language=_language(request)), order.number)


@login_required
def f2_review_round(request, pk: int):
    require_page(request.user, PERM_F2)
    review_round = _load(selectors.review_round_for_f2, pk=pk)
    return _pdf(orders.render_f2(review_round, language=_language(request)), orders.f2_number(review_round))


@login_required
def f3_change_register(request, pk: int):
    require_page(request.user, PERM_F3)
    order = _load(selectors.order_for_f3, pk=pk)
    return _pdf(orders.render_f3(order, language=_language(request)), orders.f3_number(order))


@login_required
def f4_production_notice(request, pk: int):
    require_page(request.user, PERM_F4)
    notice = _load(selectors.notice_for_f4, pk=pk)
    require_page(request.user, PERM_F4, notice)
    return _pdf(orders.render_f4(notice, language=_language(request)), notice.number)


def _date_param(request, name: str, default: dt.date) -> dt.date:
    value = request.GET.get(name)
    if not value:
        return default
    return dt.date.fromisoformat(value)


@login_required
def f5_communication_record(request, pk: int):
    """F5 for one customer; ``?from=`` and ``?to=`` (inclusive) default to this year so far."""
    require_page(request.user, PERM_F5)
    customer = _load(selectors.customer_for_f5, pk=pk)
    today = clock.today()
    try:
        date_to = _date_param(request, "to", today)
        date_from = _date_param(request, "from", date_to.replace(month=1, day=1))
    except ValueError:
        return HttpResponseBadRequest(_("Dates must be written YYYY-MM-DD."))
    if date_from > date_to:
        return HttpResponseBadRequest(_("The period must not end before it starts."))
    records = selectors.communications_for_f5(customer=customer, date_from=date_from, date_to=date_to)
    content = communications.render_f5(
        customer, records, date_from=date_from, date_to=date_to, language=_language(request)
    )
    return _pdf(content, communications.f5_number(customer, date_from, date_to))


@login_required
def f8_outbound_slip(request, pk: int):
    require_page(request.user, PERM_F8)
    slip = _load(selectors.slip_for_f8, pk=pk)
    return _pdf(stock.render_f8(slip, language=_language(request)), slip.number)


@login_required
def f6_complaint(request, pk: int):
    require_page(request.user, PERM_F6)
    record = _load(selectors.complaint_for_f6, pk=pk)
    return _pdf(quality.render_f6(record, language=_language(request)), record.complaint.number)


@login_required
def f7_capa_request(request, pk: int):
    """F7 for whoever reads the request: QC, Sales, management; a department only its own (R-3.4)."""
    require_page(request.user, PERM_F7)
    capa = _load(selectors.capa_for_f7, pk=pk)
    require_page(request.user, PERM_F7, capa)
    return _pdf(quality.render_f7(capa, language=_language(request)), capa.number)


@login_required
def complaint_handling_report(request):
    """QC's complaint handling report (R-3.3); ``?start=`` and ``?end=`` default to the last six months."""
    require_page(request.user, REPORT_ACTIONS["view"])
    language = _language(request)
    try:
        start, end = complaint_report.report_period(start=request.GET.get("start"), end=request.GET.get("end"))
    except LiaisonError as error:
        with translation.override(language):
            return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    report = complaint_report.complaint_handling_report(start=start, end=end)
    return _pdf(quality.render_complaint_report(report, language=language), report.number)


@login_required
def f10_survey_form(request, pk: int):
    """F10 as sent (blank boxes, return-by day, answer link) or as returned; in the form's language by default."""
    require_page(request.user, PERM_F10)
    form = _load(selectors.form_for_f10, pk=pk)
    wanted = request.GET.get("lang", "").lower()
    language = wanted if wanted in {code for code, _name in settings.LANGUAGES} else form.language
    return _pdf(surveys.render_f10(form, language=language), form.number)


@login_required
def review_pack(request, pk: int):
    """The management review pack as one PDF (R-5.6.7), for those who may read its every source."""
    require_page(request.user, PERM_REVIEW)
    require_page(request.user, READ_PACK)
    review = _load(pack_build, meeting_pk=pk)
    return _pdf(render_review_pack(review, language=_language(request)), review.meeting.number)
