"""Pages of the satisfaction surveys: the customer's answer page, and the staff pages.

The customer answers through the private link in the survey e-mail (no login). Staff
read the rounds, one round with its forms and analysis, the analysis page and one form
F10. Each step posts to its own small view (``core.pages``) that calls one service and
redirects back with a message; when the service refuses, the page is shown again with
the error on that form and everything typed still in it (403 when the refusal is about
who the user is); a role the step is not for gets 403 before anything is read. Sales
acts; QC and top management read (QC also raises the CAPA request of a dissatisfied
customer, R-5.6.6).
"""

import datetime as dt
import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from liaison.core import clock, procedure
from liaison.core.errors import LiaisonError
from liaison.core.pages import Done, RecordPage, page_context, show_refused
from liaison.core.roles import allowed
from liaison.quality.capa.forms import CapaIssueForm
from liaison.satisfaction import analysis, selectors, services
from liaison.satisfaction.dates import add_months
from liaison.satisfaction.errors import ACTIONS, Code
from liaison.satisfaction.forms import ChaseForm, ComplaintForm, EnterForm, PlanForm, RecordForm, SendForm, VoidForm
from liaison.satisfaction.models import QuestionnaireTemplate, SurveyForm, SurveyRound
from liaison.satisfaction.states import (
    FORM_COUNTED,
    FORM_OPEN,
    FORM_UNRETURNED,
    ROUND_SENDABLE,
    SCORE_MAX,
    SCORE_MIN,
    ChaseChannel,
    FormState,
    RoundStatus,
)

VIEW = "satisfaction.view_surveyround"
VIEW_FORM = "satisfaction.view_surveyform"
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
# Forms the round page lists per page (a round may hold 50 000).
PER_PAGE = 50
# Chart colours (hex: Chart.js does not read the theme's oklch variables).
BLUE, RED, AMBER, GREEN, GREY = "#0284c7", "#dc2626", "#f59e0b", "#16a34a", "#94a3b8"
SCORE_COLOURS = [RED, "#f97316", AMBER, "#84cc16", GREEN]


# --- the customer's answer page (public, no login) -----------------------------------------------


def _language(request: HttpRequest, form) -> str:
    """The language asked for with ``?lang=`` (the page's switch), else the form's."""
    asked = (request.POST.get("lang") or request.GET.get("lang") or "").lower()
    if asked in LANGUAGE_CODES:
        return asked
    return form.language if form is not None else services.DEFAULT_FORM_LANGUAGE


def _answer_page(request, form, language, *, status=200, **context) -> HttpResponse:
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
            return _answer_page(request, None, language, status=404, refusal=str(error))
    language = _language(request, form)
    with translation.override(language):
        if request.method == "GET" and request.GET.get("done") and form.returned_on is not None:
            return _answer_page(request, form, language, thanks=True)
        refusal = services.form_refusal(form)
        if refusal is not None:
            return _answer_page(request, form, language, status=410 if refusal.code == Code.FORM_EXPIRED else 409,
                                refusal=str(refusal))
        if request.method == "GET":
            return _answer_page(request, form, language, answers={}, comments="")
        answers = {
            code: request.POST[f"score_{code}"]
            for code in form.template.criteria.values_list("code", flat=True)
            if request.POST.get(f"score_{code}")
        }
        comments = request.POST.get("comments", "")
        try:
            services.form_answer_online(token=token, scores=answers, comments=comments)
        except LiaisonError as error:
            return _answer_page(request, form, language, status=400, error=str(error), answers=answers,
                                comments=comments)
    return redirect(f"{request.path}?lang={language}&done=1")


# --- the rounds ----------------------------------------------------------------------------------


