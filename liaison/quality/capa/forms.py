"""Forms of the CAPA page (F7), and of issuing a CAPA request from its source's page.

Each collects the input of one CAPA service call; the services check every rule.
"""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.core import clock, procedure
from liaison.core.forms import DateInput, Form, radio, select, textarea
from liaison.core.models import Department
from liaison.quality.states import Effectiveness


class CapaIssueForm(Form):
    department = forms.ModelChoiceField(label=_("responsible department"), queryset=None, widget=select())
    problem = forms.CharField(label=_("problem"), widget=textarea(3))
    due_date = forms.DateField(label=_("due date"), widget=DateInput())
    effectiveness_criterion = forms.CharField(
        label=_("effectiveness criterion"),
        widget=textarea(),
        help_text=_("How QC will judge the action effective, e.g. no complaint of the kind for three months."),
    )
    effectiveness_check_date = forms.DateField(label=_("effectiveness checked on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(active=True).order_by("kind", "code")
        today = clock.today()
        self.initial.setdefault("due_date", today + dt.timedelta(days=procedure.setting("CAPA_DUE_DAYS")))
        self.initial.setdefault(
            "effectiveness_check_date", today + dt.timedelta(days=procedure.setting("CAPA_EFFECTIVENESS_CHECK_DAYS"))
        )


class CapaReviewForm(Form):
    note = forms.CharField(label=_("note"), required=False, widget=textarea())


class CapaImplementForm(Form):
    corrective_action = forms.CharField(label=_("corrective action"), required=False, widget=textarea(3))
    preventive_action = forms.CharField(label=_("preventive action"), required=False, widget=textarea(3))
    implementation = forms.CharField(
        label=_("implementation"),
        required=False,
        widget=textarea(3),
        help_text=_("What was done, by whom and when."),
    )


class CapaVerifyExecutionForm(Form):
    note = forms.CharField(label=_("note"), required=False, widget=textarea())


class CapaSendBackForm(Form):
    """QC finds the actions recorded as implemented not done: the reason, and a new due date if any."""

    reason = forms.CharField(
        label=_("why the actions are not done"),
        required=False,
        widget=textarea(3),
        help_text=_("The department reads it when the request comes back to it."),
    )
    new_due_date = forms.DateField(
        label=_("new due date"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty to keep the due date."),
    )


class CapaVerifyEffectivenessForm(Form):
    """The verdict; before the check date (``early``) also why it can be judged already."""

    effectiveness = forms.ChoiceField(
        label=_("effectiveness"),
        choices=Effectiveness.choices,
        required=False,
        widget=radio(),
    )
    note = forms.CharField(label=_("note"), required=False, widget=textarea())
    new_due_date = forms.DateField(
        label=_("new due date"),
        required=False,
        widget=DateInput(),
        help_text=_("Partly or not effective: the request goes back to the department, due on this date."),
    )
    early_reason = forms.CharField(
        label=_("why judge it before the check date"),
        required=False,
        widget=textarea(2),
        help_text=_("The request records that its effectiveness was checked early, and why."),
    )

    def __init__(self, *args, early: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not early:
            del self.fields["early_reason"]
