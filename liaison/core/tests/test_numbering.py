"""The numbering service: per type and year, gapless, unique under concurrent writers."""

import threading

import pytest
from django.db import connection, transaction

from liaison.communications.models import ReceivedDocument
from liaison.core import clock
from liaison.core.errors import CoreErrorCode, LiaisonError
from liaison.core.models import DocumentCounter
from liaison.core.services import PROVISIONAL_MARK, number_next, number_provisional, number_settle, sign_history
from liaison.customers.models import TimelineEntry
from liaison.customers.services import timeline_record
from liaison.customers.states import TimelineEvent
from liaison.customers.tests.factories import CustomerFactory


def _next(doc_type="FAX", year=None):
    with transaction.atomic():
        return number_next(doc_type=doc_type, year=year)


@pytest.mark.django_db
def test_r_5_2_2_3_numbers_run_from_one_per_type_and_year():
    with clock.frozen(clock.now().replace(year=2026, month=3, day=1)):
        assert [_next() for _ in range(3)] == ["FAX-2026-0001", "FAX-2026-0002", "FAX-2026-0003"]
        assert _next("CMP") == "CMP-2026-0001"
    with clock.frozen(clock.now().replace(year=2027, month=1, day=2)):
        assert _next() == "FAX-2027-0001"


@pytest.mark.django_db
def test_r_5_2_2_3_rolled_back_number_is_handed_out_again():
    assert _next() .endswith("-0001")
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            assert number_next(doc_type="FAX").endswith("-0002")
            raise RuntimeError("the record could not be saved")
    assert _next().endswith("-0002")


@pytest.mark.django_db(transaction=True)
def test_number_outside_a_transaction_is_refused():
    with pytest.raises(LiaisonError) as refused:
        number_next(doc_type="FAX")
    assert refused.value.code == CoreErrorCode.NUMBERING_OUTSIDE_TRANSACTION
    assert not DocumentCounter.objects.exists()


@pytest.mark.django_db
def test_numbers_widen_past_9999():
    DocumentCounter.objects.create(doc_type="FAX", year=2026, last_number=9999)
    assert _next(year=2026) == "FAX-2026-10000"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_r_5_2_2_3_concurrent_writers_get_unique_gapless_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    writers, per_writer = 32, 5
    numbers: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(writers)
    lock = threading.Lock()

    def write():
        try:
            start.wait()
            for _ in range(per_writer):
                got = _next(year=2026)
                with lock:
                    numbers.append(got)
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    expected = [f"FAX-2026-{n:04d}" for n in range(1, writers * per_writer + 1)]
    assert sorted(numbers) == expected  # no duplicates, no gaps
    assert DocumentCounter.objects.get(doc_type="FAX", year=2026).last_number == writers * per_writer


# ── Late numbering: a stand-in number first, the real one as the last statement ───────────


def test_a_stand_in_number_is_as_long_as_a_real_one_and_never_repeats():
    stand_ins = {number_provisional(doc_type="ORD") for _ in range(50)}
    assert len(stand_ins) == 50
    assert {len(n) for n in stand_ins} == {len("ORD-2026-0001")}
    assert all(n.startswith(PROVISIONAL_MARK) for n in stand_ins)
    assert len(number_provisional(doc_type="CAPA")) == len("CAPA-2026-0001")


@pytest.mark.django_db
def test_r_5_2_2_3_settling_puts_the_number_on_the_record_its_history_and_its_texts():
    customer = CustomerFactory()
    with clock.frozen(clock.now().replace(year=2026, month=3, day=1)), transaction.atomic():
        provisional = number_provisional(doc_type="CMP")
        sheet = ReceivedDocument(
            number=provisional,
            customer=customer,
            channel="fax",
            received_at=clock.now(),
            summary=f"{provisional} scanned",
        )
        sign_history(sheet, actor=None, reason="Catalogued")
        sheet.save()
        mine = timeline_record(customer=customer, event=TimelineEvent.COMMUNICATION_RECORDED, actor=None,
                               summary=f"{provisional}: 客戶來函")
        other = timeline_record(customer=customer, event=TimelineEvent.COMMUNICATION_RECORDED, actor=None,
                                summary="unrelated line")
        number = number_settle(
            record=sheet,
            doc_type="FAX",
            texts=[(TimelineEntry.objects.filter(pk__in=[mine.pk, other.pk]), "summary")],
        )
    assert number == sheet.number == "FAX-2026-0001"
    sheet.refresh_from_db()
    assert sheet.number == "FAX-2026-0001"
    assert list(sheet.history.values_list("number", "history_change_reason")) == [("FAX-2026-0001", "Catalogued")]
    assert TimelineEntry.objects.get(pk=mine.pk).summary == "FAX-2026-0001: 客戶來函"
    assert TimelineEntry.objects.get(pk=other.pk).summary == "unrelated line"


@pytest.mark.django_db
def test_a_record_with_its_number_is_not_settled_again():
    customer = CustomerFactory()
    with transaction.atomic():
        sheet = ReceivedDocument(
            number="FAX-2026-0009", customer=customer, channel="fax", received_at=clock.now(), summary="scan"
        )
        sheet.save()
        with pytest.raises(ValueError):
            number_settle(record=sheet, doc_type="FAX")
    assert not DocumentCounter.objects.filter(last_number__gt=0).exists()
