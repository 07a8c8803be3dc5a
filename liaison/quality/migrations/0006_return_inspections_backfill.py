"""Return lines inspected before partial inspections existed: their inspection as a ReturnInspection row.

Then one inspection settled a line for good: what had not arrived by then was never going to
be inspected, so it is recorded as not coming, signed by the inspector, with that reason.
"""

from django.db import migrations

EARLIER = "Inspected in one go before partial inspections were kept; the rest never arrived."


def backfill(apps, schema_editor):
    ReturnLine = apps.get_model("quality", "ReturnLine")
    ReturnInspection = apps.get_model("quality", "ReturnInspection")
    NonconformanceRecord = apps.get_model("quality", "NonconformanceRecord")
    for line in ReturnLine.objects.filter(
        inspected_at__isnull=False, inspected_by__isnull=False, arrived__gt=0, inspections__isnull=True
    ):
        record = NonconformanceRecord.objects.filter(return_line=line).order_by("pk").first()
        ReturnInspection.objects.create(
            return_line=line,
            arrived=line.arrived,
            good=line.good,
            nonconforming=line.nonconforming,
            replacement_needed=line.replacement_needed,
            nonconformance=record,
            inspected_at=line.inspected_at,
            inspected_by_id=line.inspected_by_id,
            created_at=line.inspected_at,
            created_by_id=line.inspected_by_id,
            updated_at=line.inspected_at,
            updated_by_id=line.inspected_by_id,
        )
    for line in ReturnLine.objects.filter(inspected_at__isnull=False, not_coming=0):
        rest = line.quantity - line.arrived
        if rest > 0:
            line.not_coming = rest
            line.not_coming_reason = EARLIER
            line.not_coming_at = line.inspected_at
            line.not_coming_by_id = line.inspected_by_id
            line.save(update_fields=["not_coming", "not_coming_reason", "not_coming_at", "not_coming_by"])


class Migration(migrations.Migration):
    dependencies = [("quality", "0005_partial_return_inspections")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
