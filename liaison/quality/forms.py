"""Forms of the complaint pages (F6): they collect input for one service call, nothing more.

Every rule of the procedure is checked by the services (``services/``); a refusal comes
back as a ``LiaisonError`` and the page puts it on the form (``Form.add_service_error``),
beside the field concerned, with everything typed still there. The CAPA forms (F7) are
in ``capa/forms.py``.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.forms import DateInput, Form, WorkshopChoiceField, quantity_field, radio, select, text_input, textarea
from liaison.customers.forms import CustomerChoiceField
from liaison.customers.selectors import customer_choices
from liaison.orders import selectors as order_selectors
from liaison.quality.services.complaints import WHY_CHAIN_MAX
from liaison.quality.states import CauseCategory, ComplaintChannel, ComplaintKind, Disposition
from liaison.stock.selectors import product_choices

# Registering a complaint or a return (R-5.5.1.1, R-5.5.2.1)


class ComplaintRegisterForm(Form):
    customer = CustomerChoiceField(
        label=_("customer"), queryset=customer_choices(), widget=select()
    )
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=ComplaintKind.choices,
        initial=ComplaintKind.COMPLAINT,
        widget=radio(),
    )
    channel = forms.ChoiceField(label=_("received by"), choices=ComplaintChannel.choices, widget=select())
    complaint_date = forms.DateField(label=_("complaint date"), widget=DateInput())
    content = forms.CharField(label=_("content of the complaint"), widget=textarea(4))
    order = forms.TypedChoiceField(
        label=_("order"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=select(),
        help_text=_("Where known: the customer's order the complaint is about; choose the customer first."),
    )
    product = forms.ModelChoiceField(
        label=_("product"), queryset=product_choices(), required=False, widget=select()
    )
    lot = forms.CharField(label=_("lot / batch"), max_length=60, required=False, widget=text_input())
    requested_remedy = forms.CharField(label=_("remedy the customer asks for"), required=False, widget=textarea())

    def __init__(self, *args, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("complaint_date", clock.today())
        if customer is None and self.is_bound:
            customer = self.fields["customer"].queryset.filter(pk=self.data.get("customer") or None).first()
        self.orders = {order.pk: order for order in order_selectors.order_list(customer=customer)[:100]} if customer else {}
        self.fields["order"].choices = [("", "—")] + [
            (order.pk, f"{order.number}{' · ' + order.customer_po if order.customer_po else ''}")
            for order in self.orders.values()
        ]

    def clean_order(self):
        pk = self.cleaned_data.get("order")
        return self.orders.get(pk) if pk else None


class ReturnLineForm(Form):
    product = forms.ModelChoiceField(label=_("product"), queryset=product_choices(), widget=select())
    quantity = quantity_field(label=_("quantity returned"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].widget.attrs["data-role"] = "product"


class BaseReturnLineFormSet(forms.BaseFormSet):
    def lines(self) -> list[dict]:
        return [
            {"product": form.cleaned_data["product"], "quantity": form.cleaned_data["quantity"]}
            for form in self.forms
            if form.cleaned_data
        ]

    def add_service_error(self, error: LiaisonError) -> bool:
        """Put a refusal about one product on that product's lines; False when no line is concerned."""
        product = error.params.get("product")
        placed = False
        for form in self.forms:
            chosen = form.cleaned_data.get("product") if hasattr(form, "cleaned_data") else None
            if product and chosen is not None and str(chosen) == product:
                form.add_error("quantity", str(error))
                placed = True
        return placed


ReturnLineFormSet = forms.formset_factory(ReturnLineForm, formset=BaseReturnLineFormSet, extra=1, can_delete=False)


def return_line_formset(data=None) -> BaseReturnLineFormSet:
    return ReturnLineFormSet(data, prefix="lines")


# The complaint page (R-5.5.1.1 – R-5.5.2.3)


class AcknowledgeForm(Form):
    """Sales passes the complaint to QC; nothing to type."""


