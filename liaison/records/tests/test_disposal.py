"""The disposal job (R-5.7.1, R-5.7.2): dry run, batches, failures, PROTECT chains, the command."""

import datetime as dt
import json
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command

from liaison.core import clock
from liaison.core.tests.factories import WorkshopFactory, workshop_lead
from liaison.orders.models import Order, ReviewRound
from liaison.orders.tests.factories import OrderFactory, accepted_order, review_pass
from liaison.production import services as production_services
from liaison.production.models import ProductionNotice
from liaison.quality.tests.factories import complaint
from liaison.records import archive, services
from liaison.records.models import DisposalLogEntry, DisposalRun
from liaison.records.tests.factories import NOW, decided_round, years_ago

pytestmark = pytest.mark.django_db


def test_r_5_7_1_dry_run_lists_what_would_go_and_changes_nothing(archive_dir):
    old = decided_round(years_ago(2, days=1))
    with clock.frozen(NOW):
        out = StringIO()
        call_command("liaison_dispose", "--dry-run", stdout=out)
    text = out.getvalue()
    number = f"{old.order.number}-R1"
    assert f"would dispose of F2 {number}" in text and "retention ended 2026-11-26" in text
    assert ReviewRound.objects.filter(pk=old.pk).exists()
    assert not DisposalRun.objects.exists() and not DisposalLogEntry.objects.exists()
    assert not archive_dir.exists()


def test_r_5_7_1_batches_commit_one_by_one_and_a_failure_leaves_later_ones_untouched(archive_dir):
    rounds = [decided_round(years_ago(3, days=n)) for n in (3, 2, 1)]  # oldest first
    real_write = archive.write
    calls = {"n": 0}

    def failing_write(folder, content):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real_write(folder, content)

    with clock.frozen(NOW), mock.patch.object(archive, "write", failing_write), pytest.raises(OSError):
        services.disposal_run(batch_size=1)
    # Batch 1 disposed of and logged; batch 2 rolled back with no archive left; batch 3 untouched.
    assert not ReviewRound.objects.filter(pk=rounds[0].pk).exists()
    assert ReviewRound.objects.filter(pk__in=[rounds[1].pk, rounds[2].pk]).count() == 2
    assert list(DisposalLogEntry.objects.values_list("object_id", flat=True)) == [rounds[0].pk]
    run = DisposalRun.objects.get()
    assert run.disposed == 1 and "disk full" in run.error
    assert len(list((archive_dir / "F2").glob("*/*"))) == 1

    # Re-run: picks up exactly what is still due.
    with clock.frozen(NOW):
        out = StringIO()
        call_command("liaison_dispose", "--batch-size", "2", stdout=out)
    assert "batch 1: 2 disposed of" in out.getvalue()
    assert not ReviewRound.objects.filter(pk__in=[r.pk for r in rounds]).exists()
    assert DisposalLogEntry.objects.count() == 3  # their orders (accepted, not delivered) are kept
    logged = DisposalLogEntry.objects.count()
    with clock.frozen(NOW):
        services.disposal_run()
    assert DisposalLogEntry.objects.count() == logged


def _completed_notice(order, at):
    workshop = WorkshopFactory()
    with clock.frozen(at):
        line = order.lines.get()
        notice = production_services.notice_issue(
            order=order, workshop=workshop, due_date=clock.today() + dt.timedelta(days=7),
            lines=[{"product": line.product, "order_line": line, "quantity": line.quantity}],
            actor=order.created_by,
        )
    with clock.frozen(at + dt.timedelta(days=5)):
        production_services.notice_complete(notice=notice, actor=workshop_lead(workshop))
    return notice


