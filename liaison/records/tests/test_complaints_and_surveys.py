"""R-5.7.2 complaint reports (F6) and R-5.7.3 survey forms (F10): guarded before their retention ends,
archived, logged and disposed of after — as story 7 proves it for review forms (F2)."""

import datetime as dt
import hashlib
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse

from liaison.communications.models import CommunicationRecord
from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.roles import Role
from liaison.core.tests.factories import local, sales, sales_head
from liaison.customers.tests.factories import CustomerFactory
from liaison.quality.models import Complaint
from liaison.quality.tests.factories import closed, voided
from liaison.records import registry, selectors, services
from liaison.records.models import DisposalLogEntry, RetentionPolicy
from liaison.records.tests.factories import NOW, years_ago
from liaison.satisfaction import services as satisfaction_services
from liaison.satisfaction.models import SurveyForm, SurveyScore
from liaison.satisfaction.states import SurveySource
from liaison.satisfaction.tests.factories import customer_with_contact, scores, sent_round

pytestmark = pytest.mark.django_db


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def administrator(user_with_role):
    return user_with_role(Role.ADMINISTRATOR, is_superuser=True)


def _start(code: str, record) -> dt.datetime | None:
    return registry.get(code).queryset().filter(pk=record.pk).values_list("retention_start", flat=True).get()


def _assert_archived(archive_dir, entry, number: str, pdf_text, form: str) -> dict:
    """The log entry's archive holds the printed form and the JSON, and its checksum covers both."""
    folder = archive_dir / entry.record_type / str(clock_year(entry)) / number
    assert entry.archive_path == str(folder)
    sums = folder / "SHA256SUMS"
    assert entry.sha256 == _sha256(sums)
    listed = dict(line.split("  ")[::-1] for line in sums.read_text().splitlines())
    assert set(listed) == {f"{number}.pdf", "record.json"}
    for name, digest in listed.items():
        assert _sha256(folder / name) == digest
    assert form in pdf_text(folder / f"{number}.pdf")
    return json.loads((folder / "record.json").read_text())


def clock_year(entry) -> int:
    from django.utils import timezone

    return timezone.localtime(entry.retention_started).year


# --- complaint reports (F6) --------------------------------------------------------------


def _closed_complaint(at: dt.datetime) -> Complaint:
    with clock.frozen(at):
        return closed()


def test_r_5_7_2_complaint_report_closed_two_years_and_a_day_ago_is_archived_logged_and_disposed(
    archive_dir, pdf_text
):
    old = _closed_complaint(years_ago(2, days=1))
    with clock.frozen(years_ago(2, days=1)):
        old_void = voided()
    recent = _closed_complaint(NOW - dt.timedelta(days=1))
    assert old.closed_at == years_ago(2, days=1) and old_void.voided_at == years_ago(2, days=1)
    old_history = old.history.count()
    complaint_type = ContentType.objects.get_for_model(Complaint)
    assert CommunicationRecord.objects.filter(about_type=complaint_type, about_id=old.pk).exists()

    with clock.frozen(NOW):
        report = services.disposal_run(batch_size=10)

    # Both gone with their history and F5 records; the recent one stays.
    assert not Complaint.objects.filter(pk__in=[old.pk, old_void.pk]).exists()
    assert not Complaint.history.model.objects.filter(id=old.pk).exists()
    assert not CommunicationRecord.objects.filter(about_type=complaint_type, about_id=old.pk).exists()
    assert Complaint.objects.filter(pk=recent.pk).exists()
    assert report.run.disposed == 2

    entry = DisposalLogEntry.objects.get(object_id=old.pk)
    assert (entry.record_type, entry.number, entry.policy.record_type) == ("F6", old.number, "F6")
    assert entry.retention_started == years_ago(2, days=1)
    assert entry.retention_ended == years_ago(0, days=1) == selectors.retention_end(entry.policy, old.closed_at)
    document = _assert_archived(archive_dir, entry, old.number, pdf_text, "F6")
    assert document["record"]["pk"] == old.pk and len(document["record"]["history"]) == old_history
    assert DisposalLogEntry.objects.filter(record_type="F6", object_id=old_void.pk).exists()


def test_r_5_7_2_complaint_report_closed_yesterday_cannot_be_deleted_by_any_route(archive_dir, client, administrator):
    recent = _closed_complaint(NOW - dt.timedelta(days=1))
    client.force_login(administrator)
    with clock.frozen(NOW):
        page = client.get(reverse("admin:quality_complaint_delete", args=[recent.pk]))
        assert page.status_code == 403 and "cannot be deleted" in page.content.decode()
        assert client.delete(f"/api/v1/complaints/{recent.pk}/").status_code in {403, 405}
        with pytest.raises(LiaisonError) as refused, transaction.atomic():
            Complaint.objects.get(pk=recent.pk).delete()
        assert "kept until" in str(refused.value)
        with pytest.raises((LiaisonError, ProtectedError)), transaction.atomic():
            Complaint.objects.filter(pk=recent.pk).delete()
        services.disposal_run()
    assert Complaint.objects.filter(pk=recent.pk).exists()
    assert not DisposalLogEntry.objects.exists()


