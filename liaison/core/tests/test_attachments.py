"""Attachments: scans, photos and PDFs accepted by their content; anything else refused."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from liaison.core.errors import CoreErrorCode, LiaisonError
from liaison.core.models import Attachment
from liaison.core.services import attachment_add
from liaison.core.tests.factories import DepartmentFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def owner(db):
    return DepartmentFactory()


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [("fax.pdf", PDF, "application/pdf"), ("photo.png", None, "image/png")],
)
def test_accepted_types_are_stored_with_checksum(owner, sales_user, name, content, mime):
    content = content or png_bytes()
    attachment = attachment_add(owner=owner, upload=SimpleUploadedFile(name, content), actor=sales_user)
    attachment.refresh_from_db()
    assert attachment.mime_type == mime
    assert attachment.size == len(content)
    assert attachment.owner == owner
    assert attachment.file.read() == content
    assert attachment.history.first().history_change_reason == "Attached"


def test_renamed_executable_is_refused_and_nothing_kept(owner, sales_user):
    upload = SimpleUploadedFile("order.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    with pytest.raises(LiaisonError) as refused:
        attachment_add(owner=owner, upload=upload, actor=sales_user)
    assert refused.value.code == CoreErrorCode.ATTACHMENT_TYPE_REFUSED
    assert "order.pdf" in str(refused.value)
    assert not Attachment.objects.exists()


def test_too_large_is_refused(owner, sales_user, settings):
    settings.LIAISON_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(LiaisonError) as refused:
        attachment_add(owner=owner, upload=SimpleUploadedFile("big.pdf", PDF + b"0" * 2000), actor=sales_user)
    assert refused.value.code == CoreErrorCode.ATTACHMENT_TOO_LARGE
    assert not Attachment.objects.exists()


def test_empty_file_is_refused(owner, sales_user):
    with pytest.raises(LiaisonError) as refused:
        attachment_add(owner=owner, upload=SimpleUploadedFile("empty.pdf", b""), actor=sales_user)
    assert refused.value.code == CoreErrorCode.ATTACHMENT_EMPTY
