"""Timeline entries written before COMPLAINT_VOIDED existed say what they are.

A void was recorded as COMPLAINT_CLOSED. A void complaint is never closed (only a complaint
whose result is recorded closes), so every COMPLAINT_CLOSED entry about a void complaint is
its void.
"""

from django.db import migrations


def relabel(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    TimelineEntry = apps.get_model("customers", "TimelineEntry")
    Complaint = apps.get_model("quality", "Complaint")
    complaint_type = ContentType.objects.filter(app_label="quality", model="complaint").first()
    if complaint_type is None:
        return
    TimelineEntry.objects.filter(
        about_type=complaint_type,
        about_id__in=Complaint.objects.filter(status="void").values("pk"),
        event="complaint_closed",
    ).update(event="complaint_voided")


def unlabel(apps, schema_editor):
    TimelineEntry = apps.get_model("customers", "TimelineEntry")
    TimelineEntry.objects.filter(event="complaint_voided").update(event="complaint_closed")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("customers", "0009_timeline_events_per_fact"),
        ("quality", "0003_cause_pareto_index"),
    ]

    operations = [migrations.RunPython(relabel, unlabel)]
