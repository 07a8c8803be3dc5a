"""Every kept record type prints its form into the archive: an archive never silently loses its PDF."""

import datetime as dt

import pytest

from liaison.core import clock
from liaison.core.tests.factories import sales
from liaison.documents.tests.data import chain
from liaison.quality.tests.factories import complaint
from liaison.records import archive, registry
from liaison.satisfaction.tests.factories import customer_with_contact, sent_round

pytestmark = pytest.mark.django_db


def _records() -> dict:
    """One record of each kept type."""
    data = chain()
    with clock.frozen(dt.date(2026, 9, 1)):
        _round, (survey_form,) = sent_round(
            meeting_date=dt.date(2026, 12, 15), customers=[customer_with_contact()], actor=sales(), channel="fax"
        )
    return {
        "F1": data.order,
        "F2": data.review_round,
        "F3": data.order.changes.order_by("pk").first(),
        "F4": data.notice,
        "F6": complaint(),
        "F10": survey_form,
    }


def test_r_5_7_1_every_kept_record_type_prints_its_form(tmp_path, pdf_text):
    records = _records()
    assert set(records) == set(registry.REGISTRY)

    for record_type in registry.record_types():
        record = records[record_type.code]
        content = archive.render_pdf(record_type, record, language="en")
        path = tmp_path / f"{record_type.code}.pdf"
        path.write_bytes(content)

        assert content.startswith(b"%PDF-"), record_type.code
        # F3 prints the order's whole register, named by the order; F2 by order and round.
        number = record.order.number if record_type.code in {"F2", "F3"} else record.number
        assert number in pdf_text(path), record_type.code
