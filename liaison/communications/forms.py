"""Forms of the communications app: they collect input and hand it to the services, nothing more.

The back office's add forms run their service while they are validated, inside the admin's
transaction, so a refused file or date comes back as an error on the form: nothing saved,
no number used. The void page's form is a step of ``views``.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminFileFieldWidget

from liaison.communications import services
from liaison.communications.models import CommunicationRecord, ReceivedDocument
from liaison.core.admin_base import ServiceForm
from liaison.core.forms import Form


class MultipleFileInput(UnfoldAdminFileFieldWidget):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class ReceivedDocumentCatalogueForm(ServiceForm):
    file = MultipleFileField(
        label=_("File(s)"),
        required=False,
        help_text=_("The fax or scan as PDF or image; required for a fax or a scanned order."),
    )

    class Meta:
        model = ReceivedDocument
        fields = ["customer", "channel", "received_at", "summary"]

    def call_service(self, data):
        return services.received_document_catalogue(
            customer=data["customer"],
            channel=data["channel"],
            received_at=data.get("received_at"),
            summary=data["summary"],
            upload=data.get("file") or [],
            actor=self.actor,
        )


class CommunicationRecordForm(ServiceForm):
    class Meta:
        model = CommunicationRecord
        fields = ["customer", "occurred_at", "channel", "direction", "topic", "summary"]

    def call_service(self, data):
        return services.communication_record(
            customer=data["customer"],
            occurred_at=data.get("occurred_at"),
            channel=data["channel"],
            direction=data["direction"],
            topic=data["topic"],
            summary=data["summary"],
            actor=self.actor,
        )


class VoidForm(Form):
    """The reason a document is voided (``services.received_document_void``)."""

    reason = forms.CharField(
        label=_("Reason for voiding"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The document keeps its number; the reason is kept with it."),
    )
