"""Status badges in the back office lists show the translated label for every status."""

import pytest
from django.contrib import admin
from django.utils import translation

from liaison.core.admin_base import status_labels
from liaison.quality.states import ComplaintStatus
from liaison.quality.tests.factories import complaint as complaint_registered

pytestmark = pytest.mark.django_db


def test_every_status_has_an_entry_neutral_unless_coloured():
    labels = status_labels(ComplaintStatus, VOID="danger")
    assert set(labels) == set(ComplaintStatus.values)
    assert labels[ComplaintStatus.VOID] == "danger" and labels[ComplaintStatus.REGISTERED] == ""


def test_complaint_list_badge_shows_the_translated_status_not_the_raw_value():
    from unfold.utils import display_for_label

    from liaison.quality.models import Complaint

    complaint_admin = admin.site._registry[Complaint]
    complaint = complaint_registered()
    assert complaint.status == ComplaintStatus.REGISTERED
    with translation.override("zh-hant"):
        value = complaint_admin.status_label(complaint)
        html = display_for_label(value, "-", complaint_admin.status_label.label)
        assert str(ComplaintStatus.REGISTERED.label) in html
    assert "registered<" not in html and "REGISTERED" not in html
