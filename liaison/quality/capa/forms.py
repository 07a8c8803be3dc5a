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


class CapaVerifyEffectivenessForm(Form):
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
