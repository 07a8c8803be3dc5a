"""Attached files are served only to signed-in users allowed to read them and their record."""

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction
from django.urls import reverse

from liaison.communications.tests.factories import PDF, pdf, received_document
from liaison.core.roles import Role
from liaison.core.services import attachment_add
from liaison.core.tests.factories import WorkshopFactory, workshop_lead
from liaison.production.tests.factories import notice


@pytest.fixture
def attachment(db, sales_user):
    return received_document(actor=sales_user).attachments.get()


def _url(attachment) -> str:
    return reverse("attachment-download", args=[attachment.pk])


def test_anonymous_is_sent_to_login(client, attachment):
    response = client.get(_url(attachment))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_media_url_is_not_served(client, attachment, settings):
    settings.DEBUG = True
    assert client.get(f"/{settings.MEDIA_URL}{attachment.file.name}").status_code == 404


@pytest.mark.parametrize(
    "role",
    [Role.WAREHOUSE_CLERK, Role.WORKSHOP_LEAD],  # attachments but not faxes; neither
    ids=lambda role: role.value,
)
def test_role_without_the_records_view_permission_is_refused(client_as, attachment, role):
    assert client_as(role).get(_url(attachment)).status_code == 403


@pytest.mark.parametrize("role", [Role.SALES_STAFF, Role.QC_INSPECTOR, Role.MANAGEMENT], ids=lambda r: r.value)
def test_reader_gets_the_bytes_with_the_original_name(client_as, attachment, role):
    response = client_as(role).get(_url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="fax.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_unknown_attachment_is_404(client, sales_user):
    client.force_login(sales_user)
    assert client.get(reverse("attachment-download", args=[999999])).status_code == 404


def test_object_rule_of_the_owner_applies(client, db):
    """A workshop reads the files of its own notices only (production's object rule)."""
    own, other = WorkshopFactory(), WorkshopFactory()
    lead = workshop_lead(own)
    lead.user_permissions.add(Permission.objects.get(codename="view_attachment"))
    their_notice, our_notice = notice(workshop=other), notice(workshop=own)
    with transaction.atomic():
        theirs = attachment_add(owner=their_notice, upload=pdf(), actor=None)
        ours = attachment_add(owner=our_notice, upload=pdf(), actor=None)
    client.force_login(lead)
    assert client.get(_url(theirs)).status_code == 403
    assert client.get(_url(ours)).status_code == 200


def test_admin_links_to_the_checked_download(client_as, attachment):
    client = client_as(Role.ADMINISTRATOR)
    for url in (
        reverse("admin:core_attachment_changelist"),
        reverse("admin:core_attachment_change", args=[attachment.pk]),
    ):
        html = client.get(url).content.decode()
        assert _url(attachment) in html and "/media/" not in html, url
