"""Story 7 (R-5.7.1): a review form closed 2 years and 1 day ago is archived and disposed of by the
retention job; one closed yesterday cannot be deleted, by any route."""

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
from liaison.orders.models import Order, ReviewRound, ReviewSignOff
from liaison.records import services
from liaison.records.models import DisposalLogEntry
from liaison.records.tests.factories import NOW, decided_round, years_ago

pytestmark = pytest.mark.django_db


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_story_7_review_form_closed_two_years_and_a_day_ago_is_archived_logged_and_disposed(archive_dir, pdf_text):
    old = decided_round(years_ago(2, days=1))
    recent = decided_round(NOW - dt.timedelta(days=1))
    old_pk, old_order_pk = old.pk, old.order_id
    old_number = f"{old.order.number}-R{old.number}"
    sign_off_ids = list(old.sign_offs.values_list("pk", flat=True))
    history_count = old.history.count()
    assert sign_off_ids and history_count >= 2

    with clock.frozen(NOW):
        report = services.disposal_run(batch_size=10)

    # Removed, with its sign-offs and its history; the order (F1, still open) and the recent round stay.
    assert not ReviewRound.objects.filter(pk=old_pk).exists()
    assert not ReviewSignOff.objects.filter(pk__in=sign_off_ids).exists()
    assert not ReviewRound.history.model.objects.filter(id=old_pk).exists()
    assert Order.objects.filter(pk=old_order_pk).exists()
    assert ReviewRound.objects.filter(pk=recent.pk).exists()
    assert not CommunicationRecord.objects.filter(
        about_type=ContentType.objects.get_for_model(ReviewRound), about_id=old_pk
    ).exists()

    # Logged once, with the policy and a checksum that matches the archive's files.
    entry = DisposalLogEntry.objects.get()
    assert (entry.record_type, entry.object_id, entry.number) == ("F2", old_pk, old_number)
    assert entry.run == report.run and report.run.disposed == 1 and not report.run.dry_run
    assert entry.policy.record_type == "F2" and entry.policy_period == "2 years"
    assert entry.retention_started == years_ago(2, days=1)
    assert entry.retention_ended == years_ago(0, days=1)
    folder = archive_dir / "F2" / "2024" / old_number
    assert entry.archive_path == str(folder)
    sums = folder / "SHA256SUMS"
    assert entry.sha256 == _sha256(sums)
    listed = dict(line.split("  ")[::-1] for line in sums.read_text().splitlines())
    assert set(listed) == {f"{old_number}.pdf", "record.json"}
    for name, digest in listed.items():
        assert _sha256(folder / name) == digest

    # The PDF opens and is the review form of that round.
    text = pdf_text(folder / f"{old_number}.pdf")
    assert "F2" in text and old_number.split("-R")[0] in text

    # The JSON has the record, its sign-offs and its full history (who, when, why, every value).
    document = json.loads((folder / "record.json").read_text())
    assert document["record"]["pk"] == old_pk and document["number"] == old_number
    history = document["record"]["history"]
    assert len(history) == history_count
    assert history[0]["type"] == "created" and history[-1]["values"]["status"] == "decided"
    assert all({"date", "user", "change_reason", "values"} <= set(row) for row in history)
    assert any(row["change_reason"] for row in history)
    assert {part["pk"] for part in document["parts"] if part["model"] == "orders.ReviewSignOff"} == set(sign_off_ids)


@pytest.fixture
def administrator(user_with_role):
    return user_with_role(Role.ADMINISTRATOR, is_superuser=True)


def test_story_7_review_form_closed_yesterday_cannot_be_deleted_by_any_route(archive_dir, client, administrator):
    recent = decided_round(NOW - dt.timedelta(days=1))
    client.force_login(administrator)

    with clock.frozen(NOW):
        # The back office: the delete page and the bulk delete action.
        page = client.get(reverse("admin:orders_reviewround_delete", args=[recent.pk]))
        assert page.status_code == 403
        assert "cannot be deleted" in page.content.decode()
        bulk = client.post(
            reverse("admin:orders_reviewround_changelist"),
            {"action": "delete_selected", "_selected_action": [recent.pk], "post": "yes"},
            follow=True,
        )
        assert "cannot be deleted" in bulk.content.decode()
        # The API has no DELETE.
        api = client.delete(f"/api/v1/review-rounds/{recent.pk}/")
        assert api.status_code == 405
        # The shell: the instance gets the retention guard's reason (AuditedModel.delete asks before
        # Django's PROTECT check); for a queryset Django's PROTECT check on its sign-offs runs before
        # any signal, so the round is refused by it; its sign-offs, deleted first to get round that,
        # are refused by the retention guard with its message.
        with pytest.raises(LiaisonError) as refused, transaction.atomic():
            ReviewRound.objects.get(pk=recent.pk).delete()
        assert "kept until" in str(refused.value)
        with pytest.raises((LiaisonError, ProtectedError)), transaction.atomic():
            ReviewRound.objects.filter(pk=recent.pk).delete()
        with pytest.raises(LiaisonError) as refused, transaction.atomic():
            recent.sign_offs.all().delete()
        assert "is part of a retained record" in str(refused.value)
        with pytest.raises(LiaisonError) as refused, transaction.atomic():
            recent.sign_offs.first().delete()
        assert "only with that record, by the disposal job" in str(refused.value)
        # And the disposal job leaves it alone.
        services.disposal_run()

    assert ReviewRound.objects.filter(pk=recent.pk).exists()
    assert recent.sign_offs.count() == 4
    assert not DisposalLogEntry.objects.exists()
