"""Staff pages of the satisfaction surveys: the rounds, one round with its forms and analysis, one form F10.

Each step posts to its own small view that calls one service and redirects back with a
message; when the service refuses, the page is shown again with the error on that form
and everything typed still in it (status 403 when the role may not take the step).
Sales acts; QC and top management read (QC also raises the CAPA request of a
dissatisfied customer, R-5.6.6).
"""

import datetime as dt
import json
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import HORIZONTAL
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from unfold.widgets import (
    UnfoldAdminCheckboxSelectMultipleWidget,
    UnfoldAdminRadioSelectWidget,
    UnfoldAdminTextInputWidget,
    UnfoldBooleanWidget,
)

from liaison.core import clock, procedure
from liaison.core.errors import LiaisonError
from liaison.core.forms import DateInput, Form, select, textarea
from liaison.quality.capa.forms import CapaIssueForm
from liaison.satisfaction import analysis, selectors, services
from liaison.satisfaction.dates import add_months
from liaison.satisfaction.models import SurveyForm, SurveyRound, review_meetings
from liaison.satisfaction.states import (
    OPEN_STATES,
    SCORE_MAX,
    SCORE_MIN,
    ChaseChannel,
    FormState,
    RoundStatus,
    SurveyChannel,
)

VIEW = "satisfaction.view_surveyround"
VIEW_FORM = "satisfaction.view_surveyform"
CAPA_ISSUE = "quality.issue_caparequest"
SCALE = [(str(score), str(score)) for score in range(SCORE_MIN, SCORE_MAX + 1)]
# Chart colours (hex: Chart.js does not read the theme's oklch variables).
BLUE, RED, AMBER, GREEN, GREY = "#0284c7", "#dc2626", "#f59e0b", "#16a34a", "#94a3b8"
SCORE_COLOURS = [RED, "#f97316", AMBER, "#84cc16", GREEN]


def _failed(request) -> None:
    messages.error(request, _("Nothing was saved; see the form marked below."))


def _add_service_error(form: forms.Form, error: LiaisonError) -> None:
    """Show a service's refusal beside the field it names (``scores.quality`` → ``score_quality``), else on top."""
    field = error.field or ""
    if field.startswith("scores."):
        field = f"score_{field.split('.', 1)[1]}"
    elif field == "scores":
        field = None
    form.add_error(field if field in form.fields else None, str(error))


def _pdf_url(pk: int) -> str:
    try:
        return reverse("documents:f10", args=[pk])
    except NoReverseMatch:
        return ""


# --- forms: each collects the input of one service call ------------------------------------


class PlanForm(Form):
    meeting = forms.ModelChoiceField(label=gettext_lazy("management review meeting"), queryset=None, widget=select())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Coming meetings without a round; the service refuses anything else.
        self.fields["meeting"].queryset = review_meetings().objects.awaiting_survey_round()


class CustomerChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, customer) -> str:
        return customer.registered_name


# How many customers the send form offers at once, and forms the pages list per page.
SEND_CHOICES = 50
PER_PAGE = 50


