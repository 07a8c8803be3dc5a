"""Forms of the workshop pages: each collects the input of one service call."""

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminTextInputWidget

from liaison.core.forms import Form


class StartForm(Form):
    note = forms.CharField(
        label=_("Progress note"),
        max_length=300,
        required=False,
        widget=UnfoldAdminTextInputWidget(attrs={"placeholder": _("e.g. material in, first batch on the press")}),
    )


class CompleteForm(Form):
    """Nothing to type: the workshop confirms everything on the notice is made."""
