"""Forms of the staff pages of the surveys: each collects the input of one service call."""

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminCheckboxSelectMultipleWidget,
    UnfoldAdminTextInputWidget,
    UnfoldBooleanWidget,
)

from liaison.core import clock
from liaison.core.forms import DateInput, Form, radio, select, textarea
from liaison.customers.selectors import customer_search
from liaison.customers.states import CustomerStatus
from liaison.satisfaction import selectors
from liaison.satisfaction.models import SurveyRound, review_meetings
from liaison.satisfaction.states import SCORE_MAX, SCORE_MIN, ChaseChannel, SurveyChannel, SurveySource

SCALE = [(str(score), str(score)) for score in range(SCORE_MIN, SCORE_MAX + 1)]
# How many customers the send form offers at once.
SEND_CHOICES = 50


class PlanForm(Form):
    meeting = forms.ModelChoiceField(label=_("management review meeting"), queryset=None, widget=select())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Coming meetings without a round; the service refuses anything else.
        self.fields["meeting"].queryset = review_meetings().objects.awaiting_survey_round()


class CustomerChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, customer) -> str:
        return customer.registered_name


class SendForm(Form):
    """The customers to send the round to, and the channel.

    Any active customer without a live form in the round is accepted; only the first
    SEND_CHOICES of them matching the search (``?send_q=``) are offered as checkboxes, plus
    those already ticked, so the page never lists every customer.
    """

    customers = CustomerChoices(
        label=_("customers"), queryset=None, required=False, widget=UnfoldAdminCheckboxSelectMultipleWidget()
    )
    channel = forms.ChoiceField(label=_("channel"), choices=SurveyChannel.choices, widget=select())
    reason = forms.CharField(
        label=_("reason for sending outside the window"), required=False, max_length=300,
        widget=UnfoldAdminTextInputWidget(),
        help_text=_("Only before the round's planned send date or after its management review."),
    )

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
    """A form returned on paper: which one, a score per criterion, the comments, the day it came back.

    A refusal about one criterion's score (``scores.<code>``) lands beside its box (``score_<code>``);
    one about the scores as a whole, above the form.
    """

    form = forms.ModelChoiceField(label=_("survey form"), queryset=None, widget=select())
    returned_on = forms.DateField(label=_("returned on"), widget=DateInput())
    comments = forms.CharField(label=_("comments"), required=False, widget=textarea(3))
    comment_is_complaint = forms.BooleanField(
        label=_("the comments are a complaint"), required=False, widget=UnfoldBooleanWidget()
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
                widget=radio(),
            )

    def field_for(self, name: str | None) -> str | None:
        if name and name.startswith("scores."):
            name = f"score_{name.split('.', 1)[1]}"
        return super().field_for(name)

    def offer(self, offered) -> None:
        """Offer the open forms listed on this page of the round's forms (a round may hold 50 000).

        Any open form of the round is accepted; one the user chose elsewhere stays offered.
        """
        field = self.fields["form"]
        field.help_text = _(
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
    reason = forms.CharField(label=_("reason for voiding"), max_length=300, widget=UnfoldAdminTextInputWidget())


class ChaseForm(Form):
    channel = forms.ChoiceField(label=_("chase channel"), choices=ChaseChannel.choices, widget=select())
    note = forms.CharField(label=_("note"), required=False, max_length=200, widget=UnfoldAdminTextInputWidget())


class ComplaintForm(Form):
    is_complaint = forms.BooleanField(
        label=_("the comments are a complaint"), required=False, widget=UnfoldBooleanWidget()
    )


class RecordForm(Form):
    """Satisfaction heard in an interview or read in customer feedback, entered on a form F10 (R-5.6.2, R-5.6.5).

    The customer is one of the first SEND_CHOICES active customers matching the page's
    search (``?record_q=``), or the one already chosen; a score per criterion of the
    active questionnaire.
    """

    customer = forms.ModelChoiceField(label=_("customer"), queryset=None, widget=select())
    source = forms.ChoiceField(
        label=_("source"), choices=[(s.value, s.label) for s in (SurveySource.INTERVIEW, SurveySource.FEEDBACK)],
        widget=radio(),
    )
    channel = forms.ChoiceField(label=_("channel"), choices=SurveyChannel.choices, widget=select())
    occurred_on = forms.DateField(label=_("date of the interview or feedback"), widget=DateInput())
    comments = forms.CharField(label=_("comments"), required=False, widget=textarea(3))
    comment_is_complaint = forms.BooleanField(
        label=_("the comments are a complaint"), required=False, widget=UnfoldBooleanWidget()
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("occurred_on", clock.today())
        self.initial.setdefault("source", SurveySource.FEEDBACK)
        field = self.fields["customer"]
        field.queryset = customer_search(query="").filter(status=CustomerStatus.ACTIVE)
        field.label_from_instance = lambda customer: customer.registered_name
        field.widget.choices = []
        self.criteria = list(criteria)
        for criterion in self.criteria:
            # Not required here: the service names every criterion left out, in one message.
            self.fields[f"score_{criterion.code}"] = forms.ChoiceField(
                label=criterion.label(), choices=SCALE, required=False, widget=radio(),
            )

    def field_for(self, name: str | None) -> str | None:
        if name and name.startswith("scores."):
            name = f"score_{name.split('.', 1)[1]}"
        return super().field_for(name)

    def offer(self, query: str = "") -> None:
        """Offer the first SEND_CHOICES active customers matching ``query``, and the one chosen (one query)."""
        field = self.fields["customer"]
        offered = list(customer_search(query=query).filter(status=CustomerStatus.ACTIVE)
                       .order_by("registered_name", "pk")[:SEND_CHOICES])
        chosen = self.data.get(self.add_prefix("customer"), "") if self.is_bound else ""
        if chosen.isdigit() and int(chosen) not in {customer.pk for customer in offered}:
            offered = list(field.queryset.filter(pk=int(chosen))) + offered
        field.widget.choices = [("", "---------"), *((c.pk, field.label_from_instance(c)) for c in offered)]

    def score_fields(self):
        return [self[f"score_{criterion.code}"] for criterion in self.criteria]

    def scores(self) -> dict[str, str]:
        data = self.cleaned_data
        return {c.code: data[f"score_{c.code}"] for c in self.criteria if data.get(f"score_{c.code}")}
