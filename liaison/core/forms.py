"""The form kit of the workflow pages: widgets in unfold's style, fields and the page form.

A page form collects the input of one service call, nothing more. Every rule of the
procedure is checked by the service; its refusal (a ``LiaisonError``) comes back onto the
form with ``Form.add_service_error``, beside the field concerned, with everything the
clerk typed still there.
"""

from decimal import Decimal

from django import forms
from django.contrib.admin.options import HORIZONTAL
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    INPUT_CLASSES,
    UnfoldAdminDecimalFieldWidget,
    UnfoldAdminRadioSelectWidget,
    UnfoldAdminSelectMultipleWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
)

from liaison.core.errors import LiaisonError
from liaison.core.models import Department
from liaison.core.quantities import format_quantity

_CLASSES = " ".join(INPUT_CLASSES)


class DateInput(forms.DateInput):
    """The browser's own date picker, styled like unfold's inputs."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": _CLASSES, **(attrs or {})}, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": _CLASSES, **(attrs or {})}, format="%Y-%m-%dT%H:%M")


def textarea(rows: int = 2) -> UnfoldAdminTextareaWidget:
    return UnfoldAdminTextareaWidget(attrs={"rows": rows})


def select() -> UnfoldAdminSelectWidget:
    return UnfoldAdminSelectWidget()


def text_input() -> UnfoldAdminTextInputWidget:
    return UnfoldAdminTextInputWidget()


def radio() -> UnfoldAdminRadioSelectWidget:
    """Choices side by side, each a click: for a few short answers."""
    return UnfoldAdminRadioSelectWidget(radio_style=HORIZONTAL)


def select_multiple(size: int = 6) -> UnfoldAdminSelectMultipleWidget:
    return UnfoldAdminSelectMultipleWidget(attrs={"size": size})


def quantity_field(**kwargs) -> forms.DecimalField:
    """A quantity as the procedure counts goods: up to three decimals, never negative."""
    return forms.DecimalField(
        max_digits=14, decimal_places=3, min_value=Decimal(0), widget=UnfoldAdminDecimalFieldWidget(), **kwargs
    )


def plain_quantity(quantity: Decimal) -> Decimal:
    """120.000 → 120, so a prefilled box shows what a clerk would type."""
    return Decimal(format_quantity(quantity))


def add_service_error(form: forms.Form, error: LiaisonError) -> None:
    """Show a service's refusal on the field it concerns, or above the form."""
    form.add_error(error.field if error.field in form.fields else None, str(error))


class Form(forms.Form):
    """A page form: labels start with a capital, and a service's refusal lands on its field.

    ``service_fields`` maps an input a service names (``why_chain``) to the box that
    shows it on the page (``why_1``), or to None to show the refusal above the form.
    """

    service_fields: dict[str, str | None] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.label = capfirst(field.label)

    def field_for(self, name: str | None) -> str | None:
        """The field of this form that shows a refusal about the service's input ``name``."""
        field = self.service_fields.get(name, name)
        return field if field in self.fields else None

    def add_service_error(self, error: LiaisonError) -> None:
        self.add_error(self.field_for(error.field), str(error))


class YesNoField(forms.TypedChoiceField):
    """A ✓/✗ answer; both must be chosen explicitly."""

    def __init__(self, **kwargs):
        super().__init__(
            choices=[("yes", _("✓ yes")), ("no", _("✗ no"))],
            coerce=lambda value: value == "yes",
            widget=radio(),
            **kwargs,
        )


class WorkshopChoiceField(forms.ModelChoiceField):
    """One of the given workshops (the departments a production notice can go to)."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Department.objects.none(), widget=select(), **kwargs)

    def offer(self, workshops) -> None:
        self.queryset = Department.objects.filter(pk__in=[workshop.pk for workshop in workshops])
        self.choices = [("", "—")] + [(workshop.pk, str(workshop)) for workshop in workshops]


class PersonChoiceField(forms.ModelChoiceField):
    """A user, shown by name."""

    def label_from_instance(self, user) -> str:
        return user.get_full_name() or user.get_username()


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    """Users, shown by name."""

    def label_from_instance(self, user) -> str:
        return user.get_full_name() or user.get_username()