class SendForm(Form):
    """The customers to send the round to, and the channel.

    Any active customer without a live form in the round is accepted; only the first
    SEND_CHOICES of them matching the search (``?send_q=``) are offered as checkboxes, plus
    those already ticked, so the page never lists every customer.
    """

    customers = CustomerChoices(
        label=gettext_lazy("customers"), queryset=None, required=False,
        widget=UnfoldAdminCheckboxSelectMultipleWidget(),
    )
    channel = forms.ChoiceField(label=gettext_lazy("channel"), choices=SurveyChannel.choices, widget=select())

    def __init__(self, *args, survey_round: SurveyRound, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey_round = survey_round
        self.fields["customers"].queryset = selectors.customers_to_send(survey_round=survey_round)
        self.fields["customers"].widget.choices = []
        self.more, self.query = False, ""

    def offer(self, query: str = "") -> None:
        """Offer the first SEND_CHOICES customers matching ``query`` (and any ticked) as checkboxes (one query)."""
        field = self.fields["customers"]
        offered = list(selectors.customers_to_send(survey_round=self.survey_round, query=query)[: SEND_CHOICES + 1])
        more = len(offered) > SEND_CHOICES
        offered = offered[:SEND_CHOICES]
        ticked = {str(pk) for pk in self.data.getlist(self.add_prefix("customers"))} if self.is_bound else set()
        missing = ticked - {str(customer.pk) for customer in offered}
        if missing:
            ids = [int(pk) for pk in missing if pk.isdigit()]
            offered = list(field.queryset.filter(pk__in=ids)) + offered
        field.widget.choices = [(customer.pk, field.label_from_instance(customer)) for customer in offered]
        self.more, self.query = more, query


class EnterForm(Form):
    """A form returned on paper: which one, a score per criterion, the comments, the day it came back."""

    form = forms.ModelChoiceField(label=gettext_lazy("survey form"), queryset=None, widget=select())
    returned_on = forms.DateField(label=gettext_lazy("returned on"), widget=DateInput())
    comments = forms.CharField(label=gettext_lazy("comments"), required=False, widget=textarea(3))
    comment_is_complaint = forms.BooleanField(
        label=gettext_lazy("the comments are a complaint"), required=False, widget=UnfoldBooleanWidget()
    )

    def __init__(self, *args, survey_round: SurveyRound, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("returned_on", clock.today())
        field = self.fields["form"]
        field.queryset = survey_round.forms.filter(
            returned_on__isnull=True, voided_at__isnull=True, sent_at__isnull=False
        ).select_related("customer").order_by("number")
        field.label_from_instance = lambda form: f"{form.number} · {form.customer.registered_name}"
        field.widget.choices = []
        self.criteria = list(criteria)
        for criterion in self.criteria:
            # Not required here: the service names every criterion left out, in one message.
            self.fields[f"score_{criterion.code}"] = forms.ChoiceField(
                label=criterion.label(), choices=SCALE, required=False,
                widget=UnfoldAdminRadioSelectWidget(radio_style=HORIZONTAL),
            )

    def offer(self, offered) -> None:
        """Offer the open forms listed on this page of the round's forms (a round may hold 50 000).

        Any open form of the round is accepted; one the user chose elsewhere stays offered.
        """
        field = self.fields["form"]
        field.help_text = gettext_lazy(
            "The forms awaiting return on this page of the list below; search a customer there to find another."
        )
        choices = [(form.pk, field.label_from_instance(form)) for form in offered]
        chosen = self.data.get(self.add_prefix("form"), "") if self.is_bound else ""
        if chosen.isdigit() and int(chosen) not in {pk for pk, _label in choices}:
            extra = field.queryset.filter(pk=int(chosen)).first()
            if extra is not None:
                choices.insert(0, (extra.pk, field.label_from_instance(extra)))
        field.widget.choices = [("", "---------"), *choices]

    def score_fields(self):
        return [self[f"score_{criterion.code}"] for criterion in self.criteria]

    def scores(self) -> dict[str, str]:
        data = self.cleaned_data
        return {c.code: data[f"score_{c.code}"] for c in self.criteria if data.get(f"score_{c.code}")}


class VoidForm(Form):
    reason = forms.CharField(label=gettext_lazy("reason for voiding"), max_length=300,
                             widget=UnfoldAdminTextInputWidget())


class ChaseForm(Form):
    channel = forms.ChoiceField(label=gettext_lazy("chase channel"), choices=ChaseChannel.choices, widget=select())
    note = forms.CharField(label=gettext_lazy("note"), required=False, max_length=200,
                           widget=UnfoldAdminTextInputWidget())


class ComplaintForm(Form):
    is_complaint = forms.BooleanField(
        label=gettext_lazy("the comments are a complaint"), required=False, widget=UnfoldBooleanWidget()
    )


# --- the rounds ---------------------------------------------------------------------------


def _rounds_context(request, plan_form=None) -> dict:
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
    gaps = selectors.half_years_without_round(today.year)
    return {
        **admin.site.each_context(request),
        "title": _("Customer satisfaction survey rounds"),
        "opts": SurveyRound._meta,
        "rounds": rounds,
        "gaps": gaps,
        "today": today,
        "can_plan": request.user.has_perm(services.ADD_ROUND),
        "plan_form": plan_form or (PlanForm(prefix="plan") if request.user.has_perm(services.ADD_ROUND) else None),
        "analysis_url": reverse("satisfaction:analysis"),
        "forms_url": reverse("admin:satisfaction_surveyform_changelist") if _has_admin("surveyform") else "",
    }


def _has_admin(model: str) -> bool:
    try:
        reverse(f"admin:satisfaction_{model}_changelist")
    except NoReverseMatch:
        return False
    return True


@login_required
@permission_required(VIEW, raise_exception=True)
def round_list(request):
    """Every survey round with its counts; a warning for a half-year without a round (R-5.6.3)."""
    return render(request, "satisfaction/rounds.html", _rounds_context(request))


@require_POST
@login_required
@permission_required(VIEW, raise_exception=True)
def round_plan(request):
    """Sales plans the survey round of a management review, two months before it (R-5.6.3)."""
    form = PlanForm(request.POST, prefix="plan")
    status = 200
    if form.is_valid():
        try:
            survey_round = services.round_plan(meeting=form.cleaned_data["meeting"], actor=request.user)
        except LiaisonError as error:
            _add_service_error(form, error)
            status = 403 if error.forbidden else 200
        else:
            messages.success(
                request,
                _("Survey round %(number)s is planned; it goes out on %(day)s.")
                % {"number": survey_round.number, "day": survey_round.planned_send_on.isoformat()},
            )
            return redirect("satisfaction:round", pk=survey_round.pk)
    _failed(request)
    return render(request, "satisfaction/rounds.html", _rounds_context(request, plan_form=form), status=status)


# --- one round ------------------------------------------------------------------------------


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
        "can_raise_capa": request.user.has_perm(CAPA_ISSUE),
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
    # Not returned and not void: a paper return can still be entered (late ones are entered void).
    unreturned = sum(counts[s] for s in (*OPEN_STATES, FormState.EXPIRED))
    can = {
        "send": survey_round.status != RoundStatus.CLOSED and user.has_perm(services.SEND_ROUND),
        "enter": bool(unreturned) and user.has_perm(services.ENTER_FORM),
    }
    for key in bound:
        can[key] = True
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
    context = {
        **admin.site.each_context(request),
        "title": _("Survey round %(number)s") % {"number": survey_round.number},
        "opts": SurveyRound._meta,
        "survey_round": survey_round,
        "dates": dates,
        "chase_days": chase_days,
        "form_rows": form_rows,
        "page_obj": page,
        "form_pages": _pages(page, path, params, "page", "#forms"),
        "tabs": tabs,
        "state": state,
        "query": query,
        "send_query": send_query,
        "params": params,
        "form_count": sum(counts.values()),
        "open_states": [value.value for value in OPEN_STATES],
        "can": can,
        "send_form": send_form,
        "enter_form": enter_form,
        "today": today,
        "rounds_url": reverse("satisfaction:rounds"),
        **_analysis_context(request, survey_round, path, params),
    }
    return render(request, "satisfaction/round_detail.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def round_detail(request, pk: int):
    """One round: its dates, its forms by state, sending, paper returns and the analysis (R-5.6.3, R-5.6.4)."""
    return _render_round(request, _round_or_404(pk))


@require_POST
@login_required
@permission_required(VIEW, raise_exception=True)
def round_send(request, pk: int):
    """Sales sends the round's form to the chosen customers by one channel (R-5.6.3)."""
    survey_round = _round_or_404(pk)
    form = SendForm(request.POST, prefix="send", survey_round=survey_round)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            sent = services.round_send(
                survey_round=survey_round, customers=data["customers"], channel=data["channel"], actor=request.user
            )
        except LiaisonError as error:
            _add_service_error(form, error)
            status = 403 if error.forbidden else 200
        else:
            messages.success(request, _("%(count)s survey forms are sent.") % {"count": len(sent)})
            return redirect(f"{reverse('satisfaction:round', args=[pk])}#forms")
    _failed(request)
    return _render_round(request, survey_round, {"send": form}, status=status)


@require_POST
@login_required
@permission_required(VIEW, raise_exception=True)
def round_enter(request, pk: int):
    """Sales enters a form the customer returned on paper; a late one is kept but void (R-5.6.3)."""
    survey_round = _round_or_404(pk)
    form = EnterForm(
        request.POST, prefix="enter", survey_round=survey_round, criteria=survey_round.template.criteria.all()
    )
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            entered = services.form_enter(
                form=data["form"],
                scores=form.scores(),
                comments=data["comments"],
                comment_is_complaint=data["comment_is_complaint"],
                returned_on=data["returned_on"],
                actor=request.user,
            )
        except LiaisonError as error:
            _add_service_error(form, error)
            status = 403 if error.forbidden else 200
        else:
            if entered.is_late:
                message = _("%(number)s is entered. It came back after %(day)s: it is void and not counted.")
                messages.warning(request, message % {"number": entered.number, "day": entered.valid_until.isoformat()})
            else:
                messages.success(request, _("%(number)s is entered and counted.") % {"number": entered.number})
            return redirect(f"{reverse('satisfaction:round', args=[pk])}#forms")
    _failed(request)
    return _render_round(request, survey_round, {"enter": form}, status=status)


# --- the analysis page ----------------------------------------------------------------------


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
    context = {
        **admin.site.each_context(request),
        "title": _("Customer satisfaction analysis"),
        "opts": SurveyRound._meta,
        "rounds": rounds,
        "survey_round": survey_round,
        "rounds_url": reverse("satisfaction:rounds"),
    }
    if survey_round is not None:
        path = reverse("satisfaction:analysis")
        context.update(_analysis_context(request, survey_round, path, {"round": chosen if chosen.isdigit() else ""}))
    return render(request, "satisfaction/analysis.html", context)


# --- one form -------------------------------------------------------------------------------


def _form_or_404(pk: int) -> SurveyForm:
    form = selectors.form_list().filter(pk=pk).select_related("template", "entered_by", "voided_by").first()
    if form is None:
        raise Http404
    return form


def _render_form(request, survey_form: SurveyForm, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    user = request.user
    state = survey_form.state
    counted = state == FormState.RETURNED
    scores = list(survey_form.scores.select_related("criterion").order_by("criterion__order", "criterion__pk"))
    threshold = procedure.setting("SURVEY_DISSATISFACTION_THRESHOLD")
    dissatisfied = counted and (survey_form.comment_is_complaint or any(s.score < threshold for s in scores))
    can = {
        "void": survey_form.voided_at is None and user.has_perm(services.VOID_FORM),
        "chase": state in (FormState.CHASE_DUE, FormState.SENT, FormState.CHASED) and survey_form.chased_at is None
        and survey_form.chase_due_on is not None and survey_form.chase_due_on <= clock.today()
        and user.has_perm(services.CHASE_FORM),
        "complaint": survey_form.returned_on is not None and survey_form.voided_at is None
        and user.has_perm(services.FLAG_FORM),
        "capa": dissatisfied and survey_form.capa_id is None and user.has_perm(CAPA_ISSUE),
    }
    for key in bound:
        can[key] = True
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
    context = {
        **admin.site.each_context(request),
        "title": _("Customer satisfaction survey form %(number)s") % {"number": survey_form.number},
        "opts": SurveyForm._meta,
        "survey_form": survey_form,
        "state_label": FormState(state).label,
        "state": state,
        "scores": scores,
        "threshold": threshold,
        "dissatisfied": dissatisfied,
        "can": can,
        **action_forms,
        "pdf_f10": _pdf_url(survey_form.pk),
        "answer_url": services.public_url(survey_form.answer_path()) if survey_form.sent_at else "",
        "round_url": reverse("satisfaction:round", args=[survey_form.round_id]) if survey_form.round_id else "",
        "history_url": _history_url(survey_form.pk),
        "trend": analysis.customer_trend(customer=survey_form.customer),
    }
    return render(request, "satisfaction/form_detail.html", context, status=status)


def _history_url(pk: int) -> str:
    try:
        return reverse("admin:satisfaction_surveyform_history", args=[pk])
    except NoReverseMatch:
        return ""


@login_required
@permission_required(VIEW_FORM, raise_exception=True)
def form_detail(request, pk: int):
    """One form F10: where it stands, its scores and comments, and the steps left for it."""
    return _render_form(request, _form_or_404(pk))


def _form_step(key: str, form_class, anchor: str = "actions"):
    """Wrap ``run(request, survey_form, form) -> message`` as the POST view of one step of the form page."""

    def decorate(run):
        @require_POST
        @login_required
        @permission_required(VIEW_FORM, raise_exception=True)
        def view(request, pk: int):
            survey_form = _form_or_404(pk)
            form = form_class(request.POST, prefix=key)
            status = 200
            if form.is_valid():
                try:
                    message = run(request, survey_form, form)
                except LiaisonError as error:
                    _add_service_error(form, error)
                    status = 403 if error.forbidden else 200
                else:
                    messages.success(request, message)
                    return redirect(f"{reverse('satisfaction:form', args=[pk])}#{anchor}")
            _failed(request)
            return _render_form(request, survey_form, {key: form}, status=status)

        view.__name__ = view.__qualname__ = f"form_{key}"
        view.__doc__ = run.__doc__
        return view

    return decorate


@_form_step("void", VoidForm)
def form_void(request, survey_form, form):
    """Void a form sent by mistake; it keeps its number and leaves the statistics."""
    services.form_void(form=survey_form, reason=form.cleaned_data["reason"], actor=request.user)
    return _("%(number)s is void.") % {"number": survey_form.number}


@_form_step("chase", ChaseForm)
def form_chase(request, survey_form, form):
    """Sales records chasing an unreturned form by phone, fax or post (R-5.6.3)."""
    data = form.cleaned_data
    services.form_chase(form=survey_form, channel=data["channel"], note=data["note"], actor=request.user)
    return _("The chase of %(number)s is recorded.") % {"number": survey_form.number}


@_form_step("complaint", ComplaintForm)
def form_complaint(request, survey_form, form):
    """Sales judges whether the comments are a complaint (R-5.6.6)."""
    flag = form.cleaned_data["is_complaint"]
    services.form_mark_complaint(form=survey_form, is_complaint=flag, actor=request.user)
    if flag:
        return _("The comments of %(number)s are marked a complaint.") % {"number": survey_form.number}
    return _("The comments of %(number)s are not a complaint.") % {"number": survey_form.number}


@_form_step("capa", CapaIssueForm, anchor="capa")
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
