"""Data migrations of the quality app, run on rows written the way older releases wrote them."""

import pytest

from liaison.core import clock
from liaison.core.tests.db import data_migration_run
from liaison.core.tests.factories import frozen_today, local, qc_inspector, sales_head
from liaison.quality.models import NonconformanceRecord, ReturnInspection
from liaison.quality.services.complaints import complaint_acknowledge
from liaison.quality.states import ComplaintKind
from liaison.quality.tests.factories import complaint, shipped

pytestmark = pytest.mark.django_db

today = frozen_today(local(2026, 5, 4))


def test_r_5_5_2_2_lines_inspected_before_get_their_inspection_and_the_rest_not_coming():
    """Before partial inspections, one inspection of 60 of 100 settled the line: the 40 never came."""
    customer, product, _order = shipped(quantity=100)
    record = complaint(customer=customer, kind=ComplaintKind.RETURN, return_lines=[{"product": product, "quantity": 100}])
    complaint_acknowledge(complaint=record, actor=sales_head())
    line = record.return_lines.get()
    inspector = qc_inspector()
    ncr = NonconformanceRecord.objects.create(number="NCR-2026-0001", return_line=line, product=product, quantity=10)
    type(line).objects.filter(pk=line.pk).update(
        arrived=60, good=50, nonconforming=10, inspected_at=clock.now(), inspected_by=inspector
    )
    data_migration_run("quality", "0006_return_inspections_backfill")
    inspection = ReturnInspection.objects.get()
    assert (inspection.return_line, inspection.arrived, inspection.good, inspection.nonconforming) == (line, 60, 50, 10)
    assert (inspection.nonconformance, inspection.inspected_by, inspection.inspected_at) == (ncr, inspector, clock.now())
    line.refresh_from_db()
    assert (line.not_coming, line.not_coming_by, line.remaining, line.settled) == (40, inspector, 0, True)
    assert line.not_coming_reason.startswith("Inspected in one go before partial inspections")
    # Run again: nothing more.
    data_migration_run("quality", "0006_return_inspections_backfill")
    assert ReturnInspection.objects.count() == 1