def _render_rounds(request, page=None, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    today = clock.today()
    rounds = (
        SurveyRound.objects.select_related("meeting")
        .annotate(
            sent=Count("forms", filter=Q(forms__sent_at__isnull=False)),
            returned=Count(
                "forms",
                filter=Q(forms__returned_on__isnull=False, forms__voided_at__isnull=True)
                & (Q(forms__valid_until__isnull=True) | Q(forms__returned_on__lte=F("forms__valid_until"))),
            ),
            chased=Count("forms", filter=Q(forms__chased_at__isnull=False)),
            void=Count(
                "forms",
                filter=Q(forms__voided_at__isnull=False)
                | Q(forms__returned_on__isnull=False, forms__returned_on__gt=F("forms__valid_until")),
            ),
        )
        .order_by("-planned_send_on", "-pk")
    )
    can = show_refused(
        {"plan": allowed(request.user, ACTIONS["plan"]), "record": allowed(request.user, ACTIONS["record"])}, bound
    )
    record_query = request.GET.get("record_q", "").strip()[:100]
    record_form = bound.get("record") or (
        RecordForm(prefix="record", **_record_kwargs(None)) if can["record"] else None
    )
    if record_form is not None:
        record_form.offer(record_query)
    context = page_context(
        request,
        title=_("Customer satisfaction survey rounds"),
        opts=SurveyRound._meta,
        rounds=rounds,
        gaps=selectors.half_years_without_round(today=today),
        today=today,
        can_plan=can["plan"],
        plan_form=bound.get("plan") or (PlanForm(prefix="plan") if can["plan"] else None),
        record_form=record_form,
        record_query=record_query,
        analysis_url=reverse("satisfaction:analysis"),
        forms_url=reverse("admin:satisfaction_surveyform_changelist"),
    )
    return render(request, "satisfaction/rounds.html", context, status=status)


# The rounds list is the page of the plan step, which sends the clerk to the round it planned.
rounds_page = RecordPage(
    load=lambda request: None, render=_render_rounds, url=lambda _page: reverse("satisfaction:rounds"), permission=VIEW
)
round_list = rounds_page.view(
    "Every survey round with its counts; a warning for each half-year without a round sent (R-5.6.3)."
)


@rounds_page.step("plan", form=PlanForm, actions=[ACTIONS["plan"]])
def round_plan(request, page, form):
    """Sales plans the survey round of a management review, two months before it (R-5.6.3)."""
    survey_round = services.round_plan(meeting=form.cleaned_data["meeting"], actor=request.user)
    message = _("Survey round %(number)s is planned; it goes out on %(day)s.") % {
        "number": survey_round.number, "day": survey_round.planned_send_on.isoformat(),
    }
    return Done(message, survey_round.get_absolute_url())


def _record_kwargs(_page) -> dict:
    """The record form's questions: the active questionnaire's criteria (the one ``satisfaction_record`` uses)."""
    template = QuestionnaireTemplate.objects.filter(active=True).order_by("pk").first()
    return {"criteria": template.criteria.all() if template is not None else []}


@rounds_page.step("record", form=RecordForm, anchor="record", actions=[ACTIONS["record"]], form_kwargs=_record_kwargs)
def satisfaction_record(request, page, form):
    """Sales enters satisfaction heard in an interview or read in customer feedback on a form F10 (R-5.6.5)."""
    data = form.cleaned_data
    recorded = services.satisfaction_record(
        customer=data["customer"], source=data["source"], channel=data["channel"], scores=form.scores(),
        comments=data["comments"], comment_is_complaint=data["comment_is_complaint"],
        occurred_on=data["occurred_on"], actor=request.user,
    )
    return Done(_("%(number)s is entered and counted.") % {"number": recorded.number}, recorded.get_absolute_url())


# --- one round -----------------------------------------------------------------------------------


def _round_or_404(pk: int) -> SurveyRound:
    try:
        return SurveyRound.objects.select_related("meeting", "template").get(pk=pk)
    except SurveyRound.DoesNotExist:
        raise Http404 from None


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def chart_data(result: analysis.RoundAnalysis) -> dict[str, str]:
    """The three charts of the analysis as unfold's chart components read them (JSON in data attributes)."""
    threshold = result.threshold
    criteria = {
        "labels": [c.label for c in result.criteria],
        "datasets": [
            {
                "label": _("Mean score"),
                "data": [c.mean for c in result.criteria],
                "backgroundColor": [
                    RED if c.mean is not None and c.mean < threshold else BLUE for c in result.criteria
                ],
            }
        ],
    }
    distribution = {
        "labels": [str(item.score) for item in result.distribution],
        "datasets": [
            {
                "label": _("Answers"),
                "data": [item.count for item in result.distribution],
                "backgroundColor": SCORE_COLOURS,
            }
        ],
    }
    trend = {
        "labels": [f"{point.label} {point.round_number}" for point in result.trend],
        "datasets": [
            {
                "label": _("Weighted index (1–5)"),
                "data": [point.weighted_index for point in result.trend],
                "borderColor": BLUE,
                "backgroundColor": BLUE,
                "yAxisID": "y",
            },
            {
                "label": _("Response rate %"),
                "data": [point.response_rate for point in result.trend],
                "borderColor": AMBER,
                "backgroundColor": AMBER,
                "yAxisID": "y1",
            },
            {
                "label": _("CSAT %"),
                "data": [point.csat for point in result.trend],
                "borderColor": GREEN,
                "backgroundColor": GREEN,
                "yAxisID": "y1",
            },
        ],
    }
    base = {"animation": False, "responsive": True, "maintainAspectRatio": False}
    bars = {**base, "plugins": {"legend": {"display": False}},
            "datasets": {"bar": {"maxBarThickness": 48, "borderRadius": 4}}}
    return {
        "criteria": _json(criteria),
        "criteria_options": _json({**bars, "scales": {"y": {"min": 0, "max": SCORE_MAX, "ticks": {"stepSize": 1}}}}),
        "distribution": _json(distribution),
        "distribution_options": _json({**bars, "scales": {"y": {"beginAtZero": True, "ticks": {"precision": 0}}}}),
        "trend": _json(trend),
        "trend_options": _json(
            {
                **base,
                "plugins": {"legend": {"display": True, "position": "bottom", "labels": {"boxWidth": 10}}},
                "elements": {"point": {"radius": 4}},
                "scales": {
                    "y": {"min": SCORE_MIN, "max": SCORE_MAX, "position": "left"},
                    "y1": {"min": 0, "max": 100, "position": "right", "grid": {"drawOnChartArea": False}},
                },
            }
        ),
    }


def _page_number(request, name: str) -> int:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and int(value) > 0 else 1


class _Counted:
    """A queryset whose length is already known (from the state counts): the paginator need not count it."""

    def __init__(self, queryset, count: int):
        self.queryset, self._count = queryset, count

    def count(self) -> int:
        return self._count

    def __getitem__(self, key):
        return self.queryset[key] if self.queryset is not None else []


def _link(path: str, params: dict, **changes) -> str:
    """``path`` with the page's query string, some parameters changed (empty ones left out)."""
    merged = {key: value for key, value in {**params, **changes}.items() if value not in (None, "", 1)}
    return f"{path}?{urlencode(merged)}" if merged else path


def _pages(page, path: str, params: dict, name: str, anchor: str) -> list[dict]:
    """The page links of a pager: first, last and two either side of the current one, gaps as None."""
    links = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if number == page.paginator.ELLIPSIS:
            links.append(None)
        else:
            links.append({"number": number, "current": number == page.number,
                          "url": _link(path, params, **{name: number}) + anchor})
    return links


def _analysis_context(request, survey_round: SurveyRound, path: str, params: dict) -> dict:
    wanted = _page_number(request, "cpage")
    result = analysis.round_analysis(
        survey_round=survey_round, customer_rows=PER_PAGE, customer_offset=(wanted - 1) * PER_PAGE
    )
    customer_page = Paginator(_Counted(None, result.customers_total), PER_PAGE).get_page(
        result.customer_offset // PER_PAGE + 1
    )
    return {
        "analysis": result,
        "charts": chart_data(result),
        "can_raise_capa": allowed(request.user, ACTIONS["raise_capa"]),
        "customer_page": customer_page,
        "customer_pages": _pages(customer_page, path, params, "cpage", "#per-customer"),
    }


def _render_round(request, survey_round: SurveyRound, bound: dict | None = None, status: int = 200):
    """The round page; the forms table is paginated (``?page=``), filtered by ``?state=`` and ``?q=`` (customer).

    A fixed number of queries whatever the size of the round: the state counts are one
    aggregate, the table one page of forms, the send form's customers one search.
    """
    bound = bound or {}
    user = request.user
    today = clock.today()
    path = reverse("satisfaction:round", args=[survey_round.pk])
    state = request.GET.get("state", "")
    state = state if state in FormState.values else ""
    query = request.GET.get("q", "").strip()[:100]
    send_query = request.GET.get("send_q", "").strip()[:100]
    params = {"state": state, "q": query, "send_q": send_query, "page": _page_number(request, "page"),
              "cpage": _page_number(request, "cpage")}
    criteria = list(survey_round.template.criteria.all())
    counts = selectors.round_state_counts(survey_round=survey_round, today=today)
    rows = selectors.round_forms(survey_round=survey_round, state=state or None, query=query, today=today)
    listed = _Counted(rows, counts[state] if state else sum(counts.values())) if not query else rows
    page = Paginator(listed, PER_PAGE).get_page(params["page"])
    form_rows = list(page.object_list)
    for row in form_rows:
        row.state_label = FormState(row.state).label
    unreturned = sum(counts[s] for s in FORM_UNRETURNED)
    can = show_refused(
        {
            "send": survey_round.status in ROUND_SENDABLE and allowed(user, ACTIONS["send"]),
            "enter": bool(unreturned) and allowed(user, ACTIONS["enter"]),
        },
        bound,
    )
    send_form = bound.get("send") or (SendForm(prefix="send", survey_round=survey_round) if can["send"] else None)
    if send_form is not None:
        send_form.offer(send_query)
    enter_form = bound.get("enter") or (
        EnterForm(prefix="enter", survey_round=survey_round, criteria=criteria) if can["enter"] else None
    )
    if enter_form is not None:
        enter_form.offer([row for row in form_rows if row.returned_on is None and row.voided_at is None])
    tabs = [{"state": "", "label": _("All"), "count": sum(counts.values()), "current": not state,
             "url": _link(path, params, state="", page=1) + "#forms"}]
    tabs += [{"state": value, "label": label, "count": counts[value], "current": state == value,
              "url": _link(path, params, state=value, page=1) + "#forms"}
             for value, label in FormState.choices]
    sent_on = timezone.localdate(survey_round.sent_at) if survey_round.sent_at else survey_round.planned_send_on
    chase_days = procedure.setting("SURVEY_CHASE_DAYS")
    dates = {
        "send": sent_on,
        "chase": sent_on + dt.timedelta(days=chase_days),
        "valid_until": add_months(sent_on, procedure.setting("SURVEY_VALID_MONTHS")),
        "meeting": survey_round.meeting.meeting_date,
    }
    context = page_context(
        request,
        title=_("Survey round %(number)s") % {"number": survey_round.number},
        opts=SurveyRound._meta,
        survey_round=survey_round,
        dates=dates,
        chase_days=chase_days,
        form_rows=form_rows,
        page_obj=page,
        form_pages=_pages(page, path, params, "page", "#forms"),
        tabs=tabs,
        state=state,
        query=query,
        send_query=send_query,
        params=params,
        form_count=sum(counts.values()),
        open_states=[value.value for value in FORM_OPEN],
        can=can,
        send_form=send_form,
        enter_form=enter_form,
        today=today,
        rounds_url=reverse("satisfaction:rounds"),
        **_analysis_context(request, survey_round, path, params),
    )
    return render(request, "satisfaction/round_detail.html", context, status=status)


round_page = RecordPage(
    load=lambda request, pk: _round_or_404(pk),
    render=_render_round,
    url=lambda survey_round: survey_round.get_absolute_url(),
    permission=VIEW,
)
round_detail = round_page.view(
    "One round: its dates, its forms by state, sending, paper returns and the analysis (R-5.6.3, R-5.6.4)."
)


@round_page.step(
    "send", form=SendForm, anchor="forms", actions=[ACTIONS["send"]],
    form_kwargs=lambda survey_round: {"survey_round": survey_round},
)
def round_send(request, survey_round, form):
    """Sales sends the round's form to the chosen customers by one channel (R-5.6.3)."""
    data = form.cleaned_data
    sent = services.round_send(
        survey_round=survey_round, customers=data["customers"], channel=data["channel"], reason=data["reason"],
        actor=request.user,
    )
    return _("%(count)s survey forms are sent.") % {"count": len(sent)}


@round_page.step(
    "enter", form=EnterForm, anchor="forms", actions=[ACTIONS["enter"]],
    form_kwargs=lambda survey_round: {"survey_round": survey_round, "criteria": survey_round.template.criteria.all()},
)
def round_enter(request, survey_round, form):
    """Sales enters a form the customer returned on paper; a late one is kept but void (R-5.6.3)."""
    data = form.cleaned_data
    entered = services.form_enter(
        form=data["form"],
        scores=form.scores(),
        comments=data["comments"],
        comment_is_complaint=data["comment_is_complaint"],
        returned_on=data["returned_on"],
        actor=request.user,
    )
    if entered.is_late:
        # A warning, not a success: said here, and the step's own message left empty (Django drops it).
        message = _("%(number)s is entered. It came back after %(day)s: it is void and not counted.")
        messages.warning(request, message % {"number": entered.number, "day": entered.valid_until.isoformat()})
        return ""
    return _("%(number)s is entered and counted.") % {"number": entered.number}


# --- the analysis page ---------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def analysis_page(request):
    """The analysis of one round (``?round=``; default the latest sent) beside the list of rounds (R-5.6.4)."""
    rounds = list(SurveyRound.objects.select_related("meeting").order_by("-planned_send_on", "-pk"))
    chosen = request.GET.get("round", "")
    survey_round = None
    if chosen.isdigit():
        survey_round = next((r for r in rounds if r.pk == int(chosen)), None)
        if survey_round is None:
            raise Http404
    if survey_round is None:
        survey_round = next((r for r in rounds if r.status != RoundStatus.PLANNED), rounds[0] if rounds else None)
    context = page_context(
        request,
        title=_("Customer satisfaction analysis"),
        opts=SurveyRound._meta,
        rounds=rounds,
        survey_round=survey_round,
        rounds_url=reverse("satisfaction:rounds"),
    )
    if survey_round is not None:
        path = reverse("satisfaction:analysis")
        context.update(_analysis_context(request, survey_round, path, {"round": chosen if chosen.isdigit() else ""}))
    return render(request, "satisfaction/analysis.html", context)


# --- one form ------------------------------------------------------------------------------------


def _form_or_404(pk: int) -> SurveyForm:
    form = selectors.form_list().filter(pk=pk).select_related("template", "entered_by", "voided_by").first()
    if form is None:
        raise Http404
    return form


def _render_form(request, survey_form: SurveyForm, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    user = request.user
    state = survey_form.state
    counted = state in FORM_COUNTED
    scores = list(survey_form.scores.select_related("criterion").order_by("criterion__order", "criterion__pk"))
    threshold = procedure.setting("SURVEY_DISSATISFACTION_THRESHOLD")
    dissatisfied = counted and (survey_form.comment_is_complaint or any(s.score < threshold for s in scores))
    can = show_refused(
        {
            "void": survey_form.voided_at is None and allowed(user, ACTIONS["void"]),
            "chase": state in FORM_OPEN and survey_form.chased_at is None
            and survey_form.chase_due_on is not None and survey_form.chase_due_on <= clock.today()
            and allowed(user, ACTIONS["chase"]),
            "complaint": survey_form.returned_on is not None and survey_form.voided_at is None
            and allowed(user, ACTIONS["flag"]),
            "capa": dissatisfied and survey_form.capa_id is None and allowed(user, ACTIONS["raise_capa"]),
        },
        bound,
    )
    unbound = {
        "void": lambda: VoidForm(prefix="void"),
        "chase": lambda: ChaseForm(prefix="chase", initial={"channel": ChaseChannel.PHONE}),
        "complaint": lambda: ComplaintForm(
            prefix="complaint", initial={"is_complaint": survey_form.comment_is_complaint}
        ),
        "capa": lambda: CapaIssueForm(
            prefix="capa",
            initial={"problem": _("Customer satisfaction survey %(number)s: %(customer)s is dissatisfied.")
                     % {"number": survey_form.number, "customer": survey_form.customer.registered_name}
                     + (f" {survey_form.comments}" if survey_form.comments else "")},
        ),
    }
    action_forms = {f"{key}_form": bound.get(key) or build() for key, build in unbound.items() if can[key]}
    context = page_context(
        request,
        title=_("Customer satisfaction survey form %(number)s") % {"number": survey_form.number},
        opts=SurveyForm._meta,
        survey_form=survey_form,
        state_label=FormState(state).label,
        state=state,
        scores=scores,
        threshold=threshold,
        dissatisfied=dissatisfied,
        can=can,
        **action_forms,
        pdf_f10=reverse("documents:f10", args=[survey_form.pk]),
        answer_url=services.public_url(survey_form.answer_path()) if survey_form.sent_at else "",
        round_url=reverse("satisfaction:round", args=[survey_form.round_id]) if survey_form.round_id else "",
        history_url=reverse("admin:satisfaction_surveyform_history", args=[survey_form.pk]),
        trend=analysis.customer_trend(customer=survey_form.customer),
    )
    return render(request, "satisfaction/form_detail.html", context, status=status)


form_page = RecordPage(
    load=lambda request, pk: _form_or_404(pk),
    render=_render_form,
    url=lambda survey_form: survey_form.get_absolute_url(),
    permission=VIEW_FORM,
)
form_detail = form_page.view("One form F10: where it stands, its scores and comments, and the steps left for it.")


@form_page.step("void", form=VoidForm, anchor="actions", actions=[ACTIONS["void"]])
def form_void(request, survey_form, form):
    """Void a form sent by mistake; it keeps its number and leaves the statistics."""
    services.form_void(form=survey_form, reason=form.cleaned_data["reason"], actor=request.user)
    return _("%(number)s is void.") % {"number": survey_form.number}


@form_page.step("chase", form=ChaseForm, anchor="actions", actions=[ACTIONS["chase"]])
def form_chase(request, survey_form, form):
    """Sales records chasing an unreturned form by phone, fax or post (R-5.6.3)."""
    data = form.cleaned_data
    services.form_chase(form=survey_form, channel=data["channel"], note=data["note"], actor=request.user)
    return _("The chase of %(number)s is recorded.") % {"number": survey_form.number}


@form_page.step("complaint", form=ComplaintForm, anchor="actions", actions=[ACTIONS["flag"]])
def form_complaint(request, survey_form, form):
    """Sales judges whether the comments are a complaint (R-5.6.6)."""
    flag = form.cleaned_data["is_complaint"]
    services.form_mark_complaint(form=survey_form, is_complaint=flag, actor=request.user)
    if flag:
        return _("The comments of %(number)s are marked a complaint.") % {"number": survey_form.number}
    return _("The comments of %(number)s are not a complaint.") % {"number": survey_form.number}


@form_page.step("capa", form=CapaIssueForm, anchor="capa", actions=[ACTIONS["raise_capa"]])
def form_capa(request, survey_form, form):
    """QC issues the CAPA request (F7) for a dissatisfied customer (R-5.6.6)."""
    data = form.cleaned_data
    raised = services.dissatisfaction_raise(
        form=survey_form,
        department=data["department"],
        problem=data["problem"],
        effectiveness_criterion=data["effectiveness_criterion"],
        due_date=data["due_date"],
        effectiveness_check_date=data["effectiveness_check_date"],
        actor=request.user,
    )
    return _("CAPA request %(capa)s is issued for %(number)s.") % {"capa": raised.capa.number, "number": raised.number}