class InvestigateForm(Form):
    # The service refuses the 5-why chain as a whole; the page shows it beside the first "why?".
    service_fields = {"why_chain": "why_1"}

    cause_category = forms.ChoiceField(
        label=_("cause (6M)"), choices=[("", "—"), *CauseCategory.choices], widget=select()
    )
    root_cause = forms.CharField(label=_("root cause"), required=False, widget=textarea())
    containment = forms.CharField(label=_("containment taken"), required=False, widget=textarea())
    company_at_fault = forms.TypedChoiceField(
        label=_("company at fault"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=radio(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The 5-why chain: one box per "why?", the first required by the service.
        for index in range(1, WHY_CHAIN_MAX + 1):
            self.fields[f"why_{index}"] = forms.CharField(
                label=_("why %(n)s?") % {"n": index}, max_length=300, required=False, widget=text_input()
            )
        order = ["cause_category", *(f"why_{i}" for i in range(1, WHY_CHAIN_MAX + 1)), "root_cause"]
        self.order_fields([*order, "containment", "company_at_fault"])
        # Empty boxes are allowed here; the service refuses an empty chain.
        self.fields["cause_category"].required = False

    def why_chain(self) -> list[str]:
        return [self.cleaned_data[f"why_{i}"] for i in range(1, WHY_CHAIN_MAX + 1) if self.cleaned_data.get(f"why_{i}")]

    def why_fields(self):
        return [self[f"why_{i}"] for i in range(1, WHY_CHAIN_MAX + 1)]


class InspectForm(Form):
    """QC's inspection of what arrived of one returned line (a part or all): it is all good or nonconforming."""

    line = forms.IntegerField(widget=forms.HiddenInput())
    arrived = quantity_field(
        label=_("quantity arrived"), help_text=_("What arrived this time; the rest can be inspected when it comes.")
    )
    good = quantity_field(label=_("passed inspection"))
    nonconforming = quantity_field(label=_("nonconforming"))
    replacement_needed = quantity_field(label=_("replacement needed"), required=False)
    nonconformity = forms.CharField(
        label=_("nonconformity"),
        required=False,
        widget=textarea(),
        help_text=_("What is wrong with the nonconforming goods; they go to a nonconformance record."),
    )


class NotComingForm(Form):
    """The rest of a returned line will not arrive: why (the one who records it signs)."""

    line = forms.IntegerField(widget=forms.HiddenInput())
    reason = forms.CharField(label=_("why it is not coming"), widget=textarea(2))


class DisposeForm(Form):
    record = forms.IntegerField(widget=forms.HiddenInput())
    disposition = forms.ChoiceField(label=_("disposition"), choices=[("", "—"), *Disposition.choices], widget=select())
    concession_authorised_by = forms.CharField(
        label=_("concession authorised by"),
        max_length=100,
        required=False,
        widget=text_input(),
        help_text=_("Required for a concession."),
    )
    note = forms.CharField(label=_("disposition note"), required=False, widget=textarea())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["disposition"].required = False  # the service names the missing choice


class ReplaceForm(Form):
    workshop = WorkshopChoiceField(label=_("workshop"), required=False)
    due_date = forms.DateField(label=_("due date"), required=False, widget=DateInput())

    def __init__(self, *args, workshops=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workshop"].offer(workshops)


class ResultForm(Form):
    result = forms.CharField(label=_("handling result"), widget=textarea(3))


class FeedBackForm(Form):
    channel = forms.ChoiceField(
        label=_("channel"), choices=ComplaintChannel.choices, initial=ComplaintChannel.PHONE, widget=select()
    )
    contact = forms.CharField(
        label=_("contact at the customer"), max_length=100, required=False, widget=text_input()
    )
    summary = forms.CharField(label=_("feedback to the customer"), widget=textarea(3))

    def feedback_text(self) -> str:
        """What goes on F6 and F5: the text, preceded by whom it was told to when given."""
        contact, summary = self.cleaned_data.get("contact", "").strip(), self.cleaned_data["summary"]
        return f"{contact}: {summary}" if contact else summary


class CloseForm(Form):
    """Close the complaint; refused until the result has been fed back (R-5.5.1.3)."""


class VoidForm(Form):
    """The Sales head voids a complaint registered in error, before QC investigates it; its number stays."""

    reason = forms.CharField(label=_("why it is voided"), widget=textarea(2))