# --- survey forms (F10) ------------------------------------------------------------------


def _interview_form(at: dt.datetime) -> SurveyForm:
    with clock.frozen(at):
        return satisfaction_services.satisfaction_record(
            customer=CustomerFactory(), source=SurveySource.INTERVIEW, scores=scores(), actor=sales()
        )


def test_r_5_7_3_survey_form_entered_two_years_and_a_day_ago_is_archived_logged_and_disposed(archive_dir, pdf_text):
    old = _interview_form(years_ago(2, days=1))
    recent = _interview_form(NOW - dt.timedelta(days=1))
    score_ids = list(old.scores.values_list("pk", flat=True))
    assert score_ids

    with clock.frozen(NOW):
        report = services.disposal_run(batch_size=10)

    assert not SurveyForm.objects.filter(pk=old.pk).exists()
    assert not SurveyScore.objects.filter(pk__in=score_ids).exists()
    assert not SurveyForm.history.model.objects.filter(id=old.pk).exists()
    assert SurveyForm.objects.filter(pk=recent.pk).exists()
    entry = DisposalLogEntry.objects.get()
    assert (entry.record_type, entry.object_id, entry.number) == ("F10", old.pk, old.number)
    assert entry.run == report.run and entry.policy_period == "2 years"
    assert entry.retention_started == years_ago(2, days=1)
    assert entry.retention_ended == years_ago(0, days=1)
    document = _assert_archived(archive_dir, entry, old.number, pdf_text, "F10")
    assert {part["pk"] for part in document["parts"] if part["model"] == "satisfaction.SurveyScore"} == set(score_ids)


def test_r_5_7_3_survey_form_entered_yesterday_cannot_be_deleted_by_any_route(archive_dir, client, administrator):
    recent = _interview_form(NOW - dt.timedelta(days=1))
    client.force_login(administrator)
    with clock.frozen(NOW):
        page = client.get(reverse("admin:satisfaction_surveyform_delete", args=[recent.pk]))
        assert page.status_code == 403 and "cannot be deleted" in page.content.decode()
        with pytest.raises(LiaisonError) as refused, transaction.atomic():
            SurveyForm.objects.get(pk=recent.pk).delete()
        assert "kept until" in str(refused.value)
        with pytest.raises((LiaisonError, ProtectedError)), transaction.atomic():
            SurveyForm.objects.filter(pk=recent.pk).delete()
        with pytest.raises(LiaisonError) as refused, transaction.atomic():
            recent.scores.first().delete()
        assert "part of a retained record" in str(refused.value)
        services.disposal_run()
    assert SurveyForm.objects.filter(pk=recent.pk).exists() and recent.scores.count() == 5
    assert not DisposalLogEntry.objects.exists()


def _unreturned_form(meeting_date: dt.date) -> SurveyForm:
    _round, (form,) = sent_round(meeting_date=meeting_date, customers=[customer_with_contact()], actor=sales())
    return form


def test_r_5_7_3_a_form_never_returned_starts_its_retention_when_voided(archive_dir):
    """Voided by hand: from the void. Not returned in time (void by R-5.6.3): from the end of its last valid day."""
    by_hand = _unreturned_form(dt.date(2024, 9, 1))
    with clock.frozen(local(2024, 7, 20)):
        satisfaction_services.form_void(form=by_hand, reason="寄錯客戶", actor=sales_head())
    expired = _unreturned_form(dt.date(2024, 10, 1))
    assert expired.returned_on is None and expired.voided_at is None
    end_of_validity = local(expired.valid_until.year, expired.valid_until.month, expired.valid_until.day, 0) + (
        dt.timedelta(days=1)
    )
    assert _start("F10", by_hand) == local(2024, 7, 20)
    assert _start("F10", expired) == end_of_validity

    policy = RetentionPolicy.objects.get(record_type="F10")
    with clock.frozen(end_of_validity + dt.timedelta(days=1)):
        with pytest.raises(LiaisonError) as refused, transaction.atomic():
            SurveyForm.objects.get(pk=expired.pk).delete()
        assert "kept until" in str(refused.value)
    ends = selectors.retention_end(policy, end_of_validity)
    with clock.frozen(ends):
        services.disposal_run()
    assert SurveyForm.objects.filter(pk=expired.pk).exists()
    with clock.frozen(ends + dt.timedelta(seconds=1)):
        services.disposal_run()
    assert not SurveyForm.objects.filter(pk__in=[expired.pk, by_hand.pk]).exists()
    assert DisposalLogEntry.objects.get(object_id=expired.pk, record_type="F10").retention_started == end_of_validity
