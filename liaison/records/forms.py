"""Back-office forms of the records app: a policy change needs its reason; a legal hold is placed by service."""

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextInputWidget

from liaison.core.admin_base import ChangeReasonForm, ServiceForm
from liaison.records import registry, services
from liaison.records.models import LegalHold, RetentionPolicy, period_refusal


class RetentionPolicyForm(ChangeReasonForm):
    """A policy change: its reason required; never below the procedure's period without the override (R-5.7)."""

    actor = None  # set by the admin

    class Meta:
        model = RetentionPolicy
        fields = ["department", "years", "months", "below_minimum", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "change_reason" in self.fields:
            self.fields["change_reason"].required = True

    def clean(self):
        cleaned = super().clean()
        years, months = cleaned.get("years"), cleaned.get("months")
        if years is None or months is None:
            return cleaned
        refusal = period_refusal(
            record_type=self.instance.record_type, years=years, months=months,
            below_minimum=bool(cleaned.get("below_minimum")), actor=self.actor,
        )
        if refusal is not None:
            self.add_error(refusal.field if refusal.field in self.fields else None, str(refusal))
        return cleaned


class LegalHoldForm(ServiceForm):
    record_type = forms.ChoiceField(label=_("record type"), choices=(), widget=UnfoldAdminSelectWidget)

    class Meta:
        model = LegalHold
        fields = ["record_type", "object_id", "reason"]
        widgets = {"reason": UnfoldAdminTextInputWidget}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_type"].choices = [(t.code, t.label) for t in registry.record_types()]

    def call_service(self, data: dict):
        return services.hold_place(
            record_type=data["record_type"], object_id=data["object_id"], reason=data["reason"], actor=self.actor
        )
