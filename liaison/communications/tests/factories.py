"""Received documents (F2 catalogue) and communication records (F5), made through the services."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from liaison.communications import services
from liaison.communications.states import CommunicationChannel, Direction, ReceivedChannel, Topic
from liaison.core.tests.factories import sales
from liaison.customers.tests.factories import CustomerFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "fax.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name: str = "scan.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def executable(name: str = "order.pdf") -> SimpleUploadedFile:
    """A renamed program: refused by its content whatever its name says."""
    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")


def received_document(**overrides):
    """Catalogue a faxed document through the service (sender and clerk made when not given)."""
    values = {
        "customer": overrides.pop("customer", None) or CustomerFactory(),
        "channel": ReceivedChannel.FAX,
        "summary": "訂單 PO-778",
        "upload": pdf(),
        "actor": overrides.pop("actor", None) or sales(),
    }
    values.update(overrides)
    return services.received_document_catalogue(**values)


def communication(**overrides):
    values = {
        "customer": overrides.pop("customer", None) or CustomerFactory(),
        "channel": CommunicationChannel.PHONE,
        "direction": Direction.FROM_CUSTOMER,
        "topic": Topic.INQUIRY,
        "summary": "詢問 M6 螺栓交期",
    }
    values.update(overrides)
    if "actor" not in values:
        values["actor"] = sales()
    return services.communication_record(**values)
