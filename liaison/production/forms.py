"""Forms of the workshop pages and the back office; they hand their input to the services."""

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminTextInputWidget


class StartForm(forms.Form):
    note = forms.CharField(
        label=_("Progress note"),
        max_length=300,
        required=False,
        widget=UnfoldAdminTextInputWidget(
            attrs={"placeholder": _("e.g. material in, first batch on the press")}
        ),
    )


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason for voiding"), max_length=300, widget=UnfoldAdminTextInputWidget)
