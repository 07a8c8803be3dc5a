"""Forms of the order pages: they collect input for one service call, nothing more.

Every rule of the procedure is checked by the service; a refusal comes back as a
``LiaisonError`` and the view puts it on the form (``add_service_error``), so the
clerk sees it beside the field concerned with everything they typed still there.
"""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminTextInputWidget, UnfoldBooleanSwitchWidget

from liaison.communications.selectors import received_documents_catalogued
from liaison.communications.states import CommunicationChannel
from liaison.core import clock
from liaison.core.forms import (
    DateInput,
    DateTimeInput,
    Form,
    WorkshopChoiceField,
    YesNoField,
    plain_quantity,
    quantity_field,
    select,
    textarea,
)
from liaison.customers.forms import CustomerChoiceField
from liaison.customers.selectors import customer_choices
from liaison.orders.states import ChangeKind, ChangeReasonCategory, OrderChannel, ReviewOutcome
from liaison.stock.selectors import product_choices

# A customer's usual lead time: the date an order line asks for when nobody says otherwise.
DEFAULT_LEAD_DAYS = 30


# Registering an order (R-5.2.2.1, R-5.1.1)


class OrderRegisterForm(Form):
    customer = CustomerChoiceField(
        label=_("customer"), queryset=customer_choices(), widget=select()
    )
    channel = forms.ChoiceField(label=_("received by"), choices=OrderChannel.choices, widget=select())
    customer_po = forms.CharField(
        label=_("customer PO number"), max_length=60, required=False, widget=UnfoldAdminTextInputWidget()
    )
    received_document = forms.TypedChoiceField(
        label=_("received document"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=select(),
        help_text=_("The fax or scan catalogued for this customer; choose the customer first."),
    )
    received_at = forms.DateTimeField(label=_("received at"), widget=DateTimeInput())
    delivery_terms = forms.CharField(label=_("delivery terms"), required=False, widget=textarea())
    packaging = forms.CharField(label=_("packaging"), required=False, widget=textarea())
    post_delivery = forms.CharField(
        label=_("post-delivery requirements"),
        required=False,
        widget=textarea(),
        help_text=_("Service, warranty, documents to supply."),
    )
    notes = forms.CharField(label=_("notes"), required=False, widget=textarea())

    def __init__(self, *args, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("received_at", clock.now().replace(second=0, microsecond=0))
        if customer is None and self.is_bound:
            customer = self.fields["customer"].queryset.filter(pk=self.data.get("customer") or None).first()
        self.documents = {doc.pk: doc for doc in received_documents_catalogued(customer=customer)}
        self.fields["received_document"].choices = [("", "—")] + [
            (doc.pk, f"{doc.number} · {timezone.localtime(doc.received_at):%Y-%m-%d} · {doc.summary}"[:120])
            for doc in self.documents.values()
        ]

    def clean_received_document(self):
        pk = self.cleaned_data.get("received_document")
        return self.documents.get(pk) if pk else None


class OrderLineForm(Form):
    product = forms.ModelChoiceField(label=_("product"), queryset=product_choices(), widget=select())
    quantity = quantity_field(label=_("quantity"))
    specification = forms.CharField(
        label=_("specification"), max_length=300, required=False, widget=UnfoldAdminTextInputWidget()
    )
    required_date = forms.DateField(label=_("required delivery date"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].widget.attrs["data-role"] = "product"
        self.fields["specification"].widget.attrs["data-role"] = "specification"
        self.fields["required_date"].widget.attrs["data-role"] = "required-date"

    def has_changed(self) -> bool:
        # A row with only its prefilled date is a row the clerk did not use.
        return any(self[name].value() not in (None, "") for name in ("product", "quantity", "specification"))


class BaseOrderLineFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["empty_permitted"] = index is None or index > 0
        return kwargs

    def lines(self) -> list[dict]:
        return [
            {
                "product": form.cleaned_data["product"],
                "quantity": form.cleaned_data["quantity"],
                "specification": form.cleaned_data.get("specification", ""),
                "required_date": form.cleaned_data["required_date"],
            }
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


OrderLineFormSet = forms.formset_factory(
    OrderLineForm, formset=BaseOrderLineFormSet, extra=0, min_num=1, validate_min=True, can_delete=False
)


def order_line_formset(data=None) -> BaseOrderLineFormSet:
    default_date = clock.today() + dt.timedelta(days=DEFAULT_LEAD_DAYS)
    return OrderLineFormSet(data, prefix="lines", initial=None if data else [{"required_date": default_date}])


# Clarifications (R-5.2.2.2)


class ClarificationAskForm(Form):
    question = forms.CharField(label=_("question"), widget=textarea())
    channel = forms.ChoiceField(
        label=_("channel"), choices=CommunicationChannel.choices, initial=CommunicationChannel.PHONE, widget=select()
    )


class ClarificationAnswerForm(Form):
    clarification = forms.IntegerField(widget=forms.HiddenInput())
    answer = forms.CharField(label=_("answer"), widget=textarea())
    channel = forms.ChoiceField(
        label=_("channel"), choices=CommunicationChannel.choices, initial=CommunicationChannel.PHONE, widget=select()
    )
    answered_at = forms.DateTimeField(
        label=_("answered at"), required=False, widget=DateTimeInput(), help_text=_("Empty means now.")
    )


# The contract review form, F2 (R-5.2.3.1, R-5.1.2)


class SignOffForm(Form):
    sign_off = forms.IntegerField(widget=forms.HiddenInput())
    capability_ok = YesNoField(label=_("capability"))
    capacity_ok = YesNoField(label=_("capacity"))
    delivery_date_ok = YesNoField(label=_("delivery date"))
    quality_ok = YesNoField(label=_("quality requirements"))
    opinion = forms.CharField(
        label=_("opinion"), required=False, widget=textarea(), help_text=_("Required when any answer is no.")
    )


class LegalCheckForm(Form):
    passed = YesNoField(label=_("meets laws and regulations"))
    note = forms.CharField(
        label=_("laws and regulations checked"),
        max_length=300,
        required=False,
        widget=UnfoldAdminTextInputWidget(),
        help_text=_("Which laws, regulations or standards apply; required when the product does not meet them."),
    )


class DecideForm(Form):
    """The decision; with conditions, how each department's "cannot meet" will be met (one field each)."""

    outcome = forms.ChoiceField(label=_("outcome"), choices=ReviewOutcome.choices, widget=select())
    conditions = forms.CharField(
        label=_("conditions"),
        required=False,
        widget=textarea(),
        help_text=_("The conditions of acceptance, or why the order is rejected."),
    )

    def __init__(self, *args, objecting=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.objecting = list(objecting)
        for sign_off in self.objecting:
            self.fields[f"answer_{sign_off.pk}"] = forms.CharField(
                label=_("How %(department)s's “cannot meet” will be met") % {"department": sign_off.department},
                required=False,
                widget=textarea(),
                help_text=sign_off.opinion,
            )

    def answers(self) -> dict[int, str]:
        return {s.pk: self.cleaned_data.get(f"answer_{s.pk}", "") for s in self.objecting}


# Delivering: from stock (R-5.2.3.2) or through production (R-5.2.3.3)


class LineQuantitiesForm(Form):
    """A quantity per order line, prefilled by the view; zero lines are left out."""

    def __init__(self, *args, lines=(), initial_field: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.line_fields = []
        for figures in lines:
            name = f"line_{figures.line.pk}"
            self.fields[name] = quantity_field(
                label=f"{figures.line.line_no}. {figures.line.product.code}",
                required=False,
                initial=plain_quantity(getattr(figures, initial_field)) if initial_field else None,
            )
            self.line_fields.append((name, figures))

    def bound_lines(self):
        return [(self[name], figures) for name, figures in self.line_fields]

    def line_quantities(self) -> list[tuple]:
        return [
            (figures.line, self.cleaned_data[name])
            for name, figures in self.line_fields
            if self.cleaned_data.get(name)
        ]

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.line_quantities() and self.line_fields:
            raise forms.ValidationError(_("Enter a quantity on at least one line."))
        return cleaned


class ShipForm(LineQuantitiesForm):
    note = forms.CharField(label=_("note"), max_length=300, required=False, widget=UnfoldAdminTextInputWidget())


class NoticeIssueForm(LineQuantitiesForm):
    workshop = WorkshopChoiceField(label=_("workshop"))
    due_date = forms.DateField(label=_("due date"), widget=DateInput())
    replenishment = forms.BooleanField(label=_("replenishment (補貨)"), required=False, widget=UnfoldBooleanSwitchWidget())
    instructions = forms.CharField(label=_("instructions"), required=False, widget=textarea())

    def __init__(self, *args, workshops=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workshop"].offer(workshops)


class DeliveryReplyForm(Form):
    promised_date = forms.DateField(label=_("promised delivery date"), widget=DateInput())
    channel = forms.ChoiceField(
        label=_("channel"), choices=CommunicationChannel.choices, initial=CommunicationChannel.PHONE, widget=select()
    )
    summary = forms.CharField(label=_("summary"), required=False, widget=textarea())


# The contract change register, F3


class ChangeRegisterForm(Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ChangeKind.choices, widget=select())
    reason_category = forms.ChoiceField(
        label=_("reason category"),
        choices=[("", "—")] + [c for c in ChangeReasonCategory.choices if c[0] != ChangeReasonCategory.CUSTOMER_REQUEST],
        required=False,
        widget=select(),
        help_text=_("Why the company must delay: material, production, technology, quality, equipment, other."),
    )
    reason = forms.CharField(label=_("reason"), widget=textarea())
    change_details = forms.CharField(label=_("what changes"), required=False, widget=textarea())
    new_due_date = forms.DateField(label=_("new delivery date"), required=False, widget=DateInput())
    requested_via = forms.ChoiceField(
        label=_("requested via"),
        choices=[("", "—"), *CommunicationChannel.choices],
        required=False,
        widget=select(),
        help_text=_("How the customer asked for the change; it goes on the communication record (F5)."),
    )

    def clean(self):
        cleaned = super().clean()
        # A customer's change has one category; the clerk chooses only for a company delay.
        if cleaned.get("kind") == ChangeKind.CUSTOMER:
            cleaned["reason_category"] = ChangeReasonCategory.CUSTOMER_REQUEST
        elif cleaned.get("kind") == ChangeKind.COMPANY and not cleaned.get("reason_category"):
            self.add_error("reason_category", _("Choose why the company must delay the delivery."))
        return cleaned


class ChangeAgreementForm(Form):
    change = forms.IntegerField(widget=forms.HiddenInput())
    agreed_by = forms.CharField(
        label=_("agreed by (customer)"), max_length=100, widget=UnfoldAdminTextInputWidget()
    )
    agreed_at = forms.DateTimeField(label=_("agreed at"), widget=DateTimeInput())
    via = forms.ChoiceField(
        label=_("agreed via"), choices=CommunicationChannel.choices, initial=CommunicationChannel.PHONE, widget=select()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("agreed_at", clock.now().replace(second=0, microsecond=0))


class ChangeWithdrawForm(Form):
    """Withdraw a change; a delay the customer refused says how the refusal came."""

    change = forms.IntegerField(widget=forms.HiddenInput())
    reason = forms.CharField(
        label=_("reason for withdrawal"),
        help_text=_("When the customer refused the change, what they said."),
        widget=textarea(),
    )
    refused_via = forms.ChoiceField(
        label=_("refused by the customer via"),
        choices=[("", _("— not refused: withdrawn by us"))] + list(CommunicationChannel.choices),
        required=False,
        widget=select(),
    )
    refused_at = forms.DateTimeField(label=_("refused at"), required=False, widget=DateTimeInput())


class OrderVoidForm(Form):
    """Void an order registered in error: why (R-5.7)."""

    reason = forms.CharField(
        label=_("reason for voiding"),
        max_length=300,
        help_text=_("For instance: the same fax was registered twice. The order keeps its number."),
        widget=textarea(),
    )


class ChangeApplyForm(LineQuantitiesForm):
    """The agreed change's new due date and, for a customer's change, the new ordered quantities."""

    change = forms.IntegerField(widget=forms.HiddenInput())
    due_date = forms.DateField(label=_("new due date"), required=False, widget=DateInput())

    def clean(self):
        # Quantities are optional here: a delay changes only the date.
        return Form.clean(self)