def test_r_5_7_1_an_order_goes_only_when_all_of_its_chain_is_past_retention(archive_dir):
    with clock.frozen(years_ago(3)):
        order = accepted_order()
    notice = _completed_notice(order, years_ago(3))
    assert order.review_rounds.count() == 1
    with clock.frozen(years_ago(1)):
        retained = OrderFactory()  # under review: open, kept

    with clock.frozen(NOW):
        report = services.disposal_run()
    # Round (F2) and notice (F4) first, then the order (F1) with its lines, children-first.
    assert not ProductionNotice.objects.filter(pk=notice.pk).exists()
    assert not Order.objects.filter(pk=order.pk).exists()
    assert Order.objects.filter(pk=retained.pk).exists()
    logged = list(DisposalLogEntry.objects.order_by("pk").values_list("record_type", flat=True))
    assert logged == ["F2", "F4", "F1"] and report.run.disposed == 3
    f1 = DisposalLogEntry.objects.get(record_type="F1")
    document = json.loads((archive_dir / "F1" / str(timezone_year(f1)) / order.number / "record.json").read_text())
    assert {part["model"] for part in document["parts"]} >= {"orders.OrderLine"}
    assert (archive_dir / "F1" / str(timezone_year(f1)) / order.number / f"{order.number}.pdf").exists()


def test_r_5_7_1_an_order_referred_to_by_a_retained_complaint_waits(archive_dir):
    from liaison.orders.states import ReviewOutcome

    with clock.frozen(years_ago(3)):
        order = OrderFactory()
        review_pass(order.review_rounds.get(), outcome=ReviewOutcome.REJECTED, conditions="No capacity")
    order.refresh_from_db()
    assert order.status == "rejected"
    with clock.frozen(NOW - dt.timedelta(days=10)):
        kept = complaint(customer=order.customer, order=order)  # open: kept
    with clock.frozen(NOW):
        report = services.disposal_run()
    assert Order.objects.filter(pk=order.pk).exists() and kept.pk
    assert report.run.waiting == 1  # past retention, but the retained complaint points to it
    assert not DisposalLogEntry.objects.filter(record_type="F1").exists()
    assert not list((archive_dir / "F1").glob("*/*"))


def timezone_year(entry) -> int:
    from django.utils import timezone

    return timezone.localtime(entry.retention_started).year


def _json_of(archive_dir, entry) -> dict:
    return json.loads((archive_dir / entry.record_type / str(timezone_year(entry)) / entry.number / "record.json").read_text())


def test_r_5_7_1_a_batch_reads_names_and_history_once_for_all_its_records(archive_dir):
    """What record.json shows of users and history is read once per batch, not once per record."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def run(count: int, at_days: int) -> tuple[int, int, list]:
        rounds = [decided_round(years_ago(3, days=at_days + n)) for n in range(count)]
        with clock.frozen(NOW), CaptureQueriesContext(connection) as queries:
            services.disposal_run(batch_size=10)
        sql = [query["sql"] for query in queries.captured_queries]
        users = sum(1 for text in sql if 'FROM "core_user"' in text.split(" WHERE ")[0])
        history = sum(1 for text in sql if text.startswith("SELECT") and 'FROM "orders_historicalreviewsignoff"' in text)
        return users, history, rounds

    one = run(1, 100)
    three = run(3, 10)
    assert three[0] == one[0] and three[1] == one[1] == 1  # one query whatever the batch's size

    # And the archive still shows every name and every history row of every record.
    for review_round in three[2]:
        entry = DisposalLogEntry.objects.get(record_type="F2", object_id=review_round.pk)
        document = _json_of(archive_dir, entry)
        fields = document["record"]["fields"]
        assert fields["created_by__display"] == str(review_round.created_by)
        assert fields["order__display"] == str(review_round.order)
        assert document["record"]["history"] and all(row["user"] for row in document["record"]["history"])
        sign_offs = [part for part in document["parts"] if part["model"] == "orders.ReviewSignOff"]
        assert sign_offs and all(part["history"] for part in sign_offs)


def test_r_5_7_1_retention_queries_are_planned_without_jit_on_postgresql():
    from django.db import connection, transaction

    from liaison.records import selectors

    with transaction.atomic():
        selectors.without_jit()
        if connection.vendor != "postgresql":
            return  # nothing to switch off elsewhere
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
