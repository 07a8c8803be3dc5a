"""Forms of the management review pages: they collect input for one service call, nothing more."""

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminSelectWidget,
    UnfoldAdminTextInputWidget,
)

from liaison.core.forms import DateInput, Form, PeopleChoiceField, PersonChoiceField, select_multiple, textarea
from liaison.reviews import selectors


class MeetingPlanForm(Form):
    title = forms.CharField(label=_("title"), max_length=200, widget=UnfoldAdminTextInputWidget())
    meeting_date = forms.DateField(label=_("meeting date"), widget=DateInput())
    chair = PersonChoiceField(label=_("chair"), queryset=selectors.chair_choices(), widget=UnfoldAdminSelectWidget())
    participants = PeopleChoiceField(
        label=_("participants"), queryset=selectors.participant_choices(), required=False, widget=select_multiple()
    )
    agenda = forms.CharField(label=_("agenda inputs"), required=False, widget=textarea(4))


class MeetingUpdateForm(MeetingPlanForm):
    minutes = forms.CharField(label=_("minutes"), required=False, widget=textarea(5))
    reason = forms.CharField(
        label=_("reason for change"),
        max_length=100,
        required=False,
        widget=UnfoldAdminTextInputWidget(),
        help_text=_("Required once the meeting is held; kept in its history."),
    )


class MeetingHoldForm(Form):
    minutes = forms.CharField(label=_("minutes"), widget=textarea(6))


class ReasonForm(Form):
    reason = forms.CharField(label=_("reason"), max_length=300, widget=UnfoldAdminTextInputWidget())


class ActionAddForm(Form):
    description = forms.CharField(label=_("action"), widget=textarea(2))
    owner = PersonChoiceField(label=_("owner"), queryset=selectors.owner_choices(), widget=UnfoldAdminSelectWidget())
    due_date = forms.DateField(label=_("due date"), widget=DateInput())


class ActionCompleteForm(Form):
    action = forms.IntegerField(widget=forms.HiddenInput())
    outcome = forms.CharField(label=_("outcome"), widget=textarea(2))


class ActionCancelForm(Form):
    action = forms.IntegerField(widget=forms.HiddenInput())
    reason = forms.CharField(label=_("reason"), max_length=300, widget=UnfoldAdminTextInputWidget())
