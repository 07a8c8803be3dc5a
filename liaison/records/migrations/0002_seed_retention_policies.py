"""Seed one retention policy per record type with the procedure's defaults (R-5.7.1–3)."""

from django.db import migrations

# Record type → the department kind that keeps it (SPEC glossary): Sales keeps F1–F4 and
# F10, QC keeps F6. The department itself is set where one of that kind exists already.
OWNERS = {"F1": "sales", "F2": "sales", "F3": "sales", "F4": "sales", "F6": "qc", "F10": "sales"}


def seed(apps, schema_editor):
    from liaison.core import procedure

    RetentionPolicy = apps.get_model("records", "RetentionPolicy")
    Department = apps.get_model("core", "Department")
    years = procedure.setting("RETENTION_YEARS")
    for code, kind in OWNERS.items():
        department = Department.objects.filter(kind=kind, active=True).order_by("code").first()
        RetentionPolicy.objects.get_or_create(
            record_type=code, defaults={"years": years, "months": 0, "department": department, "active": True}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0001_initial"),
        ("core", "0002_department_signs_contract_review_and_more"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
